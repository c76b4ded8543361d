package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/store/sqlstore"
)

// conn is what *sql.DB, *sql.Tx and *sql.Stmt bindings share.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// db is the core's seam on a pool or a transaction: times are stored as
// microseconds since the epoch (NULL for the zero time), SQLite's
// constraint errors become sqlstore's.
type db struct {
	c    conn
	pool *sql.DB // nil in a transaction
}

var _ sqlstore.DB = db{}

func (d db) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := d.c.ExecContext(ctx, q, encode(args)...)
	if err != nil {
		return 0, driverError(err)
	}
	return res.RowsAffected()
}

func (d db) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := d.c.QueryContext(ctx, q, encode(args)...)
	if err != nil {
		return nil, driverError(err)
	}
	return sqlRows{rows}, nil
}

func (d db) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return row{d.c.QueryRowContext(ctx, q, encode(args)...)}
}

func (d db) Tx(ctx context.Context, fn func(sqlstore.DB) error) error {
	tx, err := d.pool.BeginTx(ctx, nil)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: begin")
	}
	defer tx.Rollback()
	if err := fn(db{c: tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: commit")
	}
	return nil
}

// encode stores times as microseconds since the epoch, NULL for zero.
func encode(args []any) []any {
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			if t.IsZero() {
				args[i] = nil
			} else {
				args[i] = t.UnixMicro()
			}
		}
	}
	return args
}

// row scans a *time.Time from microseconds since the epoch, the zero time
// from NULL or 0.
type row struct{ r sqlstore.Row }

func (r row) Scan(dest ...any) error {
	var fix []func()
	for i, d := range dest {
		if t, ok := d.(*time.Time); ok {
			n := new(sql.NullInt64)
			dest[i] = n
			fix = append(fix, func() {
				*t = time.Time{}
				if n.Valid && n.Int64 != 0 {
					*t = time.UnixMicro(n.Int64).UTC()
				}
			})
		}
	}
	if err := r.r.Scan(dest...); err != nil {
		return driverError(err)
	}
	for _, f := range fix {
		f()
	}
	return nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Scan(dest ...any) error { return row{r.Rows}.Scan(dest...) }
func (r sqlRows) Close()                 { r.Rows.Close() }

// driverError marks SQLite's constraint errors for the core.
func driverError(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %w", sqlstore.ErrForeignKey, err)
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", sqlstore.ErrUnique, err)
		}
	}
	return err
}
