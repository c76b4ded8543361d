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
		if err := r.step(ctx, callbackline.StateDone, a.ID, fmt.Sprintf("done: the employee and the client talked for %d s", a.Duration)); err != nil {
			return 0, err
		}
		r.w.cfg.Metrics.outcome(r.line.Number, "done")
		return 0, nil
	case sip.OutcomeEmployeeFailed, sip.OutcomeEmployeeHungUp:
		return r.employeesFailed(ctx, "no employee took the call: "+a.Reason)
	case sip.OutcomeClientFailed:
		r.tried += fmt.Sprintf("call %d to the client: %s; ", r.cb.ClientAttempts, a.Reason)
		if retryable(a.StatusCode) && r.cb.ClientAttempts < r.policy.ClientAttempts {
			return r.schedule(ctx, r.now().Add(r.policy.ClientRetryAfter),
				fmt.Sprintf("the client did not answer (status %s); calling again later", a.StatusCode))
		}
		return 0, r.fail(ctx, fmt.Sprintf("client_unreachable: the client could not be reached after %d call(s) (last status %s)", r.cb.ClientAttempts, a.StatusCode), true)
	case sip.OutcomeCancelled:
		// Shutdown: the call was ended cleanly; another run goes on.
		return r.schedule(ctx, r.now().Add(time.Second), "interrupted by a shutdown; continuing")
	default:
		return 0, r.fail(ctx, "call_failed: "+a.Reason, true)
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
func (r *run) employeesFailed(ctx context.Context, why string) (time.Duration, error) {
	r.cb.EmployeeRounds++
	r.tried += why + "; "
	if r.cb.EmployeeRounds < r.policy.EmployeeRounds {
		return r.schedule(ctx, r.now().Add(r.policy.EmployeeRetryAfter),
			fmt.Sprintf("%s; trying again later (round %d of %d)", why, r.cb.EmployeeRounds, r.policy.EmployeeRounds))
	}
	return 0, r.fail(ctx, fmt.Sprintf("no_employee: no employee took the call in %d round(s)", r.cb.EmployeeRounds), true)
}

// schedule parks the callback until at.
func (r *run) schedule(ctx context.Context, at time.Time, note string) (time.Duration, error) {
	r.cb.NextAt = at.UTC()
	if err := r.step(ctx, callbackline.StateScheduled, 0, note+" ("+at.UTC().Format(time.RFC3339)+")"); err != nil {
		return 0, err
	}
	r.w.cfg.Metrics.outcome(r.line.Number, "scheduled")
	return max(at.Sub(r.now()), time.Millisecond), nil
}
