package sqlite_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callbackline/callbackline/store/sqlite"
	"github.com/callbackline/callbackline/store/sqlstore"
	"github.com/callbackline/callbackline/store/storetest"
)

// queueStore gives the recovery suite its view of River's jobs.
type queueStore struct{ *sqlite.Store }

func (q queueStore) Job(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return q.Client().JobGet(ctx, id)
}

func (q queueStore) JobIDs(ctx context.Context, kind string) ([]int64, error) {
	rows, err := q.DB().QueryContext(ctx, `SELECT id FROM river_job WHERE kind = ? ORDER BY id`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SetJob writes the job as River's SQLite driver does: attempted_by as
// JSONB, times as "2006-01-02 15:04:05.000" text in UTC.
func (q queueStore) SetJob(ctx context.Context, id int64, state rivertype.JobState, attemptedBy []string) error {
	by, err := json.Marshal(attemptedBy)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Format("2006-01-02 15:04:05.000")
	_, err = q.DB().ExecContext(ctx, `UPDATE river_job SET state = ?, attempted_by = jsonb(?),
		attempt = max(attempt, 1), attempted_at = ? WHERE id = ?`, string(state), string(by), now, id)
	return err
}

func TestRecovery(t *testing.T) {
	storetest.RunRecovery(t, func(t *testing.T) storetest.OpenQueue {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "q.db")
		return func(t *testing.T, id string, workers *river.Workers) storetest.QueueBackend {
			s, err := sqlite.Open(context.Background(), dsn, sqlite.Options{Options: sqlstore.Options{ID: id, Workers: workers, FetchPollInterval: 50 * time.Millisecond}})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return queueStore{s}
		}
	})
}
