// Package sqlite is the embedded store of callbackline: portals, callbacks
// and the River job queue in one SQLite file (modernc.org/sqlite, pure Go).
//
// # Data source names
//
// Open takes the database as
//
//	sqlite:./callbackline.db     relative to the working directory
//	sqlite:/var/lib/cb/cb.db     absolute
//	sqlite:///var/lib/cb/cb.db   the same, URL style
//	./callbackline.db            a plain path
//	file:/var/lib/cb/cb.db       a SQLite URI
//
// A query string after the path ("sqlite:./cb.db?_pragma=cache_size(-64000)")
// is passed to the driver after the store's own settings, so it can add
// pragmas. The database must be a file: ":memory:" is refused, because the
// store uses several connections. The file and its -wal and -shm companions
// are created when missing.
//
// # Connections and durability
//
// The store keeps three pools on the same file: one write connection
// (journal_mode=WAL, busy_timeout, foreign_keys, BEGIN IMMEDIATE for every
// transaction), shared by the intake committer, the other writes and the
// River client; a few read-only connections for lookups and listings,
// which WAL lets run beside the writer; and one connection on which a
// background goroutine checkpoints the log (Options.CheckpointInterval),
// so that no commit stalls copying it into the database.
//
// Intake batches concurrent requests into one transaction (group commit,
// see Store.Intake) and returns after COMMIT. Synchronous defaults to
// FULL: in WAL mode that fsyncs the log at every commit, so an intake that
// returned survives a power loss, not only a process kill. One fsync
// serves a whole batch, so FULL costs no throughput (the committer is
// bound by CPU, not by fsync: both settings measure about the same
// events/s); what it costs is latency when the disk's fsync is slow.
// NORMAL (survives a process kill; the last commits may be lost on power
// loss or an OS crash) is available through Options.Synchronous for disks
// with slow fsync. BenchmarkIntake and BenchmarkIntakeRate measure both.
//
// Several processes may open the same file (for example `callbackline
// migrate` beside a running server): SQLite serialises their writers, and
// de-duplication and rate limits hold across them because each intake
// transaction takes the write lock before it reads.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Options tune a Store. The zero value is usable: an insert-only queue
// client and the defaults below.
type Options struct {
	// Options are the queue's, the tokens' encryption, the logs and the
	// intake's batches.
	sqlstore.Options

	// Synchronous is SQLite's synchronous pragma: "FULL" (default, an
	// intake survives a power loss) or "NORMAL" (survives a process kill;
	// the last commits may be lost on power loss).
	Synchronous string
	// BusyTimeout is how long a writer waits for another process's write
	// lock before failing (default 10s).
	BusyTimeout time.Duration
	// ReadConns is the size of the read-only pool (default 4).
	ReadConns int
	// CheckpointInterval is how often a background goroutine, on its own
	// connection, copies the write-ahead log into the database (a PASSIVE
	// checkpoint), so that commits never do it: they would stall for the
	// copy and its fsyncs (default 500ms). Negative leaves checkpoints to
	// SQLite, at commits once the log passes 1000 pages.
	CheckpointInterval time.Duration
}

// setDefaults fills in the defaults.
func (o *Options) setDefaults() error {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 512
	}
	o.Committers = 1
	if err := o.SetDefaults(); err != nil {
		return err
	}
	switch strings.ToUpper(o.Synchronous) {
	case "":
		o.Synchronous = "FULL"
	case "FULL", "NORMAL", "EXTRA":
		o.Synchronous = strings.ToUpper(o.Synchronous)
	default:
		return callbackline.Errorf(callbackline.EINVALID, "synchronous must be FULL or NORMAL, not %q", o.Synchronous)
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 10 * time.Second
	}
	if o.ReadConns <= 0 {
		o.ReadConns = 4
	}
	if o.CheckpointInterval == 0 {
		o.CheckpointInterval = 500 * time.Millisecond
	}
	return nil
}

// Store is the SQLite implementation of callbackline.Store: the shared
// core on SQLite's pools.
type Store struct {
	*sqlstore.Store
	path   string
	wdb    *sql.DB // one connection: every write, River
	rdb    *sql.DB // read-only connections
	cdb    *sql.DB // the checkpointer's connection, nil without one
	client *river.Client[*sql.Tx]
	stmts  *intakeStmts

	stopCkpt context.CancelFunc
	ckpt     sync.WaitGroup // the checkpointer
	close    func() error   // once
}

var _ callbackline.Store = (*Store)(nil)

// ClientID is id as the queue client uses it (sqlstore.ClientID).
func ClientID(id string) string { return sqlstore.ClientID(id) }

// ParseDSN turns a data source name (see the package documentation) into
// the file path and the extra driver parameters it carries.
func ParseDSN(dsn string) (path string, params url.Values, err error) {
	s := strings.TrimSpace(dsn)
	for _, p := range []string{"sqlite://", "sqlite3:", "sqlite:", "file:"} {
		if t, ok := strings.CutPrefix(s, p); ok {
			s = t
			break
		}
	}
	params = url.Values{}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		if params, err = url.ParseQuery(s[i+1:]); err != nil {
			return "", nil, callbackline.WrapError(err, callbackline.EINVALID, "sqlite: bad parameters in %q", dsn)
		}
		s = s[:i]
	}
	if s == "" {
		return "", nil, callbackline.Errorf(callbackline.EINVALID, "sqlite: no file in %q", dsn)
	}
	if s == ":memory:" || params.Get("mode") == "memory" {
		return "", nil, callbackline.Errorf(callbackline.EINVALID, "sqlite: an in-memory database is not supported; give a file")
	}
	return s, params, nil
}

// poolKind is one of the store's pools.
type poolKind int

const (
	writePool poolKind = iota
	readPool
	checkpointPool
)

// driverDSN builds the modernc.org/sqlite DSN for one of the pools.
func driverDSN(path string, extra url.Values, o Options, kind poolKind) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+o.Synchronous+")")
	q.Add("_pragma", "foreign_keys(ON)")
	switch kind {
	case writePool:
		q.Set("_txlock", "immediate")
		if o.CheckpointInterval > 0 {
			q.Add("_pragma", "wal_autocheckpoint(0)")
		}
	case readPool:
		q.Add("_pragma", "query_only(ON)")
	}
	for k, vs := range extra {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating it if needed) the SQLite database at dsn, applies
// the schema and River's migrations, seals stale tokens again (Reseal) and
// starts the intake committer.
// The queue is not started: see StartQueue.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	path, extra, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{path: path}
	if err := s.open(ctx, extra, opts); err != nil {
		s.closePools()
		return nil, err
	}
	s.Store = sqlstore.New(sqlstore.Config{Options: opts.Options, Read: sqlstore.NewDB(s.rdb, dialect),
		Write: sqlstore.NewDB(s.wdb, dialect), Queue: s.client, IntakeTx: s.intakeTx})
	if _, err := s.Reseal(ctx); err != nil { // tokens bound to their portal
		s.Store.Close()
		s.closePools()
		return nil, err
	}
	ctx, s.stopCkpt = context.WithCancel(context.Background())
	if s.cdb != nil {
		s.ckpt.Go(func() { s.checkpointLoop(ctx, opts) })
	}
	s.close = sync.OnceValue(func() error {
		s.Store.Close()
		s.stopCkpt()
		s.ckpt.Wait()
		return s.closePools()
	})
	return s, nil
}

// open opens the pools, migrates, and makes the queue client.
func (s *Store) open(ctx context.Context, extra url.Values, opts Options) error {
	var err error
	if s.wdb, err = openPool(s.path, extra, opts, writePool, 1); err != nil {
		return err
	}
	if err := sqlstore.Migrate(ctx, "sqlite", goose.DialectSQLite3, s.wdb, migrationsFS, riversqlite.New(s.wdb),
		&rivermigrate.Config{Logger: opts.Logger}); err != nil {
		return err
	}
	// The read pool opens after the migrations so that its first connection
	// finds the file in WAL mode.
	if s.rdb, err = openPool(s.path, extra, opts, readPool, opts.ReadConns); err != nil {
		return err
	}
	if err := s.rdb.PingContext(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: open %s", s.path)
	}
	if s.client, err = river.NewClient(riversqlite.New(s.wdb), opts.RiverConfig()); err != nil {
		return callbackline.WrapError(err, callbackline.EINVALID, "sqlite: queue client")
	}
	if s.stmts, err = prepareIntake(ctx, s.wdb); err != nil {
		return err
	}
	if opts.CheckpointInterval > 0 {
		s.cdb, err = openPool(s.path, extra, opts, checkpointPool, 1)
	}
	return err
}

// openPool opens one of the pools with n connections that never expire.
// One write connection, as riversqlite asks: writers queue in the pool
// instead of spinning on SQLITE_BUSY.
func openPool(path string, extra url.Values, o Options, kind poolKind, n int) (*sql.DB, error) {
	p, err := sql.Open("sqlite", driverDSN(path, extra, o, kind))
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: open %s", path)
	}
	p.SetMaxOpenConns(n)
	p.SetMaxIdleConns(n)
	p.SetConnMaxLifetime(0)
	p.SetConnMaxIdleTime(0)
	return p, nil
}

// checkpointLoop copies the write-ahead log into the database every
// CheckpointInterval until Close.
func (s *Store) checkpointLoop(ctx context.Context, o Options) {
	t := time.NewTicker(o.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var busy, logFrames, done int
		err := s.cdb.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &done)
		if err != nil && ctx.Err() == nil {
			o.Logger.Warn("sqlite: checkpoint failed", slog.String("err", err.Error()))
		}
	}
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Client is the River client, for callers that insert or manage jobs
// themselves (e.g. JobCompleteTx in a worker).
func (s *Store) Client() *river.Client[*sql.Tx] { return s.client }

// DB is the write pool (one connection). Holding a transaction from it
// blocks every other write, Intake included.
func (s *Store) DB() *sql.DB { return s.wdb }

// Ping checks that both pools answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.PingContext(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: read pool")
	}
	var one int
	if err := s.wdb.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: write pool")
	}
	return nil
}

// Close stops the queue and the intake committer (see sqlstore.Store.Close)
// and the checkpointer, and closes the database.
func (s *Store) Close() error { return s.close() }

// closePools closes what Open opened. The write connection closes last:
// closing the last connection checkpoints the whole log and removes it.
func (s *Store) closePools() error {
	s.stmts.close()
	var errs []error
	for _, p := range []*sql.DB{s.cdb, s.rdb, s.wdb} {
		if p != nil {
			errs = append(errs, p.Close())
		}
	}
	return errors.Join(errs...)
}
