// Package cluster is one instance's membership of the instances that
// share a database: its row and heartbeat, the lease its workers write
// and act under, and the takeover of an instance whose heartbeat stopped.
// See docs/cluster.md.
package cluster

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
)

// DefaultDeadAfter is how old a heartbeat may grow before its instance
// is declared dead (config key cluster.dead_after).
const DefaultDeadAfter = 30 * time.Second

// DefaultPruneAfter is how old the heartbeat of an instance declared dead
// and taken over may grow before its row is deleted (config key
// cluster.prune_after).
const DefaultPruneAfter = 24 * time.Hour

// Options configure a Member.
type Options struct {
	Store callbackline.ClusterStore
	// Instance names this process: ID (the queue client id),
	// Fingerprint, Version.
	Instance callbackline.Instance
	// DeadAfter: an instance whose heartbeat is older is declared dead
	// and taken over (default DefaultDeadAfter). This instance beats
	// every DeadAfter/6, and its lease holds DeadAfter/2 after the start
	// of its last heartbeat that succeeded: it stops acting well before
	// another instance may declare it dead.
	DeadAfter time.Duration
	// PruneAfter: the row of an instance declared dead and taken over,
	// whose heartbeat is older and whose callbacks were all released, is
	// deleted at a heartbeat (default DefaultPruneAfter).
	PruneAfter time.Duration
	// Fenced is told when this instance learns that it was declared
	// dead (it was paused, or cut off from the database): its calls must
	// end (the worker's HangUp). It joins again afterwards.
	Fenced func()
	// TookOver is told of each instance this one took over.
	TookOver func(callbackline.Takeover)
	// Tick, when set, runs at each heartbeat while the lease holds (the
	// worker's ReleaseIdle).
	Tick    func(ctx context.Context)
	Logger  *slog.Logger
	Metrics *Metrics // nil: a new, unregistered set
}

// Member is this instance's membership; Run keeps it.
type Member struct {
	o     Options
	mu    sync.Mutex
	lease callbackline.Lease
	until time.Time // the lease holds until then (monotonic clock)
}

// Join records this instance (a new generation of its id) and returns its
// membership, holding a lease.
func Join(ctx context.Context, o Options) (*Member, error) {
	if o.Store == nil || o.Instance.ID == "" {
		return nil, callbackline.Errorf(callbackline.EINVALID, "cluster: a store and an instance id are needed")
	}
	if o.DeadAfter <= 0 {
		o.DeadAfter = DefaultDeadAfter
	}
	if o.PruneAfter <= 0 {
		o.PruneAfter = DefaultPruneAfter
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	m := &Member{o: o}
	if err := m.join(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// join takes a new generation's lease.
func (m *Member) join(ctx context.Context) error {
	start := time.Now()
	in := m.o.Instance
	l, err := m.o.Store.Join(ctx, &in)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.lease, m.until = l, start.Add(m.o.DeadAfter/2)
	m.mu.Unlock()
	m.o.Metrics.joined(l)
	m.o.Logger.Info("joined the instances on the database", slog.String("instance", l.Instance), slog.Int64("generation", l.Generation))
	return nil
}

// Lease is the current generation's lease.
func (m *Member) Lease() callbackline.Lease {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lease
}

// Holds reports whether l is the current lease and still holds: its last
// heartbeat is recent enough that no other instance can have declared
// this one dead. A worker checks it right before each call to Bitrix24
// and each dial.
func (m *Member) Holds(l callbackline.Lease) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return l == m.lease && time.Now().Before(m.until)
}

// Every is how often Run beats and looks for dead instances.
func (m *Member) Every() time.Duration { return m.o.DeadAfter / 6 }

// Run beats and takes dead instances over every Every until ctx ends.
func (m *Member) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(m.Every()):
		}
		m.Tick(ctx)
	}
}

// Tick beats once and, while the lease holds, takes over every instance
// found dead and deletes the rows of those dead for longer than
// PruneAfter.
func (m *Member) Tick(ctx context.Context) {
	if !m.beat(ctx) {
		return
	}
	m.takeOver(ctx)
	m.prune(ctx)
	m.observe(ctx)
	if m.o.Tick != nil {
		m.o.Tick(ctx)
	}
}

// takeOver takes over every instance found dead.
func (m *Member) takeOver(ctx context.Context) {
	list, err := m.o.Store.TakeOver(ctx, m.Lease(), m.o.DeadAfter)
	if err != nil {
		m.o.Logger.Warn("looking for dead instances failed", slog.Any("err", err))
	}
	for _, t := range list {
		m.o.Metrics.takeovers.Inc()
		m.o.Logger.Warn("took over a dead instance: its calls are finished and its callbacks go on here or elsewhere",
			slog.String("dead", t.Dead.ID), slog.Int64("generation", t.Dead.Generation),
			slog.Time("last_heartbeat", t.Dead.HeartbeatAt), slog.Int("callbacks", t.Callbacks), slog.Int("jobs", t.Jobs))
		if m.o.TookOver != nil {
			m.o.TookOver(t)
		}
	}
}

// prune deletes the rows of instances dead for longer than PruneAfter.
func (m *Member) prune(ctx context.Context) {
	list, err := m.o.Store.PruneInstances(ctx, m.o.PruneAfter)
	if err != nil {
		m.o.Logger.Warn("deleting the rows of long dead instances failed; trying at the next heartbeat", slog.Any("err", err))
	}
	for _, in := range list {
		m.o.Metrics.pruned.Inc()
		m.o.Logger.Info("deleted the row of an instance dead for longer than cluster.prune_after",
			slog.String("dead", in.ID), slog.Int64("generation", in.Generation),
			slog.Time("last_heartbeat", in.HeartbeatAt), slog.String("taken_by", in.TakenBy))
	}
}

// beat renews the lease. Fenced, it tells Options.Fenced and joins again.
// It reports whether the lease holds.
func (m *Member) beat(ctx context.Context) bool {
	start, l := time.Now(), m.Lease()
	err := m.o.Store.Beat(ctx, l)
	if err == nil {
		m.mu.Lock()
		if m.lease == l {
			m.until = start.Add(m.o.DeadAfter / 2)
		}
		m.mu.Unlock()
		return true
	}
	if !errors.Is(err, callbackline.ErrFenced) {
		m.o.Logger.Warn("heartbeat failed; calls stop when the lease runs out", slog.Any("err", err))
		return m.Holds(l)
	}
	m.o.Metrics.fenced.Inc()
	m.o.Logger.Error("this instance was declared dead (paused or cut off): its calls are hung up, it joins again",
		slog.String("instance", l.Instance), slog.Int64("generation", l.Generation))
	m.mu.Lock()
	m.until = time.Time{}
	m.mu.Unlock()
	if m.o.Fenced != nil {
		m.o.Fenced()
	}
	if err := m.join(ctx); err != nil {
		m.o.Logger.Warn("joining again failed; trying at the next heartbeat", slog.Any("err", err))
		return false
	}
	return true
}

// observe updates the count of living instances.
func (m *Member) observe(ctx context.Context) {
	list, err := m.o.Store.Instances(ctx)
	if err != nil {
		return
	}
	alive := 0
	for _, in := range list {
		if in.Alive() {
			alive++
		}
	}
	m.o.Metrics.alive.Set(float64(alive))
}

// Leave removes this instance's row (a clean stop: nobody takes it over).
func (m *Member) Leave(ctx context.Context) error {
	return m.o.Store.Leave(ctx, m.Lease())
}
