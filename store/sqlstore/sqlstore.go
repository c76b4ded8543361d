// Package sqlstore is the core that the SQL stores (store/sqlite,
// store/postgres) share: the intake committer (group commit), the
// de-duplication and limit rule, the queue's start and stop, the portal,
// callback, work and settings queries and their row scanners.
//
// A backend gives the core a thin seam, as River's drivers do: a
// database/sql pool for reads and one for writes, its River client as a
// Queue, its Dialect (placeholders, how times are stored, how its driver
// reports constraint errors, the few statements whose SQL differs), and
// its tuned intake transaction. Core SQL is written with "?"
// placeholders and passes times as time.Time (the zero time is NULL).
package sqlstore

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/secret"
)

// Queue is the part of a River client the core uses, as River documents
// it (river.Client[*sql.Tx] and river.Client[pgx.Tx] both are one).
type Queue interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Errors the core's DB reports for the driver's (Dialect.Errors), wrapping them.
var (
	// ErrForeignKey is a foreign key violation.
	ErrForeignKey = errors.New("foreign key violation")
	// ErrUnique is a unique or primary key violation.
	ErrUnique = errors.New("unique violation")
)

// Dialect is what differs between the backends' SQL and drivers.
type Dialect struct {
	// Name prefixes error messages ("sqlite").
	Name string
	// Numbered: placeholders are $1, $2, … (the core writes "?").
	Numbered bool
	// Micros: times are stored as microseconds since the epoch, else as
	// timestamps.
	Micros bool
	// Errors marks the driver's constraint errors (ErrForeignKey,
	// ErrUnique, wrapping the driver's error) and returns others as they
	// are.
	Errors func(error) error
	// DeleteJobs deletes the portal's callback jobs that are not
	// running; its one parameter is the member id.
	DeleteJobs string
	// RecoverJobs makes the running jobs whose last attempt was by a
	// client available now; its one parameter is the client id.
	RecoverJobs string
	// DueJobs makes a callback's waiting jobs (not running) due now; its
	// one parameter is the callback id.
	DueJobs string
	// RunningJobs counts a callback's running jobs; its one parameter is
	// the callback id.
	RunningJobs string
	// CancelJobs cancels a callback's waiting jobs (not running); its one
	// parameter is the callback id.
	CancelJobs string
	// Prepare keeps the queries run on a pool outside transactions
	// prepared, once per connection (SQLite: parsing and planning a
	// query costs more than running it; pgx keeps its own cache).
	Prepare bool
	// Now is the SQL expression of the database's clock, as times are
	// stored; Ago, with one parameter (microseconds), is that long
	// before Now. Instances' heartbeats are compared by this one clock.
	Now, Ago string
	// LockPortal, when set, runs first in a transaction that deletes a
	// portal, to keep the portal's intakes out.
	LockPortal func(ctx context.Context, tx DB, memberID string) error
	// LockDial, when set, runs first in a transaction that places a call
	// (PlaceAttempt), to keep other placements of the same number or
	// portal out until it commits, on every instance.
	LockDial func(ctx context.Context, tx DB, phone, memberID string) error
}

// Options are the settings the backends share. The zero value is usable.
type Options struct {
	// Workers are the River workers the queue runs after StartQueue. Nil
	// makes an insert-only client: Intake still queues jobs, nothing works
	// them in this process.
	Workers *river.Workers
	// NoCalls works only the maintenance queue (QueueMaintenance: the
	// uninstall checks, the recordings' attachments); the callback jobs
	// wait in theirs, untouched, for a process that can dial. For a
	// service without a SIP dialer.
	NoCalls bool
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
	// Secrets encrypts the portals' tokens at rest, each bound to its
	// portal's member_id (see Reseal); nil keeps them in the clear
	// (encryption_key not configured).
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
	// MaxBatch caps how many intakes share one transaction (default 256;
	// the SQLite store's is 512).
	// 1 turns group commit off: every intake is its own transaction.
	MaxBatch int
	// Committers is how many intake transactions run at once (default 1;
	// the PostgreSQL store's is 4, the SQLite store has one). A portal's
	// intakes always go to the same committer.
	Committers int
}

// SetDefaults fills in the defaults and checks the options.
func (o *Options) SetDefaults() error {
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
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.Committers <= 0 {
		o.Committers = 1
	}
	return nil
}

// RiverConfig is the queue client's configuration for the options.
func (o *Options) RiverConfig() *river.Config {
	cfg := &river.Config{
		ID:                   ClientID(o.ID),
		FetchPollInterval:    o.FetchPollInterval,
		FetchCooldown:        min(o.FetchPollInterval, 100*time.Millisecond),
		JobTimeout:           o.JobTimeout,
		RescueStuckJobsAfter: o.RescueStuckJobsAfter,
		Logger:               o.Logger,
	}
	if o.Workers != nil {
		cfg.Workers = o.Workers
		cfg.Queues = map[string]river.QueueConfig{QueueMaintenance: {MaxWorkers: o.MaxWorkers}}
		if !o.NoCalls {
			cfg.Queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: o.MaxWorkers}
		}
	}
	return cfg
}

// QueueMaintenance is the queue of the jobs that place no call
// (UninstallJob, AttachJob): it runs even in a service that cannot dial
// (Options.NoCalls). The callback jobs are in River's default queue. Jobs
// queued in the default queue by an older version are worked there.
const QueueMaintenance = "maintenance"

// Hooks let tests reach into the committer. Set them before the intakes
// they concern.
type Hooks struct {
	// FailIntake makes the matching requests fail as an SQL error would:
	// the whole batch fails (Call.Fail).
	FailIntake func(*callbackline.Callback) bool
	// BatchStart is told the size of every batch before its transaction
	// begins.
	BatchStart func(n int)
}

// Config is what a backend gives New.
type Config struct {
	Options Options
	// Read serves lookups and listings; Write every write. Both are made
	// by NewDB with a pointer to Dialect.
	Read, Write DB
	Queue       Queue
	// IntakeTx runs a batch of intakes in one transaction; see Call.
	IntakeTx func(calls []*Call) ([]Outcome, error)
}

// Store is the shared part of a SQL store. A backend embeds it and adds
// Ping and Close.
type Store struct {
	// TestHooks are for tests only.
	TestHooks Hooks

	opts     Options
	d        *Dialect
	r, w     DB
	queue    Queue
	intakeTx func([]*Call) ([]Outcome, error)

	intake   []chan *Call // one per committer
	submitMu sync.RWMutex // held to send on intake; Close takes it to set closed
	closed   bool
	closing  chan struct{} // closed by Close: no new intakes
	wg       sync.WaitGroup
	once     sync.Once

	queueMu      sync.Mutex
	queueRunning bool
}

// New starts the intake committers of a store on the backend's seam.
// cfg.Options must have their defaults set.
func New(cfg Config) *Store {
	s := &Store{opts: cfg.Options, d: cfg.Write.d, r: cfg.Read, w: cfg.Write, queue: cfg.Queue,
		intakeTx: cfg.IntakeTx, closing: make(chan struct{})}
	for range s.opts.Committers {
		in := make(chan *Call, s.opts.MaxBatch)
		s.intake = append(s.intake, in)
		s.wg.Go(func() { s.commitLoop(in) })
	}
	return s
}

// Queued is how many intake requests wait in the committers' channels.
func (s *Store) Queued() int {
	n := 0
	for _, in := range s.intake {
		n += len(in)
	}
	return n
}

// StartQueue starts working jobs with Options.Workers. The queue runs
// until StopQueue, or stops hard (running jobs' contexts cancelled) when
// ctx is cancelled.
func (s *Store) StartQueue(ctx context.Context) error {
	if s.opts.Workers == nil {
		return callbackline.Errorf(callbackline.EINVALID, "%s: the store was opened without workers", s.d.Name)
	}
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	if err := s.queue.Start(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: start queue", s.d.Name)
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
	if err := s.queue.Stop(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: stop queue", s.d.Name)
	}
	s.queueRunning = false
	return nil
}

// Close stops the queue if it still runs (its running jobs are given
// 10 s to finish before their contexts are cancelled) and
// the intake committers: requests already taken are committed first;
// later ones fail with EUNAVAILABLE. The backend closes its pools after.
func (s *Store) Close() {
	s.once.Do(func() {
		s.queueMu.Lock()
		if s.queueRunning {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := s.queue.Stop(ctx); err != nil {
				s.queue.StopAndCancel(context.Background())
			}
			cancel()
			s.queueRunning = false
		}
		s.queueMu.Unlock()
		s.submitMu.Lock()
		s.closed = true
		close(s.closing)
		s.submitMu.Unlock()
		s.wg.Wait()
	})
}

// CountJobs counts the queue's jobs of the kind, in any state.
func (s *Store) CountJobs(ctx context.Context, kind string) (int, error) {
	var n int
	if err := s.r.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = ?`, kind).Scan(&n); err != nil {
		return 0, callbackline.WrapError(err, callbackline.EINTERNAL, "%s: count jobs", s.d.Name)
	}
	return n, nil
}

// attachTries is how often the queue tries an AttachJob: with River's
// backoff (attempt^4 seconds) the last try comes about 7 hours after the
// first.
const attachTries = 10

// QueueAttach queues an AttachJob to run after delay, unless one for the
// same attempt is already waiting or running.
func (s *Store) QueueAttach(ctx context.Context, j callbackline.AttachJob, delay time.Duration) error {
	_, err := s.queue.Insert(ctx, j, &river.InsertOpts{
		Queue:       QueueMaintenance,
		MaxAttempts: attachTries,
		ScheduledAt: time.Now().Add(delay),
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
			rivertype.JobStateRunning, rivertype.JobStateScheduled}},
	})
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: queue the recording's attachment", s.d.Name)
	}
	return nil
}

// uninstallTries is how often the queue runs an UninstallJob when the
// portal's answer is unknown (callback.UninstallWorker spaces the tries).
const uninstallTries = 12

// waiting are the states of a job that has not finished; River's
// uniqueness needs pending, running and scheduled among them.
var waiting = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}

// QueueUninstall queues an UninstallJob to run after delay, unless the
// same job is already waiting; when the same job is running (its answer
// may predate the event), one more with Recheck set is queued.
func (s *Store) QueueUninstall(ctx context.Context, j callbackline.UninstallJob, delay time.Duration) error {
	for {
		res, err := s.queue.Insert(ctx, j, &river.InsertOpts{
			Queue:       QueueMaintenance,
			MaxAttempts: uninstallTries,
			ScheduledAt: time.Now().Add(delay),
			UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: waiting},
		})
		if err != nil {
			return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: queue the uninstall check", s.d.Name)
		}
		if j.Recheck || !res.UniqueSkippedAsDuplicate || res.Job == nil || res.Job.State != rivertype.JobStateRunning {
			return nil
		}
		j.Recheck = true
	}
}

// maxClientID is River's limit on a client id's length.
const maxClientID = 100

// ClientID is id as the queue client uses it (see Options.ID): ASCII
// letters, digits, '_', '-', '.' and ':' are kept, every other byte
// becomes '_', and the result is cut to 100 bytes.
func ClientID(id string) string {
	b := []byte(id)
	if len(b) > maxClientID {
		b = b[:maxClientID]
	}
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == '-', c == '.', c == ':':
		default:
			b[i] = '_'
		}
	}
	return string(b)
}

// RecoverJobs makes the jobs that the queue client clientID was running
// when its process died available again, to run at once, and returns how
// many: the jobs in state running whose last attempted_by entry is
// ClientID(clientID). clientID is the Options.ID of the dead process.
// Call it at start, before StartQueue, with this process's own stable id:
// a job of a client that still runs would be run twice. The jobs keep
// their attempt count and get "callbackline:recovered_from" in their
// metadata.
func (s *Store) RecoverJobs(ctx context.Context, clientID string) (int, error) {
	id := ClientID(clientID)
	if id == "" {
		return 0, callbackline.Errorf(callbackline.EINVALID, "recover jobs: no client id; set the store's Options.ID")
	}
	n, err := s.w.Exec(ctx, s.d.RecoverJobs, id)
	if err != nil {
		return 0, callbackline.WrapError(err, callbackline.EINTERNAL, "%s: recover the jobs of client %q", s.d.Name, id)
	}
	return int(n), nil
}

// wrap gives err the code and a message prefixed with the backend's
// name, unless it is nil or has a code already.
func (s *Store) wrap(err error, code, format string, args ...any) error {
	var e *callbackline.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return callbackline.WrapError(err, code, s.d.Name+": "+format, args...)
}
