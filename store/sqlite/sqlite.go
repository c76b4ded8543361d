// Package sqlite is the embedded store of callbackline: portals, callbacks
// and the River job queue in one SQLite file (modernc.org/sqlite, pure Go).
//
// # Data source names
//
// Open and Migrate take the database as
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
	"io/fs"
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
	"github.com/callbackline/callbackline/secret"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Options tune a Store. The zero value is usable: an insert-only queue
// client and the defaults below.
type Options struct {
	// Workers are the River workers the queue runs after StartQueue. Nil
	// makes an insert-only client: Intake still queues jobs, nothing works
	// them in this process.
	Workers *river.Workers
	// MaxWorkers is how many jobs run at once (default 10).
	MaxWorkers int
	// FetchPollInterval is how often the queue looks for new jobs when it
	// was not told about one (default 1s, River's minimum is 1ms).
	FetchPollInterval time.Duration
	// JobTimeout is the longest a job may run (default 10 minutes).
	JobTimeout time.Duration
	// RescueStuckJobsAfter is when a job still marked running (its process
	// died) is run again; it must be greater than JobTimeout (default
	// JobTimeout + 5 minutes). River checks every 30 s, so a rescue comes
	// up to 30 s later than this.
	RescueStuckJobsAfter time.Duration
	// Secrets encrypts the portals' tokens at rest; nil keeps them in the
	// clear (encryption_key not configured).
	Secrets *secret.Box
	// Logger receives the queue's and the migrations' logs (default: none).
	Logger *slog.Logger
	// ID is the queue client's id, recorded in every job it runs (River's
	// attempted_by). Give each process a stable one of its own (e.g. the
	// host name plus an instance number), so that after a crash
	// RecoverJobs(ID) finds the jobs it was running. It is stored as
	// ClientID(ID): characters other than ASCII letters, digits, '_', '-',
	// '.' and ':' become '_', and it is cut to 100 bytes (River's limit).
	// Empty: River makes a new one at every start, and RecoverJobs cannot
	// find the jobs of a previous run (River's rescuer still runs them
	// again after RescueStuckJobsAfter).
	ID string

	// Synchronous is SQLite's synchronous pragma: "FULL" (default, an
	// intake survives a power loss) or "NORMAL" (survives a process kill;
	// the last commits may be lost on power loss).
	Synchronous string
	// BusyTimeout is how long a writer waits for another process's write
	// lock before failing (default 10s).
	BusyTimeout time.Duration
	// ReadConns is the size of the read-only pool (default 4).
	ReadConns int
	// MaxBatch caps how many intakes share one transaction (default 512).
	MaxBatch int
	// CheckpointInterval is how often a background goroutine, on its own
	// connection, copies the write-ahead log into the database (a PASSIVE
	// checkpoint), so that commits never do it: they would stall for the
	// copy and its fsyncs (default 500ms). Negative leaves checkpoints to
	// SQLite, at commits once the log passes 1000 pages.
	CheckpointInterval time.Duration
}

func (o *Options) setDefaults() error {
	if o.MaxWorkers <= 0 {
		o.MaxWorkers = 10
	}
	if o.FetchPollInterval <= 0 {
		o.FetchPollInterval = time.Second
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = 10 * time.Minute
	}
	if o.RescueStuckJobsAfter <= 0 {
		o.RescueStuckJobsAfter = o.JobTimeout + 5*time.Minute
	}
	if o.RescueStuckJobsAfter <= o.JobTimeout {
		return callbackline.Errorf(callbackline.EINVALID,
			"RescueStuckJobsAfter (%s) must be greater than JobTimeout (%s)", o.RescueStuckJobsAfter, o.JobTimeout)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
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
	if o.MaxBatch <= 0 {
		o.MaxBatch = 512
	}
	if o.CheckpointInterval == 0 {
		o.CheckpointInterval = 500 * time.Millisecond
	}
	return nil
}

// Store is the SQLite implementation of callbackline.Store.
type Store struct {
	opts   Options
	path   string
	wdb    *sql.DB // one connection: every write, River
	rdb    *sql.DB // read-only connections
	cdb    *sql.DB // the checkpointer's connection, nil without one
	client *river.Client[*sql.Tx]

	intake    chan *intakeCall
	submitMu  sync.RWMutex // held to send on intake; Close takes it to set closed
	closed    bool
	closing   chan struct{} // closed by Close: no new intakes
	done      chan struct{} // closed when the committer has stopped
	ckptDone  chan struct{} // closed when the checkpointer has stopped
	closeOnce sync.Once
	closeErr  error
	stmts     *intakeStmts

	queueMu      sync.Mutex
	queueRunning bool
}

var _ callbackline.Store = (*Store)(nil)

// ParseDSN turns a data source name (see the package documentation) into
// the file path and the extra driver parameters it carries.
func ParseDSN(dsn string) (path string, params url.Values, err error) {
	s := strings.TrimSpace(dsn)
	switch {
	case strings.HasPrefix(s, "sqlite://"):
		s = strings.TrimPrefix(s, "sqlite://")
	case strings.HasPrefix(s, "sqlite3:"):
		s = strings.TrimPrefix(s, "sqlite3:")
	case strings.HasPrefix(s, "sqlite:"):
		s = strings.TrimPrefix(s, "sqlite:")
	case strings.HasPrefix(s, "file:"):
		s = strings.TrimPrefix(s, "file:")
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

// driverDSN builds the modernc.org/sqlite DSN for one of the pools.
type poolKind int

const (
	writePool poolKind = iota
	readPool
	checkpointPool
)

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
// the schema and River's migrations, and starts the intake committer.
// The queue is not started: see StartQueue.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	path, extra, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	wdb, err := sql.Open("sqlite", driverDSN(path, extra, opts, writePool))
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: open %s", path)
	}
	// One write connection, as riversqlite asks: writers queue in the pool
	// instead of spinning on SQLITE_BUSY.
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)

	s := &Store{opts: opts, path: path, wdb: wdb}
	fail := func(err error) (*Store, error) {
		if s.rdb != nil {
			s.rdb.Close()
		}
		wdb.Close()
		return nil, err
	}
	if err := migrate(ctx, wdb, opts.Logger); err != nil {
		return fail(err)
	}
	// The read pool opens after the migrations so that its first connection
	// finds the file in WAL mode.
	rdb, err := sql.Open("sqlite", driverDSN(path, extra, opts, readPool))
	if err != nil {
		return fail(callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: open %s", path))
	}
	rdb.SetMaxOpenConns(opts.ReadConns)
	rdb.SetMaxIdleConns(opts.ReadConns)
	rdb.SetConnMaxLifetime(0)
	rdb.SetConnMaxIdleTime(0)
	s.rdb = rdb
	if err := rdb.PingContext(ctx); err != nil {
		return fail(callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: open %s", path))
	}

	cfg := &river.Config{
		ID:                   ClientID(opts.ID),
		FetchPollInterval:    opts.FetchPollInterval,
		FetchCooldown:        min(opts.FetchPollInterval, 100*time.Millisecond),
		JobTimeout:           opts.JobTimeout,
		RescueStuckJobsAfter: opts.RescueStuckJobsAfter,
		Logger:               opts.Logger,
	}
	if opts.Workers != nil {
		cfg.Workers = opts.Workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.MaxWorkers}}
	}
	client, err := river.NewClient(riversqlite.New(wdb), cfg)
	if err != nil {
		return fail(callbackline.WrapError(err, callbackline.EINVALID, "sqlite: queue client"))
	}
	s.client = client

	if s.stmts, err = prepareIntake(ctx, wdb); err != nil {
		return fail(err)
	}
	s.intake = make(chan *intakeCall, opts.MaxBatch)
	s.closing = make(chan struct{})
	s.done = make(chan struct{})
	s.ckptDone = make(chan struct{})
	if opts.CheckpointInterval > 0 {
		cdb, err := sql.Open("sqlite", driverDSN(path, extra, opts, checkpointPool))
		if err != nil {
			return fail(callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: open %s", path))
		}
		cdb.SetMaxOpenConns(1)
		cdb.SetConnMaxIdleTime(0)
		cdb.SetConnMaxLifetime(0)
		s.cdb = cdb
		go s.checkpointLoop()
	} else {
		close(s.ckptDone)
	}
	go s.commitLoop()
	return s, nil
}

// Migrate applies the schema and River's migrations to the database at
// dsn and closes it again (the `callbackline migrate` command). Open does
// the same, so running it first is optional.
// Of opts, Logger, Synchronous and BusyTimeout apply.
func Migrate(ctx context.Context, dsn string, opts Options) error {
	o := opts
	if err := o.setDefaults(); err != nil {
		return err
	}
	path, extra, err := ParseDSN(dsn)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", driverDSN(path, extra, o, writePool))
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: open %s", path)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return migrate(ctx, db, o.Logger)
}

func migrate(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: migrations")
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub,
		goose.WithDisableGlobalRegistry(true), goose.WithSlog(logger))
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: migrations")
	}
	if _, err := p.Up(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: apply migrations")
	}
	m, err := rivermigrate.New(riversqlite.New(db), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: queue migrations")
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: apply queue migrations")
	}
	return nil
}

// checkpointLoop copies the write-ahead log into the database every
// CheckpointInterval until Close.
func (s *Store) checkpointLoop() {
	defer close(s.ckptDone)
	t := time.NewTicker(s.opts.CheckpointInterval)
	defer t.Stop()
	ctx := context.Background()
	for {
		select {
		case <-s.closing:
			return
		case <-t.C:
		}
		var busy, logFrames, done int
		err := s.cdb.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &done)
		if err != nil {
			s.opts.Logger.Warn("sqlite: checkpoint failed", slog.String("err", err.Error()))
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

// StartQueue starts working jobs with Options.Workers. The queue runs
// until StopQueue, or stops hard (running jobs' contexts cancelled) when
// ctx is cancelled.
func (s *Store) StartQueue(ctx context.Context) error {
	if s.opts.Workers == nil {
		return callbackline.Errorf(callbackline.EINVALID, "sqlite: the store was opened without workers")
	}
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	if err := s.client.Start(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: start queue")
	}
	s.queueRunning = true
	return nil
}

// StopQueue stops fetching jobs and waits for the running ones to finish,
// or for ctx to end.
func (s *Store) StopQueue(ctx context.Context) error {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	if !s.queueRunning {
		return nil
	}
	if err := s.client.Stop(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: stop queue")
	}
	s.queueRunning = false
	return nil
}

// closeQueueTimeout is how long Close waits for running jobs of a queue
// that was not stopped.
const closeQueueTimeout = 10 * time.Second

func (s *Store) stopQueueForClose() {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	if !s.queueRunning {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeQueueTimeout)
	defer cancel()
	if err := s.client.Stop(ctx); err != nil {
		s.client.StopAndCancel(context.Background())
	}
	s.queueRunning = false
}

// CountJobs counts the queue's jobs of the kind, in any state.
func (s *Store) CountJobs(ctx context.Context, kind string) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE kind = ?", kind).Scan(&n)
	if err != nil {
		return 0, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: count jobs")
	}
	return n, nil
}

// Close stops the intake committer (requests already taken are committed
// first; later ones fail with EUNAVAILABLE) and closes the database. Stop
// the queue first; a queue still running is stopped here, its running
// jobs given closeQueueTimeout to finish before their contexts are
// cancelled.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stopQueueForClose()
		s.submitMu.Lock()
		s.closed = true
		close(s.closing)
		s.submitMu.Unlock()
		<-s.done
		<-s.ckptDone
		s.stmts.close()
		var cerr error
		if s.cdb != nil {
			cerr = s.cdb.Close()
		}
		// The write connection closes last: closing the last connection
		// checkpoints the whole log and removes it.
		s.closeErr = errors.Join(cerr, s.rdb.Close(), s.wdb.Close())
	})
	return s.closeErr
}
