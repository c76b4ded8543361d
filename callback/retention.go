package callback

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PruneRecordings deletes the call recordings (*.wav) in dir that are
// older than keep, and returns how many it deleted. keep <= 0 keeps them
// all. Bitrix24 has its own copy of every attached recording.
func PruneRecordings(dir string, keep time.Duration, now time.Time) (int, error) {
	if keep <= 0 || dir == "" {
		return 0, nil
	}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".wav") {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) <= keep {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err == nil {
			n++
		}
	}
	return n, nil
}
