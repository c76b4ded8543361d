package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/sip"
)

// run is the work on one callback in one job.
type run struct {
	w        *Worker
	cb       *callbackline.Callback
	portal   *callbackline.Portal
	line     callbackline.Line
	policy   callbackline.Policy
	log      *slog.Logger
	attempts []*callbackline.Attempt

	responsible int64             // the CRM entity's responsible user, 0 if unknown
	tried       string            // what was tried, for the failure notification
	reason      callbackline.Note // why the callback is given up (fail), once it is

	bg    sync.WaitGroup // card show/hide calls in flight
	cards chan struct{}  // closed when the last card move started is done
}

func (r *run) now() time.Time { return r.w.cfg.Now() }

// step persists a new state with a history note.
func (r *run) step(ctx context.Context, s callbackline.State, attemptID int64, note callbackline.Note) error {
	r.cb.State = s
	r.cb.UpdatedAt = r.now().UTC()
	if !note.Valid() { // a code without a sentence: the page says it as its code
		r.log.Error("a history note of an unknown code", slog.String("code", note.Code))
	}
	if err := r.w.cfg.Store.Advance(ctx, r.cb, attemptID, note); err != nil {
		return err
	}
	if r.w.cfg.Timeline != nil {
		r.w.cfg.Timeline(r.cb, note.English())
	}
	if s.Final() && r.cb.Kind == callbackline.KindCallback {
		r.w.cfg.Metrics.result(r.line.Number, callbackline.OutcomeOf(s, r.cb.Reason))
		if r.w.cfg.Ended != nil && s != callbackline.StateRejected {
			if err := r.w.cfg.Ended(context.WithoutCancel(ctx), r.cb); err != nil {
				r.log.Warn("counting the ended callback for the administrators' notices", slog.Any("err", err))
			}
		}
	}
	r.log.Info("callback "+string(s), slog.String("note", note.English()))
	return nil
}

// resume does what the callback's state asks for: finish a refused
// click-to-call's call, give the callback up with its portal, finish
// giving it up, or advance it.
func (r *run) resume(ctx context.Context) (time.Duration, error) {
	uninstalled := r.portal.Status == callbackline.PortalUninstalled
	switch {
	case r.cb.State == callbackline.StateRejected: // a click-to-call refused at intake
		if uninstalled {
			return 0, nil
		}
		return 0, r.closeRejected(ctx)
	case uninstalled:
		return 0, r.fail(ctx, callbackline.NewNote("reason_uninstalled"), false)
	case r.cb.State == callbackline.StateNotifying: // a crash while giving up
		return 0, r.resumeNotify(ctx)
	}
	after, err := r.advance(ctx)
	if err != nil && bitrix24.NeedsReinstall(err) && !r.cb.State.Final() {
		// No Bitrix24 call works until the portal installs the
		// application again: retrying the job cannot help.
		return 0, r.fail(ctx, callbackline.NewNote("reason_reinstall", callbackline.ErrorMessage(err)), false)
	}
	return after, err
}

// advance takes the callback as far as it goes now: what a crash left,
// then a click-to-call's call, an outcome not yet applied, or the next
// attempt.
func (r *run) advance(ctx context.Context) (time.Duration, error) {
	var err error
	if r.attempts, err = r.w.cfg.Store.Attempts(ctx, r.cb.ID); err != nil {
		return 0, err
	}
	// What a crash left behind comes first: no call stays open in Bitrix24.
	if done, err := r.recoverAll(ctx); done || err != nil {
		return 0, err
	}
	if err := r.closeUnsent(ctx); err != nil {
		return 0, err
	}
	if r.cb.Kind == callbackline.KindCall {
		return 0, r.clickToCall(ctx)
	}
	// A call handed to Bitrix24: its outcome is awaited, never placed again.
	if a := r.placedPending(); a != nil {
		return r.await(ctx, a)
	}
	// The last call ended and was finished, but its outcome was not
	// applied (the finish or the next step failed and the job is run
	// again): apply it now, so the policy's interval and limits hold.
	if o, a := r.pending(); a != nil {
		return r.apply(ctx, a, sip.Result{Outcome: o})
	}
	return r.next(ctx)
}

// next makes the next attempt, unless the policy says later or never.
func (r *run) next(ctx context.Context) (time.Duration, error) {
	now := r.now()
	if r.cb.NextAt.After(now) {
		return r.cb.NextAt.Sub(now), nil
	}
	// Calls to the client cut short by a restart or shutdown count too:
	// never more calls to the client than the policy allows.
	if r.policy.ClientAttempts > 0 && r.cb.ClientAttempts >= r.policy.ClientAttempts {
		return 0, r.fail(ctx, callbackline.NewNote("reason_unreachable_max", r.cb.ClientAttempts), true)
	}
	pending, asked := r.cb.State == callbackline.StateScheduled, r.dialNow()
	// The age counts from when the line first opened after the request: a
	// request of Friday night is fresh on Monday morning.
	if opened := r.policy.Hours.Next(r.cb.CreatedAt); !asked && r.policy.MaxAge > 0 && !opened.IsZero() && now.Sub(opened) > r.policy.MaxAge {
		return 0, r.fail(ctx, callbackline.NewNote("reason_stale", r.policy.MaxAge), true)
	}
	if next := r.policy.Hours.Next(now); !asked && !next.Equal(now) {
		if next.IsZero() {
			return 0, r.fail(ctx, callbackline.NewNote("reason_closed"), true)
		}
		return r.schedule(ctx, next, callbackline.NewNote("outside_hours"))
	}
	if err := r.guard(ctx); err != nil {
		if callbackline.ErrorCode(err) == callbackline.EUNAVAILABLE {
			return 0, err // the store could not say: the job retries
		}
		return 0, r.fail(ctx, guarded(err), false)
	}
	if pending {
		if closed, err := r.closeIfCalled(ctx); closed || err != nil {
			return 0, err
		}
	}
	return r.dialPlaced(ctx)
}

// guard applies the toll-fraud guard to the client's number right before
// dialling: the portal's countries (Config.Countries) within the
// operator's policy. A refusal is a *phone.Rejection; any other error
// means the portal's countries could not be read.
func (r *run) guard(ctx context.Context) error {
	policy := r.w.cfg.Guard
	if c := r.w.cfg.Countries; c != nil {
		var err error
		if policy, err = c.Guard(ctx, r.portal); err != nil {
			return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "the portal's countries could not be read")
		}
	}
	return policy.Check(r.cb.Phone)
}

// guarded is the reason of a number the toll-fraud guard refused: its
// refusal's reason said by the page as a reason of its own.
func guarded(err error) callbackline.Note {
	return callbackline.NewNote("reason_guard", callbackline.NewNote(callbackline.NoteReason, err.Error()))
}

// noRoute says why the portal's calls on the line have no way out (no
// code when they have one): the reason the callback fails with, nothing
// dialled.
func (r *run) noRoute() callbackline.Note {
	err := r.w.cfg.Dialer.Route(r.cb.MemberID, r.line.Number)
	if err == nil {
		return callbackline.Note{}
	}
	why := err.Error()
	if e, ok := errors.AsType[*sip.Error](err); ok {
		why = e.Reason
	}
	return callbackline.NewNote("reason_no_trunk", why)
}

// persist is a context for writes that must happen even when the job's
// context was cancelled (shutdown): finishing a call, recording a state.
func persist(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
}

// recordPath is where an attempt's recording goes; "" when nothing is
// recorded (no folder, or the line's record: false).
func (r *run) recordPath(a *callbackline.Attempt) string {
	if r.w.cfg.RecordDir == "" || r.line.NoRecord {
		return ""
	}
	return filepath.Join(r.w.cfg.RecordDir, fmt.Sprintf("%s-%d-%d.wav", r.cb.MemberID, r.cb.ID, a.Number))
}

// isCallNotFound: a finish whose first answer was lost.
func isCallNotFound(err error) bool { return errors.Is(err, bitrix24.ErrCallNotFound) }
