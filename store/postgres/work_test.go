package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callbackline/callbackline/store/postgres"
	"github.com/callbackline/callbackline/store/sqlstore"
	"github.com/callbackline/callbackline/store/storetest"
)

// queueStore gives the recovery suite its view of River's jobs.
type queueStore struct{ *postgres.Store }

func (q queueStore) Job(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return q.Client().JobGet(ctx, id)
}

func (q queueStore) JobIDs(ctx context.Context, kind string) ([]int64, error) {
	rows, err := q.Pool().Query(ctx, `SELECT id FROM river_job WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// SetJob writes the job as River does: attempted_by is a text[].
func (q queueStore) SetJob(ctx context.Context, id int64, state rivertype.JobState, attemptedBy []string) error {
	_, err := q.Pool().Exec(ctx, `UPDATE river_job SET state = $1::text::river_job_state, attempted_by = $2::text[],
		attempt = greatest(attempt, 1), attempted_at = now() WHERE id = $3`, string(state), attemptedBy, id)
	return err
}

func TestRecovery(t *testing.T) {
	dsn := testDSN(t)
	storetest.RunRecovery(t, func(t *testing.T) storetest.OpenQueue {
		schema := freshSchema(t, dsn)
		return func(t *testing.T, id string, workers *river.Workers) storetest.QueueBackend {
			s, err := postgres.Open(context.Background(), dsn, postgres.Options{Options: sqlstore.Options{ID: id, Workers: workers, FetchPollInterval: 50 * time.Millisecond}, Schema: schema})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return queueStore{s}
		}
	})
}
