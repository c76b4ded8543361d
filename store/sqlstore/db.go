package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/callbackline/callbackline"
)

// conn is what *sql.DB and *sql.Tx share.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB runs the core's statements on a backend's database/sql pool or on a
// transaction of it, in the backend's Dialect: "?" placeholders are
// numbered when the dialect asks, times are encoded and scanned as its
// columns store them (the zero time is NULL), and the driver's
// constraint errors become ErrForeignKey and ErrUnique.
type DB struct {
	c     conn
	pool  *sql.DB // nil in a transaction
	d     *Dialect
	stmts *stmtCache // the pool's prepared queries (Dialect.Prepare); nil in a transaction
}

// NewDB is the core's view of the pool.
func NewDB(pool *sql.DB, d *Dialect) DB {
	db := DB{c: pool, pool: pool, d: d}
	if d.Prepare {
		db.stmts = &stmtCache{m: map[string]*sql.Stmt{}}
	}
	return db
}

// stmtCache keeps the queries the pool ran outside transactions, each
// prepared once per connection (database/sql prepares a *sql.Stmt on each
// connection the first time it runs there). Bounded: past maxStmts
// distinct queries, new ones run unprepared.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxStmts bounds a stmtCache (the core has fewer distinct queries).
const maxStmts = 512

// stmt returns the prepared statement of the (rebound) query q, or nil
// when it is not kept.
func (db DB) stmt(ctx context.Context, q string) *sql.Stmt {
	if db.stmts == nil {
		return nil
	}
	c := db.stmts
	c.mu.Lock()
	st, ok := c.m[q]
	full := len(c.m) >= maxStmts
	c.mu.Unlock()
	if ok || full {
		return st
	}
	// Prepared outside the lock: it waits for a connection.
	st, err := db.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil // run unprepared: the error comes back from the query itself
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if had, ok := c.m[q]; ok { // another goroutine was first
		_ = st.Close()
		return had
	}
	c.m[q] = st
	return st
}

// Exec runs a statement and returns how many rows it changed.
func (db DB) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := db.c.ExecContext(ctx, db.d.rebind(q), db.d.Encode(args)...)
	if err != nil {
		return 0, db.d.Errors(err)
	}
	return res.RowsAffected()
}

// QueryRow runs a query for at most one row; its Scan returns
// sql.ErrNoRows when there is none.
func (db DB) QueryRow(ctx context.Context, q string, args ...any) Row {
	q = db.d.rebind(q)
	if st := db.stmt(ctx, q); st != nil {
		return db.d.Row(st.QueryRowContext(ctx, db.d.Encode(args)...))
	}
	return db.d.Row(db.c.QueryRowContext(ctx, q, db.d.Encode(args)...))
}

// Tx runs fn in a transaction, committed when fn returns nil.
func (db DB) Tx(ctx context.Context, fn func(tx DB) error) error {
	tx, err := db.pool.BeginTx(ctx, nil)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: begin", db.d.Name)
	}
	defer tx.Rollback()
	if err := fn(DB{c: tx, d: db.d}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: commit", db.d.Name)
	}
	return nil
}

// Row is one result row.
type Row interface {
	// Scan copies the columns into dest.
	Scan(dest ...any) error
}

// collect runs the query and scans every row with scan; nil for none.
func collect[T any](ctx context.Context, db DB, scan func(Row) (T, error), q string, args ...any) ([]T, error) {
	q = db.d.rebind(q)
	var (
		rows *sql.Rows
		err  error
	)
	if st := db.stmt(ctx, q); st != nil {
		rows, err = st.QueryContext(ctx, db.d.Encode(args)...)
	} else {
		rows, err = db.c.QueryContext(ctx, q, db.d.Encode(args)...)
	}
	if err != nil {
		return nil, db.d.Errors(err)
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		v, err := scan(db.d.Row(rows))
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, rows.Err()
}

// rebind numbers the "?" placeholders outside quotes when the dialect
// asks.
func (d *Dialect) rebind(q string) string {
	if !d.Numbered || !strings.Contains(q, "?") {
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

// Encode turns the time arguments into what the dialect stores: NULL for
// the zero time, else microseconds since the epoch or the time in UTC at
// microsecond precision.
func (d *Dialect) Encode(args []any) []any {
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			switch {
			case t.IsZero():
				args[i] = nil
			case d.Micros:
				args[i] = t.UnixMicro()
			default:
				args[i] = callbackline.StoredTime(t)
			}
		}
	}
	return args
}

// Row is r scanning as the dialect stores: a *time.Time destination
// gets UTC, the zero time for NULL; errors as Dialect.Errors makes them.
func (d *Dialect) Row(r Row) Row { return row{r, d} }

type row struct {
	r Row
	d *Dialect
}

func (r row) Scan(dest ...any) error {
	for i, v := range dest {
		if t, ok := v.(*time.Time); ok {
			dest[i] = timeDest{t}
		}
	}
	return r.d.Errors(r.r.Scan(dest...))
}

// timeDest scans a stored time: a timestamp, or microseconds since the
// epoch; NULL and 0 are the zero time.
type timeDest struct{ t *time.Time }

func (d timeDest) Scan(v any) error {
	*d.t = time.Time{}
	switch v := v.(type) {
	case time.Time:
		*d.t = v.UTC()
	case int64:
		if v != 0 {
			*d.t = time.UnixMicro(v).UTC()
		}
	case nil:
	default:
		return fmt.Errorf("sqlstore: a time from %T", v)
	}
	return nil
}

// Migrate applies the backend's schema (goose, the *.sql files under
// "migrations" in fsys) and then River's migrations through driver.
//
// A migration numbered below one already applied is applied too (goose's
// out-of-order mode): migrations are written in parallel and may land in
// another order than their numbers (00010 landed before 00008 and 00009),
// so a database migrated in between must still take the lower ones. Every
// migration is therefore independent of those numbered above it
// (docs/cluster.md, Upgrading). Applied migrations this binary does not
// know (a newer release's) are left alone.
func Migrate[TTx any](ctx context.Context, name string, dialect goose.Dialect, db *sql.DB, fsys fs.FS,
	driver riverdriver.Driver[TTx], cfg *rivermigrate.Config) error {
	sub, err := fs.Sub(fsys, "migrations")
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "%s: migrations", name)
	}
	p, err := goose.NewProvider(dialect, db, sub, goose.WithDisableGlobalRegistry(true), goose.WithSlog(cfg.Logger),
		goose.WithAllowOutofOrder(true))
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "%s: migrations", name)
	}
	if _, err := p.Up(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: apply migrations", name)
	}
	m, err := rivermigrate.New(driver, cfg)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "%s: queue migrations", name)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: apply queue migrations", name)
	}
	return nil
}
