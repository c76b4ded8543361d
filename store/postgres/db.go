package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/store/sqlstore"
)

// conn is what *pgxpool.Pool and pgx.Tx share.
type conn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// db is the core's seam on the pool or a transaction: "?" placeholders
// become $1, $2, …; times are stored as timestamptz (NULL for the zero
// time); PostgreSQL's constraint errors become sqlstore's and
// pgx.ErrNoRows sql.ErrNoRows.
type db struct{ c conn }

var _ sqlstore.DB = db{}

func (d db) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := d.c.Exec(ctx, rebind(q), encode(args)...)
	return tag.RowsAffected(), driverError(err)
}

func (d db) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := d.c.Query(ctx, rebind(q), encode(args)...)
	if err != nil {
		return nil, driverError(err)
	}
	return pgRows{rows}, nil
}

func (d db) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return row{d.c.QueryRow(ctx, rebind(q), encode(args)...)}
}

func (d db) Tx(ctx context.Context, fn func(sqlstore.DB) error) error {
	tx, err := d.c.Begin(ctx)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: begin")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(db{tx}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: commit")
	}
	return nil
}

// rebind numbers the "?" placeholders outside quotes.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n, quoted := 0, false
	for _, r := range q {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// encode stores times in UTC at microsecond precision, NULL for zero.
func encode(args []any) []any {
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			args[i] = nullTime(t)
		}
	}
	return args
}

// nullTime is t for a nullable column: nil for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

// row scans a *time.Time in UTC, the zero time from NULL.
type row struct{ r pgx.Row }

func (r row) Scan(dest ...any) error {
	var fix []func()
	for i, d := range dest {
		if t, ok := d.(*time.Time); ok {
			p := new(*time.Time)
			dest[i] = p
			fix = append(fix, func() {
				*t = time.Time{}
				if *p != nil {
					*t = (*p).UTC()
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

type pgRows struct{ pgx.Rows }

func (r pgRows) Scan(dest ...any) error { return row{r.Rows}.Scan(dest...) }

// PostgreSQL error codes the core maps.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
)

// driverError marks PostgreSQL's constraint errors and a missing row for
// the core.
func driverError(err error) error {
	var e *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return sql.ErrNoRows
	case !errors.As(err, &e):
		return err
	case e.Code == pgForeignKeyViolation:
		return fmt.Errorf("%w: %w", sqlstore.ErrForeignKey, err)
	case e.Code == pgUniqueViolation:
		return fmt.Errorf("%w: %w", sqlstore.ErrUnique, err)
	}
	return err
}
