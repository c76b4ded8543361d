package callbackline

import (
	"context"
	"time"
)

// Instance is one running callbackline process as the others see it in
// the shared database: its row, renewed by a heartbeat. See
// docs/cluster.md.
type Instance struct {
	ID         string // the queue client id (River's), stable across restarts
	Generation int64  // raised at every start (Join): a new process under the same id
	// Fingerprint is a hash of the settings every instance must share
	// (never a secret itself); doctor compares them.
	Fingerprint string
	Version     string
	StartedAt   time.Time
	HeartbeatAt time.Time // the database's time of the last heartbeat
	DeadAt      time.Time // when another instance declared it dead; zero while alive
	TakenBy     string    // the instance that took its work over
}

// Alive reports whether the instance was not declared dead.
func (i *Instance) Alive() bool { return i.DeadAt.IsZero() }

// Lease is the right of one generation of an instance to work on the
// callbacks it claims. A lease stops being good when the instance is
// declared dead or started again; every write a worker makes under it is
// refused then (ErrFenced).
type Lease struct {
	Instance   string
	Generation int64
}

// Takeover is what one instance took over from a dead one.
type Takeover struct {
	Dead      Instance // the instance declared dead
	Callbacks int      // callbacks it held, released for the workers
	Jobs      int      // its running queue jobs, made available at once
}

// ErrFenced is the cause of every error a store or a worker returns when
// a lease is no longer good: the instance was declared dead (or another
// process started under its id) and another took its callbacks over.
var ErrFenced = Errorf(ECONFLICT, "fenced: this instance was declared dead and its callbacks were taken over")

// ClusterStore keeps the instances sharing one database and which of
// them works on which callback.
type ClusterStore interface {
	// Join records a process starting as in.ID: a new generation
	// (in.Generation is set), heartbeat now, alive. Any lease of an
	// older generation of the same id is no longer good.
	Join(ctx context.Context, in *Instance) (Lease, error)
	// Beat renews the lease's heartbeat; ErrFenced when the lease is
	// no longer good.
	Beat(ctx context.Context, l Lease) error
	// Leave removes the lease's instance row (a clean stop).
	Leave(ctx context.Context, l Lease) error
	// Instances lists the rows, by id.
	Instances(ctx context.Context) ([]Instance, error)
	// TakeOver declares dead, on behalf of taker, every other instance
	// whose heartbeat is older than deadAfter by the database's clock;
	// each one exactly once, whatever other instances do at the same
	// time. In the same transaction its callbacks are released (their
	// claims dropped) and its running queue jobs made available.
	TakeOver(ctx context.Context, taker Lease, deadAfter time.Duration) ([]Takeover, error)
	// PruneInstances deletes, each once, the rows of instances declared dead and
	// taken over whose heartbeat is older than after by the database's
	// clock and whose callbacks were all released, and returns them.
	PruneInstances(ctx context.Context, after time.Duration) ([]Instance, error)
	// Claim makes l the owner of the callback, unless a living lease
	// (its instance not declared dead, of the current generation) other
	// than l owns it. It reports whether l owns it now.
	Claim(ctx context.Context, l Lease, callbackID int64) (bool, error)
	// Release drops l's claim on the callback, if it has it.
	Release(ctx context.Context, l Lease, callbackID int64) error
	// Claims lists the callbacks l owns, by id.
	Claims(ctx context.Context, l Lease) ([]int64, error)
}

// RecordingStore keeps recordings that are not attached to their Bitrix24
// call yet, so that any instance can attach them.
type RecordingStore interface {
	// SaveRecording stores an attempt's recording (replacing one stored).
	SaveRecording(ctx context.Context, attemptID int64, name string, data []byte) error
	// Recording returns an attempt's stored recording, or ENOTFOUND.
	Recording(ctx context.Context, attemptID int64) (name string, data []byte, err error)
	// DeleteRecording removes an attempt's stored recording, if any.
	DeleteRecording(ctx context.Context, attemptID int64) error
}

type leaseKey struct{}

// WithLease returns ctx carrying the lease a worker writes under: a store
// makes each write of that callback's work (Advance, SaveAttempt,
// PlaceAttempt) only while the lease owns the callback, else ErrFenced.
func WithLease(ctx context.Context, l Lease) context.Context {
	return context.WithValue(ctx, leaseKey{}, l)
}

// LeaseFrom returns the lease ctx carries, if any.
func LeaseFrom(ctx context.Context) (Lease, bool) {
	l, ok := ctx.Value(leaseKey{}).(Lease)
	return l, ok
}
