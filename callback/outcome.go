package callback

import (
	"context"
	"fmt"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
)

// apply decides what comes after an attempt.
func (r *run) apply(ctx context.Context, a *callbackline.Attempt, res sip.Result) (time.Duration, error) {
	ctx, cancel := persist(ctx)
	defer cancel()
	switch res.Outcome {
	case sip.OutcomeConnected:
		r.cb.Reason = ""
		if err := r.step(ctx, callbackline.StateDone, a.ID, callbackline.NewNote("done", a.Duration)); err != nil {
			return 0, err
		}
		r.w.cfg.Metrics.outcome(r.line.Number, "done")
		return 0, nil
	case sip.OutcomeEmployeeFailed, sip.OutcomeEmployeeHungUp:
		return r.employeesFailed(ctx, callbackline.NewNote("no_one_took", a.Reason))
	case sip.OutcomeClientFailed:
		r.tried += fmt.Sprintf("call %d to the client: %s; ", r.cb.ClientAttempts, a.Reason)
		if retryable(a.StatusCode) && r.cb.ClientAttempts < r.policy.ClientAttempts {
			return r.schedule(ctx, r.now().Add(r.policy.ClientRetryAfter),
				callbackline.NewNote("client_again", a.StatusCode))
		}
		return 0, r.fail(ctx, callbackline.NewNote("reason_unreachable", r.cb.ClientAttempts, a.StatusCode), true)
	case sip.OutcomeCancelled:
		// Shutdown: the call was ended cleanly; another run goes on.
		return r.schedule(ctx, r.now().Add(time.Second), callbackline.NewNote("shutdown"))
	default:
		return 0, r.fail(ctx, callbackline.NewNote("reason_call_failed", a.Reason), true)
	}
}

// retryable reports whether the client may be called again later: busy,
// no answer, temporarily unavailable.
func retryable(status string) bool {
	switch status {
	case "486", "304", "480", "503":
		return true
	}
	return false
}

// employeesFailed starts another round over the employees later, or gives
// up when the policy's rounds are used.
func (r *run) employeesFailed(ctx context.Context, why callbackline.Note) (time.Duration, error) {
	r.cb.EmployeeRounds++
	r.tried += why.English() + "; "
	if r.cb.EmployeeRounds < r.policy.EmployeeRounds {
		return r.schedule(ctx, r.now().Add(r.policy.EmployeeRetryAfter),
			callbackline.NewNote("employees_again", why, r.cb.EmployeeRounds, r.policy.EmployeeRounds))
	}
	return 0, r.fail(ctx, callbackline.NewNote("reason_no_employee_rounds", r.cb.EmployeeRounds), true)
}

// schedule parks the callback until at.
func (r *run) schedule(ctx context.Context, at time.Time, note callbackline.Note) (time.Duration, error) {
	r.cb.NextAt = at.UTC()
	if err := r.step(ctx, callbackline.StateScheduled, 0, callbackline.NewNote("scheduled", note, at)); err != nil {
		return 0, err
	}
	r.w.cfg.Metrics.outcome(r.line.Number, "scheduled")
	return max(at.Sub(r.now()), time.Millisecond), nil
}
