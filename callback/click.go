package callback

import (
	"context"
	"strings"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
)

// clickToCall serves ONEXTERNALCALLSTART: Bitrix24 registered the call when
// the employee clicked the number; ring the employee, then the client,
// and finish that CALL_ID. It is not redialled.
func (r *run) clickToCall(ctx context.Context) error {
	if len(r.attempts) > 0 { // finished before a restart (recover closed it)
		last := r.attempts[len(r.attempts)-1]
		if last.Connected {
			return r.step(ctx, callbackline.StateDone, last.ID, callbackline.NewNote("done_click"))
		}
		return r.fail(ctx, callbackline.NewNote("reason_call_failed", last.Reason), false)
	}
	// The employee clicked: they are there, whatever the line's routing
	// filters say; only an inactive user or a missing extension stops it.
	c, why, err := r.available(ctx, r.cb.UserID, false)
	if err != nil {
		return err
	}
	if why.Code == "" {
		// Nor does an extension the trunk's rule refuses: it is not
		// dialled, and not stored whole.
		if why = r.refused(c); why.Code != "" {
			c.extension = sip.MaskExtension(c.extension)
		}
	}
	gerr := r.guard(ctx)
	if callbackline.ErrorCode(gerr) == callbackline.EUNAVAILABLE {
		return gerr // the store could not say: the job retries
	}
	now := r.now().UTC()
	a := &callbackline.Attempt{CallbackID: r.cb.ID, Number: 1, CallID: r.cb.CallID, UserID: r.cb.UserID,
		Extension: c.extension, StartedAt: now, UpdatedAt: now}
	a.ExternalCallID = callbackline.ExternalCallID(r.cb.ID, 1)
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		return err
	}
	r.attempts = append(r.attempts, a)
	if gerr != nil {
		// The toll-fraud guard, again just before dialling.
		why := guarded(gerr)
		if err := r.endUndialled(ctx, a, "403", why.English()); err != nil {
			return err
		}
		return r.fail(ctx, why, false)
	}
	if nr := r.noRoute(); nr.Code != "" {
		if err := r.endUndialled(ctx, a, sip.StatusForbidden, nr.English()); err != nil {
			return err
		}
		return r.fail(ctx, nr, false)
	}
	if why.Code != "" {
		if err := r.endUndialled(ctx, a, "480", why.English()); err != nil {
			return err
		}
		return r.fail(ctx, callbackline.NewNote("reason_no_employee", why), false)
	}
	// The dial limits: click-to-call counts like every call, and one
	// over them is not placed (the employee waits now, not in an hour).
	if until, err := r.w.cfg.Store.PlaceAttempt(ctx, a, r.w.cfg.DialLimits, r.now().UTC()); err != nil {
		return err
	} else if !until.IsZero() {
		r.w.cfg.Metrics.outcome(r.line.Number, "dial_limited")
		why := callbackline.NewNote("reason_dial_rate_at", callbackline.NewNote("reason_dial_rate"), until)
		if err := r.endUndialled(ctx, a, "403", why.English()); err != nil {
			return err
		}
		return r.fail(ctx, why, false)
	}
	if err := r.step(ctx, callbackline.StateRingingEmployee, a.ID, callbackline.NewNote("click_ringing", c.describe())); err != nil {
		return err
	}
	res := r.dial(ctx, a, []candidate{c})
	r.bg.Wait()
	if err := r.finish(ctx, a, res); err != nil {
		return err
	}
	pctx, cancel := persist(ctx)
	defer cancel()
	if a.Connected {
		return r.step(pctx, callbackline.StateDone, a.ID, callbackline.NewNote("done_click_for", a.Duration))
	}
	return r.fail(pctx, callbackline.NewNote("reason_call_failed", a.Reason), false)
}

// endUndialled finishes a click-to-call that is not placed. The intended
// status is stored first, so a retry finishes it with the same.
func (r *run) endUndialled(ctx context.Context, a *callbackline.Attempt, status, reason string) error {
	a.StatusCode, a.Reason, a.UpdatedAt = status, reason, r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		return err
	}
	return r.finishCall(ctx, a)
}

// closeRejected finishes the Bitrix24 call of a click-to-call refused at
// intake, whose number is not dialled: exactly once, with 484 for a number
// that is not valid and 403 for one the toll-fraud guard stops, so the
// employee sees why in the call card instead of a call left open.
func (r *run) closeRejected(ctx context.Context) error {
	attempts, err := r.w.cfg.Store.Attempts(ctx, r.cb.ID)
	if err != nil {
		return err
	}
	if len(attempts) > 0 { // a try before a restart stored the intent
		a := attempts[0]
		if !a.FinishedAt.IsZero() {
			return nil
		}
		return r.finishCall(ctx, a)
	}
	status := "403"
	if strings.HasPrefix(r.cb.Reason, callbackline.ReasonInvalidNumber) {
		status = "484"
	}
	gerr := r.guard(ctx)
	if callbackline.ErrorCode(gerr) == callbackline.EUNAVAILABLE {
		return gerr // the store could not say: the job retries
	}
	now := r.now().UTC()
	a := &callbackline.Attempt{CallbackID: r.cb.ID, Number: 1, CallID: r.cb.CallID, UserID: r.cb.UserID,
		StartedAt: now, UpdatedAt: now}
	a.ExternalCallID = callbackline.ExternalCallID(r.cb.ID, 1)
	return r.endUndialled(ctx, a, status, "rejected: "+r.cb.Reason)
}
