package callback

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
)

// claimWait is how long a job waits when its callback is claimed by
// another living instance, or this instance's lease does not hold.
const claimWait = 5 * time.Second

// runs are the callbacks this instance works on now, each with the
// cancel of its work.
type runs struct {
	mu sync.Mutex
	m  map[int64]context.CancelFunc
}

// add records a run; false when the callback runs here already.
func (rs *runs) add(id int64, cancel context.CancelFunc) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if _, ok := rs.m[id]; ok {
		return false
	}
	if rs.m == nil {
		rs.m = map[int64]context.CancelFunc{}
	}
	rs.m[id] = cancel
	return true
}

func (rs *runs) remove(id int64) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	delete(rs.m, id)
}

// cancelAll cancels every run and reports how many there were.
func (rs *runs) cancelAll() int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, cancel := range rs.m {
		cancel()
	}
	return len(rs.m)
}

// claim makes this instance the callback's owner for one run (see
// Config.Member): the returned context carries the lease and is
// cancelled by HangUp; release ends the run and drops the claim. A nil
// release means the callback is not this instance's to work on now.
// Without a Member the context is ctx and nothing is claimed.
func (w *Worker) claim(ctx context.Context, id int64) (context.Context, func(), error) {
	if w.cfg.Member == nil {
		return ctx, func() {}, nil
	}
	l := w.cfg.Member.Lease()
	if !w.cfg.Member.Holds(l) {
		return ctx, nil, nil
	}
	rctx, cancel := context.WithCancel(callbackline.WithLease(ctx, l))
	if !w.runs.add(id, cancel) {
		cancel()
		return ctx, nil, nil
	}
	ok, err := w.cfg.Store.Claim(ctx, l, id)
	if err != nil || !ok {
		w.runs.remove(id)
		cancel()
		return ctx, nil, err
	}
	return rctx, func() {
		cancel()
		w.runs.remove(id)
		pctx, stop := persist(ctx)
		defer stop()
		if err := w.cfg.Store.Release(pctx, l, id); err != nil {
			w.cfg.Logger.Warn("releasing a callback failed: another instance takes it when this one is gone",
				slog.Int64("callback_id", id), slog.Any("err", err))
		}
	}, nil
}

// ReleaseIdle drops this instance's claims on callbacks it does not work
// on now: a claim whose release failed (the database did not answer at
// the end of a run) would otherwise keep the callback from every other
// instance while this one lives. No run starts meanwhile.
func (w *Worker) ReleaseIdle(ctx context.Context) {
	if w.cfg.Member == nil {
		return
	}
	l := w.cfg.Member.Lease()
	w.runs.mu.Lock()
	defer w.runs.mu.Unlock()
	ids, err := w.cfg.Store.Claims(ctx, l)
	if err != nil {
		w.cfg.Logger.Warn("reading this instance's claims failed", slog.Any("err", err))
		return
	}
	for _, id := range ids {
		if _, running := w.runs.m[id]; running {
			continue
		}
		if err := w.cfg.Store.Release(ctx, l, id); err != nil {
			w.cfg.Logger.Warn("releasing an idle claim failed", slog.Int64("callback_id", id), slog.Any("err", err))
		}
	}
}

// HangUp ends every call this instance's workers have in progress: the
// instance learnt it was declared dead, and another instance has taken
// its callbacks over. The runs stop at their next write (fenced).
func (w *Worker) HangUp() {
	if n := w.runs.cancelAll(); n > 0 {
		w.cfg.Logger.Warn("hung up the calls of callbacks taken over by another instance", slog.Int("callbacks", n))
	}
}

// fenced returns ErrFenced when the run's lease no longer holds: nothing
// may be sent to Bitrix24 or dialled under it.
func (r *run) fenced(ctx context.Context, what string) error {
	l, ok := callbackline.LeaseFrom(ctx)
	if !ok || r.w.cfg.Member == nil || r.w.cfg.Member.Holds(l) {
		return nil
	}
	return callbackline.WrapError(callbackline.ErrFenced, callbackline.ECONFLICT,
		"%s: the lease of instance %q (generation %d) does not hold", what, l.Instance, l.Generation)
}
