package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/secret"
	"github.com/callbackline/callbackline/store/postgres"
	"github.com/callbackline/callbackline/store/sqlite"
	"github.com/callbackline/callbackline/store/sqlstore"
)

// backend is a store with its queue.
type backend interface {
	callbackline.Store
	callbackline.WorkStore
	callbackline.ClusterStore
	callbackline.RecordingStore
	StartQueue(ctx context.Context) error
	StopQueue(ctx context.Context) error
}

// openStore opens the store the database setting names: PostgreSQL for
// postgres:// URLs, else SQLite. Opening applies the migrations.
// workers (may be nil) are the queue's workers; id names this process's
// queue client; jobTimeout is the longest a job may run (0: the store's
// default). Both queues run: the callback queue has a worker even
// without SIP (the Bitrix24 dialer needs none).
//
// Queue settings: a new job is picked up at once, told by the insert
// (LISTEN/NOTIFY on PostgreSQL; on SQLite River's notification table,
// read every 50 ms), and the queues are polled besides, every 100 ms on
// PostgreSQL and every 250 ms on SQLite (a poll costs SQLite far more:
// at 20 ms an idle instance spent 14 % of a core polling, at 250 ms 4 %);
// a job still marked running after jobTimeout + 10 min (its process died
// and did not come back) is run again by River's rescuer. A process that
// restarts takes its own jobs back at once (RecoverJobs). noCalls works
// only the maintenance queue (an intake instance, cluster.calls: false).
func openStore(ctx context.Context, cfg *config.Config, logger *slog.Logger, workers *river.Workers, id string, jobTimeout time.Duration, noCalls bool) (backend, error) {
	var rescue time.Duration
	if jobTimeout > 0 {
		rescue = jobTimeout + 10*time.Minute
	}
	var box *secret.Box
	if key, err := cfg.EncryptionKeyBytes(); err != nil {
		return nil, err
	} else if key != nil {
		if box, err = secret.NewBox(key); err != nil {
			return nil, fmt.Errorf("config key encryption_key: %w", err)
		}
	}
	if strings.HasPrefix(cfg.Database, "postgres://") || strings.HasPrefix(cfg.Database, "postgresql://") {
		st, err := postgres.Open(ctx, cfg.Database, postgres.Options{Options: sqlstore.Options{Logger: logger, Workers: workers, ID: id,
			Secrets: box, FetchPollInterval: 100 * time.Millisecond, JobTimeout: jobTimeout, RescueStuckJobsAfter: rescue, NoCalls: noCalls}})
		if err != nil {
			return nil, fmt.Errorf("opening the PostgreSQL database (config key database): %w", err)
		}
		return st, nil
	}
	st, err := sqlite.Open(ctx, cfg.Database, sqlite.Options{Options: sqlstore.Options{Logger: logger, Workers: workers, ID: id,
		Secrets: box, FetchPollInterval: 250 * time.Millisecond, JobTimeout: jobTimeout, RescueStuckJobsAfter: rescue, NoCalls: noCalls}})
	if err != nil {
		return nil, fmt.Errorf("opening the SQLite database %s (config key database): %w", cfg.Database, err)
	}
	return st, nil
}

// migrate applies the migrations of the configured store and exits.
func migrate(ctx context.Context, cfg *config.Config, stdout io.Writer) error {
	st, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, "", 0, false)
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied to %s\n", redactDSN(cfg.Database))
	return nil
}
