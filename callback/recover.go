package callback

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/sip"
)

// recover closes what a crash left of an attempt: a call registered (or
// perhaps registered) in Bitrix24 but not finished is finished with the
// status its last persisted step implies; a connected call makes the
// callback done. It reports whether the callback is complete.
func (r *run) recover(ctx context.Context, a *callbackline.Attempt) (bool, error) {
	if a.ViaBitrix24() {
		return false, nil // Bitrix24 logs its own call: nothing to finish (see await)
	}
	ctx, cancel := persist(ctx)
	defer cancel()
	if a.FinishedAt.IsZero() {
		if ok, err := r.finishOpen(ctx, a); !ok {
			return false, err
		}
	} else if a.RecordPath != "" && a.RecordFileID == 0 && a.CallID != "" {
		r.attach(ctx, a)
	}
	if a.Connected && r.cb.Kind == callbackline.KindCallback {
		if err := r.step(ctx, callbackline.StateDone, a.ID, callbackline.NewNote("done_recovered")); err != nil {
			return false, err
		}
		return true, nil
	}
	return false, nil
}

// recoverAll recovers every attempt (see recover) and reports whether the
// callback is complete.
func (r *run) recoverAll(ctx context.Context) (bool, error) {
	for _, a := range r.attempts {
		done, err := r.recover(ctx, a)
		if err != nil || done {
			return done, err
		}
	}
	return false, nil
}

// finishOpen finishes an attempt that is open, or perhaps open, in
// Bitrix24. It reports false when there was nothing to finish (register
// refused it: the attempt is closed) or on an error.
func (r *run) finishOpen(ctx context.Context, a *callbackline.Attempt) (bool, error) {
	if a.CallID == "" {
		if ok, err := r.reregister(ctx, a); !ok {
			return false, err
		}
	}
	if a.StatusCode == "" { // no outcome was stored: the process died during the call
		interrupted(a)
	}
	a.UpdatedAt = r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		return false, err
	}
	if err := r.step(ctx, r.stateFor(callbackline.StateFinishing), a.ID, callbackline.NewNote("recovering", a.Number)); err != nil {
		return false, err
	}
	if err := r.finishCall(ctx, a); err != nil {
		return false, err
	}
	return true, nil
}

// reregister finds the CALL_ID of an attempt that was stored, but whose
// register's answer never was: registering again with the same
// EXTERNAL_CALL_ID returns the same CALL_ID. It reports false when
// Bitrix24 refused (the attempt is closed) or on an error.
func (r *run) reregister(ctx context.Context, a *callbackline.Attempt) (bool, error) {
	rc := r.register(a, a.StartedAt)
	rc.Show = false // only the CALL_ID is wanted: the call is over
	if err := r.fenced(ctx, "registering the call again"); err != nil {
		return false, err
	}
	reg, err := r.w.cfg.CRM.RegisterCall(ctx, r.portal, rc)
	var refused *bitrix24.APIError
	if err != nil && errors.As(err, &refused) && refused.HTTPStatus < 500 && !bitrix24.NeedsReinstall(err) {
		// Refused outright: no call of this attempt can be finished
		// (the same checks guard finish). Close it here; the
		// callback goes on.
		a.FinishedAt, a.Reason, a.UpdatedAt = r.now().UTC(), "register failed: "+err.Error(), r.now().UTC()
		return false, r.w.cfg.Store.SaveAttempt(ctx, a)
	}
	if err != nil {
		return false, fmt.Errorf("recovering attempt %d: registering again: %w", a.Number, err)
	}
	a.CallID = reg.CallID
	return true, nil
}

// interrupted sets the status of a call whose process died during it,
// from its last persisted step.
func interrupted(a *callbackline.Attempt) {
	switch {
	case a.Connected:
		a.StatusCode, a.Duration, a.Reason = "200", 1, "the call was cut off: callbackline restarted"
	case a.ClientDialled:
		a.StatusCode, a.Reason = "603-S", "interrupted while calling the client: callbackline restarted"
	default:
		a.StatusCode, a.Reason = "603-S", "interrupted while ringing the employee: callbackline restarted"
	}
}

// pending returns the last attempt when its call was finished in Bitrix24
// but the policy was not yet applied to its outcome (the callback is still
// in StateFinishing), with the outcome its stored result implies. A call
// cut by a crash or a shutdown (603-S) has no outcome to apply: the
// callback simply goes on, and pending returns nil.
func (r *run) pending() (sip.Outcome, *callbackline.Attempt) {
	if r.cb.State != callbackline.StateFinishing || len(r.attempts) == 0 {
		return "", nil
	}
	a := r.attempts[len(r.attempts)-1]
	if a.CallID == "" || a.FinishedAt.IsZero() || a.Connected || a.StatusCode == sip.StatusCancelled {
		return "", nil
	}
	switch {
	case strings.HasPrefix(a.Reason, "sip: employee leg"):
		return sip.OutcomeEmployeeFailed, a
	case strings.HasPrefix(a.Reason, "sip: client leg"), a.ClientDialled:
		return sip.OutcomeClientFailed, a
	}
	return sip.OutcomeEmployeeFailed, a
}
