package callback

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// PruneRecordings deletes the call recordings (*.wav) in dir that are
// older than keep, and returns how many it deleted. keep <= 0 keeps them
// all. Bitrix24 has its own copy of every attached recording.
func PruneRecordings(dir string, keep time.Duration, now time.Time) (int, error) {
	if keep <= 0 {
		return 0, nil
	}
	return removeFiles(dir, func(e os.DirEntry) bool {
		if !strings.HasSuffix(e.Name(), ".wav") {
			return false
		}
		info, err := e.Info()
		return err == nil && now.Sub(info.ModTime()) > keep
	})
}

// removeFiles deletes the files in dir that match says to delete and
// returns how many it deleted; a missing dir holds none. It goes on past
// a file it cannot delete and returns the first such error.
func removeFiles(dir string, match func(os.DirEntry) bool) (int, error) {
	if dir == "" {
		return 0, nil
	}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	n, first := 0, error(nil)
	for _, e := range entries {
		if e.IsDir() || !match(e) {
			continue
		}
		switch err := os.Remove(filepath.Join(dir, e.Name())); {
		case err == nil:
			n++
		case !os.IsNotExist(err) && first == nil:
			first = err
		}
	}
	return n, first
}

// Pruner deletes what a Retention no longer keeps (callbackline.Store
// has it).
type Pruner interface {
	Prune(ctx context.Context, r callbackline.Retention, now time.Time, batch int) (callbackline.Pruned, error)
}

// PruneBatch is how many rows of each kind one Prune statement deletes:
// short transactions that neither the intake nor the workers wait long
// behind.
const PruneBatch = 500

// PruneStore deletes the rejected requests, finished callbacks and
// history entries that r no longer keeps at now, in batches of
// PruneBatch until none is left or ctx ends, and says how many.
func PruneStore(ctx context.Context, s Pruner, r callbackline.Retention, now time.Time) (callbackline.Pruned, error) {
	var total callbackline.Pruned
	for {
		p, err := s.Prune(ctx, r, now, PruneBatch)
		total.Rejected, total.Finished, total.History = total.Rejected+p.Rejected, total.Finished+p.Finished, total.History+p.History
		total.Audit += p.Audit
		if err != nil || max(p.Rejected, p.Finished, p.History, p.Audit) < PruneBatch {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
