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
// DeletePortal takes the same lock. Placing a call (PlaceAttempt) takes
// one lock for the number and one for the portal, so the dial limits
// hold across instances too. Migrations run under a session-level
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
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Options tune a Store. The zero value is usable.
type Options struct {
	// Options are the queue's, the tokens' encryption, the logs and the
	// intake's batches.
	sqlstore.Options

	// Schema is the PostgreSQL schema for every table (created when
	// missing); lower-case letters, digits and underscores. Empty: the
	// DSN's search_path.
	Schema string
	// MaxConns is the pool size (default: the DSN's pool_max_conns, or
	// else Committers + 8, at least pgxpool's max(4, CPUs): the intake
	// committers, River's LISTEN connection, fetches and completions, and
	// reads).
	MaxConns int32
}

var schemaRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,39}$`)

// setDefaults fills in the defaults.
func (o *Options) setDefaults() error {
	if o.Committers <= 0 {
		o.Committers = 4
	}
	if err := o.SetDefaults(); err != nil {
		return err
	}
	if o.Schema != "" && !schemaRE.MatchString(o.Schema) {
		return callbackline.Errorf(callbackline.EINVALID,
			"postgres: schema %q: use up to 40 lower-case letters, digits and underscores", o.Schema)
	}
	return nil
}

// Store is the PostgreSQL implementation of callbackline.Store: the
// shared core on a pgx pool.
type Store struct {
	*sqlstore.Store
	schema string
	pool   *pgxpool.Pool
	sdb    *sql.DB // the pool through database/sql, for the core
	client *river.Client[pgx.Tx]
	d      *sqlstore.Dialect
}

var _ callbackline.Store = (*Store)(nil)

// ClientID is id as the queue client uses it (sqlstore.ClientID).
func ClientID(id string) string { return sqlstore.ClientID(id) }

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
// seals stale tokens again (Reseal) and starts the intake committers. The queue is not started: see
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
	rcfg := opts.RiverConfig()
	rcfg.Schema = opts.Schema
	client, err := river.NewClient(riverpgxv5.New(pool), rcfg)
	if err != nil {
		pool.Close()
		return nil, callbackline.WrapError(err, callbackline.EINVALID, "postgres: queue client")
	}
	s := &Store{schema: opts.Schema, pool: pool, client: client, sdb: stdlib.OpenDBFromPool(pool)}
	s.d = &sqlstore.Dialect{Name: "postgres", Numbered: true, Errors: driverError, LockPortal: s.lockPortal, LockDial: s.lockDial,
		Now: "now()", Ago: "(now() - ?::bigint * interval '1 microsecond')",
		DeleteJobs: `DELETE FROM river_job WHERE kind = 'callback' AND state <> 'running'
			AND (args ->> 'callback_id')::bigint IN (SELECT id FROM callbacks WHERE member_id = $1)`,
		DueJobs: `UPDATE river_job SET state = 'available', scheduled_at = now()
			WHERE kind = 'callback' AND state IN ('available', 'scheduled', 'retryable') AND (args ->> 'callback_id')::bigint = $1`,
		RunningJobs: `SELECT count(*) FROM river_job WHERE kind = 'callback' AND state = 'running' AND (args ->> 'callback_id')::bigint = $1`,
		CancelJobs: `UPDATE river_job SET state = 'cancelled', finalized_at = now()
			WHERE kind = 'callback' AND state IN ('available', 'scheduled', 'retryable', 'pending') AND (args ->> 'callback_id')::bigint = $1`,
		RecoverJobs: `UPDATE river_job SET state = 'available', scheduled_at = now(),
			metadata = metadata || jsonb_build_object('callbackline:recovered_from', $1::text)
			WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $1::text`}
	db := sqlstore.NewDB(s.sdb, s.d)
	s.Store = sqlstore.New(sqlstore.Config{Options: opts.Options, Read: db, Write: db, Queue: client, IntakeTx: s.intakeTx})
	if _, err := s.Reseal(ctx); err != nil { // tokens bound to their portal
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// lockDial takes the locks of a call's placement in tx, in ascending
// key order so that placements cannot deadlock: one for the number, one
// for the portal.
func (s *Store) lockDial(ctx context.Context, tx sqlstore.DB, phone, memberID string) error {
	keys := []int64{lockKey("callbackline:dial-number", s.schema, phone), lockKey("callbackline:dial-portal", s.schema, memberID)}
	slices.Sort(keys)
	for _, k := range keys {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, k); err != nil {
			return err
		}
	}
	return nil
}

// lockPortal takes the portal's intake lock in tx: no intake of this
// portal runs meanwhile.
func (s *Store) lockPortal(ctx context.Context, tx sqlstore.DB, memberID string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, s.portalLockKey(memberID))
	return err
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

	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return sqlstore.Migrate(ctx, "postgres", goose.DialectPostgres, db, migrationsFS, riverpgxv5.New(pool),
		&rivermigrate.Config{Logger: logger, Schema: schema})
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

// Close stops the queue and the intake committers (see
// sqlstore.Store.Close) and closes the pool.
func (s *Store) Close() error {
	s.Store.Close()
	err := s.sdb.Close()
	s.pool.Close()
	return err
}

// PostgreSQL error codes the core maps.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
)

// driverError marks PostgreSQL's constraint errors for the core.
func driverError(err error) error {
	var e *pgconn.PgError
	switch {
	case !errors.As(err, &e):
		return err
	case e.Code == pgForeignKeyViolation:
		return fmt.Errorf("%w: %w", sqlstore.ErrForeignKey, err)
	case e.Code == pgUniqueViolation:
		return fmt.Errorf("%w: %w", sqlstore.ErrUnique, err)
	}
	return err
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
