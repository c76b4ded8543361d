package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/store/postgres"
	"github.com/callbackline/callbackline/store/sqlite"
)

// backend is a store with its queue.
type backend interface {
	callbackline.Store
	callbackline.WorkStore
	StartQueue(ctx context.Context) error
	StopQueue(ctx context.Context) error
}

// openStore opens the store the database setting names: PostgreSQL for
// postgres:// URLs, else SQLite. Opening applies the migrations.
// workers (may be nil) are the queue's workers; id names this process's
// queue client.
func openStore(ctx context.Context, cfg *config.Config, logger *slog.Logger, workers *river.Workers, id string) (backend, error) {
	if strings.HasPrefix(cfg.Database, "postgres://") || strings.HasPrefix(cfg.Database, "postgresql://") {
		st, err := postgres.Open(ctx, cfg.Database, postgres.Options{Logger: logger, Workers: workers, ID: id})
		if err != nil {
			return nil, fmt.Errorf("opening the PostgreSQL database (config key database): %w", err)
		}
		return st, nil
	}
	st, err := sqlite.Open(ctx, cfg.Database, sqlite.Options{Logger: logger, Workers: workers, ID: id})
	if err != nil {
		return nil, fmt.Errorf("opening the SQLite database %s (config key database): %w", cfg.Database, err)
	}
	return st, nil
}

// migrate applies the migrations of the configured store and exits.
func migrate(ctx context.Context, cfg *config.Config, stdout io.Writer) error {
	st, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, "")
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied to %s\n", redactDSN(cfg.Database))
	return nil
}
