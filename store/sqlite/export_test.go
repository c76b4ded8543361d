package sqlite

import (
	"context"
	"io/fs"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/store/sqlstore"
)

// SetFailIntake makes the matching intake requests fail with an SQL error.
func SetFailIntake(s *Store, f func(*callbackline.Callback) bool) { s.TestHooks.FailIntake = f }

// Queued is how many intake requests wait in the committer's channel.
func Queued(s *Store) int { return s.Store.Queued() }

// SetBatchStart has f told the size of every batch before it commits.
func SetBatchStart(s *Store, f func(n int)) { s.TestHooks.BatchStart = f }

// MigrateOnly applies to the database file at path, as Open does, only the
// migrations whose file names keep accepts: a database migrated by an
// earlier (or another) build.
func MigrateOnly(ctx context.Context, path string, keep func(name string) bool) error {
	var o Options
	if err := o.setDefaults(); err != nil {
		return err
	}
	db, err := openPool(path, nil, o, writePool, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	files, err := fs.Glob(migrationsFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sub := fstest.MapFS{}
	for _, f := range files {
		if keep(f[len("migrations/"):]) {
			b, err := fs.ReadFile(migrationsFS, f)
			if err != nil {
				return err
			}
			sub[f] = &fstest.MapFile{Data: b}
		}
	}
	return sqlstore.Migrate(ctx, "sqlite", goose.DialectSQLite3, db, sub, riversqlite.New(db), &rivermigrate.Config{Logger: o.Logger})
}

// ExecOnly runs statements on the database file at path, outside the
// store: rows an earlier build wrote.
func ExecOnly(ctx context.Context, path string, statements ...string) error {
	var o Options
	if err := o.setDefaults(); err != nil {
		return err
	}
	db, err := openPool(path, nil, o, writePool, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range statements {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
