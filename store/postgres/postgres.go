// Package postgres is the scaled-out store of callbackline: portals,
// callbacks and the River job queue in PostgreSQL (pgx v5), shared by any
// number of callbackline instances.
//
// # Many instances, one database
//
// Every intake transaction takes a transaction-level advisory lock per
// portal (pg_advisory_xact_lock) before it reads, so de-duplication and the
// number and portal rate limits hold across instances: two instances that
// receive the same event at once serialise on the portal's lock, and the
// second sees the first one's committed row. A batch locks its portals in
// ascending key order, so batches of different instances cannot deadlock.
// DeletePortal takes the same lock. Migrations run under a session-level
// advisory lock, so instances that start together migrate one at a time.
//
// # Schema
//
// Options.Schema puts every table (the store's, goose's version table and
// River's) into that schema, created when missing, by setting the
// connections' search_path and River's Schema. Without it the DSN's
// search_path applies (normally "public").
package postgres

import (
	"context"
	"embed"
	"errors"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/secret"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Options tune a Store. The zero value is usable.
type Options struct {
	// Workers are the River workers the queue runs after StartQueue. Nil
	// makes an insert-only client.
	Workers *river.Workers
	// MaxWorkers is how many jobs run at once in this instance (default 10).
	MaxWorkers int
	// FetchPollInterval is how often the queue polls for jobs besides
	// LISTEN/NOTIFY (default 1s).
	FetchPollInterval time.Duration
	// JobTimeout is the longest a job may run (default 10 minutes).
	JobTimeout time.Duration
	// RescueStuckJobsAfter is when a job still marked running (its instance
	// died) is run again; it must be greater than JobTimeout (default
	// JobTimeout + 5 minutes).
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

	// Schema is the PostgreSQL schema for every table (created when
	// missing); lower-case letters, digits and underscores. Empty: the
	// DSN's search_path.
	Schema string
	// MaxConns is the pool size (default: the DSN's pool_max_conns, or
	// else Committers + 8, at least pgxpool's max(4, CPUs): the intake
	// committers, River's LISTEN connection, fetches and completions, and
	// reads).
	MaxConns int32
	// MaxBatch caps how many intakes share one transaction (default 256).
	// 1 turns group commit off: every intake is its own transaction.
	MaxBatch int
	// Committers is how many intake transactions run at once (default 4).
	Committers int
}

var schemaRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,39}$`)

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
	if o.Schema != "" && !schemaRE.MatchString(o.Schema) {
		return callbackline.Errorf(callbackline.EINVALID,
			"postgres: schema %q: use up to 40 lower-case letters, digits and underscores", o.Schema)
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.Committers <= 0 {
		o.Committers = 4
	}
	return nil
}

// Store is the PostgreSQL implementation of callbackline.Store.
type Store struct {
	opts   Options
	pool   *pgxpool.Pool
	client *river.Client[pgx.Tx]

	intake    []chan *intakeCall // one per committer; a portal always uses the same one
	submitMu  sync.RWMutex       // held to send on intake; Close takes it to set closed
	closed    bool
	closing   chan struct{}
	wg        sync.WaitGroup // committers
	closeOnce sync.Once

	queueMu      sync.Mutex
	queueRunning bool
}

var _ callbackline.Store = (*Store)(nil)

func poolConfig(dsn string, opts Options) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINVALID, "postgres: bad DSN")
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	switch {
	case opts.MaxConns > 0:
		cfg.MaxConns = opts.MaxConns
	case !strings.Contains(dsn, "pool_max_conns"):
		cfg.MaxConns = max(cfg.MaxConns, int32(opts.Committers)+8)
	}
	return cfg, nil
}

// Open connects to PostgreSQL at dsn (postgres://… or key=value), creates
// Options.Schema when missing, applies the schema and River's migrations,
// and starts the intake committers. The queue is not started: see
// StartQueue.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	cfg, err := poolConfig(dsn, opts)
	if err != nil {
		return nil, err
	}
	pool, err := connect(ctx, cfg, opts.Schema)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, pool, opts.Schema, opts.Logger); err != nil {
		pool.Close()
		return nil, err
	}
	rcfg := &river.Config{
		ID:                   ClientID(opts.ID),
		FetchPollInterval:    opts.FetchPollInterval,
		FetchCooldown:        min(opts.FetchPollInterval, 100*time.Millisecond),
		JobTimeout:           opts.JobTimeout,
		RescueStuckJobsAfter: opts.RescueStuckJobsAfter,
		Logger:               opts.Logger,
		Schema:               opts.Schema,
	}
	if opts.Workers != nil {
		rcfg.Workers = opts.Workers
		rcfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.MaxWorkers}}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rcfg)
	if err != nil {
		pool.Close()
		return nil, callbackline.WrapError(err, callbackline.EINVALID, "postgres: queue client")
	}
	s := &Store{
		opts:    opts,
		pool:    pool,
		client:  client,
		closing: make(chan struct{}),
	}
	for range opts.Committers {
		in := make(chan *intakeCall, opts.MaxBatch)
		s.intake = append(s.intake, in)
		s.wg.Add(1)
		go s.commitLoop(in)
	}
	return s, nil
}

// connect creates the schema when needed and opens the pool.
func connect(ctx context.Context, cfg *pgxpool.Config, schema string) (*pgxpool.Pool, error) {
	if schema != "" {
		cc := cfg.ConnConfig.Copy()
		delete(cc.RuntimeParams, "search_path")
		conn, err := pgx.ConnectConfig(ctx, cc)
		if err != nil {
			return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: connect")
		}
		// Under a lock: concurrent CREATE SCHEMA IF NOT EXISTS can fail.
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("callbackline:schema", schema)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize())
			return err
		})
		conn.Close(ctx)
		if err != nil {
			return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: create schema %s", schema)
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: connect")
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: connect")
	}
	return pool, nil
}

// Migrate applies the schema and River's migrations at dsn (the
// `callbackline migrate` command). Open does the same, so running it first
// is optional.
//
// Of opts, Logger and Schema apply.
func Migrate(ctx context.Context, dsn string, opts Options) error {
	if err := opts.setDefaults(); err != nil {
		return err
	}
	cfg, err := poolConfig(dsn, opts)
	if err != nil {
		return err
	}
	cfg.MaxConns = 2
	pool, err := connect(ctx, cfg, opts.Schema)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrate(ctx, pool, opts.Schema, opts.Logger)
}

// lockKey maps a name to an advisory lock key.
func lockKey(parts ...string) int64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int64(h.Sum64())
}

func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, logger *slog.Logger) (err error) {
	// One instance migrates at a time: a session lock on a connection held
	// for the whole run.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: migrate")
	}
	defer conn.Release()
	key := lockKey("callbackline:migrate", schema)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: migration lock")
	}
	defer func() {
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); uerr != nil {
			conn.Conn().Close(context.Background()) // closing the session releases the lock
		}
	}()

	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: migrations")
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub,
		goose.WithDisableGlobalRegistry(true), goose.WithSlog(logger))
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: migrations")
	}
	if _, err := p.Up(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: apply migrations")
	}
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger, Schema: schema})
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: queue migrations")
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: apply queue migrations")
	}
	return nil
}

// Pool is the connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Client is the River client.
func (s *Store) Client() *river.Client[pgx.Tx] { return s.client }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: ping")
	}
	return nil
}

// StartQueue starts working jobs with Options.Workers. The queue runs
// until StopQueue, or stops hard (running jobs' contexts cancelled) when
// ctx is cancelled.
func (s *Store) StartQueue(ctx context.Context) error {
	if s.opts.Workers == nil {
		return callbackline.Errorf(callbackline.EINVALID, "postgres: the store was opened without workers")
	}
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	if err := s.client.Start(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: start queue")
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
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: stop queue")
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
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1`, kind).Scan(&n); err != nil {
		return 0, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: count jobs")
	}
	return n, nil
}

// Close stops the intake committers (requests already taken are committed
// first; later ones fail with EUNAVAILABLE) and closes the pool. Stop the
// queue first; a queue still running is stopped here, its running jobs
// given closeQueueTimeout to finish before their contexts are cancelled.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stopQueueForClose()
		s.submitMu.Lock()
		s.closed = true
		close(s.closing)
		s.submitMu.Unlock()
		s.wg.Wait()
		s.pool.Close()
	})
	return nil
}

// DropSchema drops a schema with everything in it: for tests that isolate
// in a schema of their own.
func DropSchema(ctx context.Context, dsn, schema string) error {
	if !schemaRE.MatchString(schema) {
		return callbackline.Errorf(callbackline.EINVALID, "postgres: schema %q", schema)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: connect")
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: drop schema %s", schema)
	}
	return nil
}

var errNoRows = pgx.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }
