package callback

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

// attempt routes the callback, registers one call in Bitrix24, places it
// and applies the policy to its outcome.
func (r *run) attempt(ctx context.Context) (time.Duration, error) {
	if err := r.step(ctx, callbackline.StateRouting, 0, callbackline.NewNote("routing")); err != nil {
		return 0, err
	}
	cands, err := r.route(ctx)
	if err != nil {
		return 0, err
	}
	if len(cands) == 0 {
		return r.employeesFailed(ctx, callbackline.NewNote("nobody_to_call"))
	}
	now := r.now().UTC()
	a := &callbackline.Attempt{
		CallbackID: r.cb.ID, Number: len(r.attempts) + 1, UserID: cands[0].userID, Extension: cands[0].extension,
		StartedAt: now, UpdatedAt: now,
	}
	a.ExternalCallID = callbackline.ExternalCallID(r.cb.ID, a.Number)
	// The attempt is stored before register: a crash between the two is
	// recovered by registering again with the same EXTERNAL_CALL_ID (same
	// CALL_ID within 30 minutes) and finishing. It is stored only when
	// the dial limits let the call out (placed), next to the toll-fraud
	// guard just before: over them, nothing is registered nor dialled.
	if placed, after, err := r.placeAttempt(ctx, a, now); !placed {
		return after, err
	}
	if ok, err := r.registerCall(ctx, a, now); !ok {
		return 0, err
	}
	if err := r.step(ctx, callbackline.StateRingingEmployee, a.ID,
		callbackline.NewNote("registered", a.CallID, describe(cands))); err != nil {
		return 0, err
	}
	if err := r.fenced(ctx, "dialling"); err != nil {
		return 0, err // the call card stays open: the instance that took over finishes it
	}
	res := r.dial(ctx, a, cands)
	r.bg.Wait()
	if err := r.finish(ctx, a, res); err != nil {
		return 0, err
	}
	if why := r.trunkRefused(res); why.Code != "" {
		return r.place(ctx, why)
	}
	return r.apply(ctx, a, res)
}

// placeAttempt stores the attempt a as placed at now when the dial limits
// let its call out (and adds it to the run's attempts); when they do not,
// the callback waits (see dialLimited), and placed is false.
func (r *run) placeAttempt(ctx context.Context, a *callbackline.Attempt, now time.Time) (placed bool, after time.Duration, err error) {
	until, err := r.w.cfg.Store.PlaceAttempt(ctx, a, r.w.cfg.DialLimits, now)
	if err != nil {
		return false, 0, err
	}
	if !until.IsZero() {
		after, err = r.dialLimited(ctx, until)
		return false, after, err
	}
	r.attempts = append(r.attempts, a)
	return true, 0, nil
}

// dialLimited holds back a call over the dial limits: the callback waits
// until they let a call out, or fails (the responsible told) when its
// maximum age passes first.
func (r *run) dialLimited(ctx context.Context, until time.Time) (time.Duration, error) {
	r.w.cfg.Metrics.outcome(r.line.Number, "dial_limited")
	why := callbackline.NewNote("reason_dial_rate")
	opened := r.policy.Hours.Next(r.cb.CreatedAt)
	if r.policy.MaxAge > 0 && !opened.IsZero() && until.Sub(opened) > r.policy.MaxAge {
		return 0, r.fail(ctx, callbackline.NewNote("reason_dial_rate_age", why, until, r.policy.MaxAge), true)
	}
	return r.schedule(ctx, until, callbackline.NewNote("dial_wait", why))
}

// registerCall registers the attempt's call in Bitrix24 (the call card
// is shown to its user) and stores its CALL_ID. It reports whether the
// call may be placed; when not, the error is nil only when the callback
// was given up.
func (r *run) registerCall(ctx context.Context, a *callbackline.Attempt, now time.Time) (bool, error) {
	if err := r.fenced(ctx, "registering the call"); err != nil {
		return false, err
	}
	reg, err := r.w.cfg.CRM.RegisterCall(ctx, r.portal, r.register(a, now))
	if err != nil {
		return false, r.registerFailed(ctx, a, err)
	}
	a.CallID, a.UpdatedAt = reg.CallID, r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		return false, err
	}
	return true, nil
}

// registerFailed handles a register that failed: an attempt refused
// outright is closed, one perhaps registered is left open for the retry.
func (r *run) registerFailed(ctx context.Context, a *callbackline.Attempt, err error) error {
	r.w.cfg.Metrics.crmError("telephony.externalCall.register")
	var refused *bitrix24.APIError
	if !bitrix24.NeedsReinstall(err) && (!errors.As(err, &refused) || refused.HTTPStatus >= 500) {
		// No answer, a server error or a cancelled context: the call
		// may be registered all the same. The attempt stays open, so
		// the retried job registers it again under the same
		// EXTERNAL_CALL_ID (the same CALL_ID) and finishes it.
		return fmt.Errorf("registering the call in Bitrix24 (it may be open there; the retry closes it): %w", err)
	}
	// Refused: nothing is open in Bitrix24. Close the attempt so that
	// recovery does not register it.
	pctx, cancel := persist(ctx)
	defer cancel()
	a.FinishedAt, a.StatusCode, a.Reason, a.UpdatedAt = r.now().UTC(), "", "register failed: "+err.Error(), r.now().UTC()
	if serr := r.w.cfg.Store.SaveAttempt(pctx, a); serr != nil {
		return serr
	}
	if bitrix24.NeedsReinstall(err) {
		return r.fail(ctx, callbackline.NewNote("reason_reinstall", callbackline.ErrorMessage(err)), false)
	}
	return fmt.Errorf("registering the call in Bitrix24: %w", err)
}

// register builds the telephony.externalCall.register call of an attempt.
func (r *run) register(a *callbackline.Attempt, now time.Time) bitrix24.RegisterCall {
	return bitrix24.RegisterCall{
		UserID: a.UserID, PhoneNumber: r.cb.Phone, Type: bitrix24.CallCallback, CallStartDate: now,
		CRMEntityType: r.cb.CRMEntityType, CRMEntityID: r.cb.CRMEntityID, Show: true,
		LineNumber: r.cb.LineNumber, ExternalCallID: a.ExternalCallID,
	}
}
