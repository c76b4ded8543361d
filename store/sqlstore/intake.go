package sqlstore

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
)

// Call is one intake request on its way through a batch.
type Call struct {
	Ctx context.Context
	Req callbackline.IntakeRequest
	// CB is the callback to store, from Req.NewCallback.
	CB callbackline.Callback
	// Fail is set by Hooks.FailIntake: the backend's IntakeTx fails the
	// batch's transaction at this request, as an SQL error would.
	Fail bool

	done chan Outcome // buffered: a committer never blocks on it
}

// Outcome is what one Call gets.
type Outcome struct {
	Res callbackline.IntakeResult
	Err error
}

// Rule is the de-duplication and limit rule applied to one request: the
// one statement of it that both backends follow.
//
// A request is a duplicate of the newest callback of the same portal,
// number (Callback.DedupNumber) and CRM entity created after DedupAfter;
// it is then folded into that callback (duplicates + 1). Else it is
// stored as a new callback, rejected with NumberReason when the portal
// already has NumberLimit callback requests (KindCallback) for its number
// (Callback.Phone) created after Since, or else with PortalReason when the
// portal has PortalLimit accepted (not rejected) callback requests created
// after Since: junk cannot push a genuine request out. Click-to-call
// requests count for neither (the dial limits count their calls), so
// forged ones cannot either. A limit of 0 is none. A callback
// rejected by a limit is cut (Callback.Shrink).
type Rule struct {
	DedupAfter               time.Time // zero: no de-duplication
	Since                    time.Time
	NumberLimit, PortalLimit int
	NumberReason             string
	PortalReason             string
}

// Rule is the rule for the call's request: the limits apply only to a
// callback received (not already rejected), the number limit only to one
// with a phone number.
func (c *Call) Rule() Rule {
	r := Rule{NumberLimit: c.Req.NumberLimit, PortalLimit: c.Req.PortalLimit, Since: c.CB.CreatedAt.Add(-time.Hour)}
	if w := c.Req.DedupWindow; w > 0 {
		r.DedupAfter = c.CB.CreatedAt.Add(-w)
	}
	if c.CB.State != callbackline.StateReceived {
		r.NumberLimit, r.PortalLimit = 0, 0
	}
	if c.CB.Phone == "" {
		r.NumberLimit = 0
	}
	r.NumberReason = fmt.Sprintf("%s: %d or more requests for this number in the last hour",
		callbackline.ReasonNumberRate, r.NumberLimit)
	r.PortalReason = fmt.Sprintf("%s: %d or more accepted requests for this portal in the last hour",
		callbackline.ReasonPortalRate, r.PortalLimit)
	return r
}

// Reject applies the limits to a new callback, given how many callbacks
// the portal has since r.Since for its number and in all (each counted
// up to its limit; nPortal the accepted ones).
func (r Rule) Reject(cb *callbackline.Callback, nNumber, nPortal int) {
	switch {
	case r.NumberLimit > 0 && nNumber >= r.NumberLimit:
		cb.State, cb.Reason = callbackline.StateRejected, r.NumberReason
	case r.PortalLimit > 0 && nPortal >= r.PortalLimit:
		cb.State, cb.Reason = callbackline.StateRejected, r.PortalReason
	}
	cb.Shrink()
}

// Jobs are the CallbackJobs of the outcomes that queue one.
func Jobs(outs []Outcome) []river.InsertManyParams {
	var jobs []river.InsertManyParams
	for _, o := range outs {
		if o.Err == nil && o.Res.Queued {
			jobs = append(jobs, river.InsertManyParams{Args: callbackline.CallbackJob{CallbackID: o.Res.Callback.ID}})
		}
	}
	return jobs
}

// Intake stores the request, de-duplicated and rate-limited (Rule), and
// queues its CallbackJob in the same transaction (see
// callbackline.IntakeRequest).
//
// Group commit: the request goes to one of Options.Committers committer
// goroutines (always the same for a portal), which takes every request
// waiting at that moment (up to Options.MaxBatch) into one transaction,
// the backend's IntakeTx: it handles them in arrival order (a request
// sees the ones before it in the same batch, for de-duplication and
// limits), inserts all their jobs with one InsertManyTx and commits.
// Intake returns after that COMMIT. When the batch fails as a whole, its
// requests are retried one transaction each, so one bad request fails
// only itself.
//
// When ctx ends while the request waits for its batch, Intake returns an
// EUNAVAILABLE error wrapping ctx.Err(): the request may still be stored.
func (s *Store) Intake(ctx context.Context, req callbackline.IntakeRequest) (callbackline.IntakeResult, error) {
	cb, err := req.NewCallback()
	if err != nil {
		return callbackline.IntakeResult{}, err
	}
	call := &Call{Ctx: ctx, Req: req, CB: cb, done: make(chan Outcome, 1)}
	if err := s.submit(ctx, call); err != nil {
		return callbackline.IntakeResult{}, err
	}
	select {
	case o := <-call.done:
		return o.Res, o.Err
	case <-ctx.Done():
		return callbackline.IntakeResult{}, callbackline.WrapError(ctx.Err(), callbackline.EUNAVAILABLE,
			"intake: gave up waiting for the commit; the request may be stored")
	}
}

// submit hands the call to its portal's committer.
func (s *Store) submit(ctx context.Context, call *Call) error {
	s.submitMu.RLock()
	defer s.submitMu.RUnlock()
	if s.closed {
		return callbackline.Errorf(callbackline.EUNAVAILABLE, "intake: the store is closed")
	}
	select {
	case s.intake[shard(call.CB.MemberID, len(s.intake))] <- call:
		return nil
	case <-ctx.Done():
		return callbackline.WrapError(ctx.Err(), callbackline.EUNAVAILABLE, "intake: not taken")
	}
}

// shard picks a portal's committer: all requests of one portal go to the
// same committer, so they batch together instead of queueing for the
// portal's lock in several transactions at once.
func shard(memberID string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(memberID); i++ {
		h = (h ^ uint32(memberID[i])) * 16777619
	}
	return int(h % uint32(n))
}

// commitLoop is one committer goroutine: it runs until Close, then
// commits what was already submitted and stops.
func (s *Store) commitLoop(in chan *Call) {
	batch := make([]*Call, 0, s.opts.MaxBatch)
	for {
		select {
		case c := <-in:
			batch = s.fill(in, append(batch[:0], c))
			s.commitBatch(batch)
			clear(batch)
		case <-s.closing:
			// Close holds no more senders: what is in the channel is all.
			for batch = s.fill(in, batch[:0]); len(batch) > 0; batch = s.fill(in, batch[:0]) {
				s.commitBatch(batch)
			}
			return
		}
	}
}

// fill adds the calls waiting in the channel, up to MaxBatch.
func (s *Store) fill(in chan *Call, batch []*Call) []*Call {
	for len(batch) < s.opts.MaxBatch {
		select {
		case c := <-in:
			batch = append(batch, c)
		default:
			return batch
		}
	}
	return batch
}

// commitBatch commits the calls in one transaction, or each in its own
// when the shared one fails, and answers every caller.
func (s *Store) commitBatch(batch []*Call) {
	live := make([]*Call, 0, len(batch))
	for _, c := range batch {
		if err := c.Ctx.Err(); err != nil {
			c.done <- Outcome{Err: callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: not taken")}
			continue
		}
		c.Fail = s.TestHooks.FailIntake != nil && s.TestHooks.FailIntake(&c.CB)
		live = append(live, c)
	}
	if len(live) == 0 {
		return
	}
	if s.TestHooks.BatchStart != nil {
		s.TestHooks.BatchStart(len(live))
	}
	outs, err := s.intakeTx(live)
	if err == nil {
		for i, c := range live {
			c.done <- outs[i]
		}
		return
	}
	if len(live) == 1 {
		live[0].done <- Outcome{Err: err}
		return
	}
	s.opts.Logger.Warn("intake batch failed; retrying its requests one by one",
		slog.Int("requests", len(live)), slog.String("err", err.Error()))
	for _, c := range live {
		outs, err := s.intakeTx([]*Call{c})
		if err != nil {
			c.done <- Outcome{Err: err}
		} else {
			c.done <- outs[0]
		}
	}
}
