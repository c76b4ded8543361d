package callback

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/phone"
)

// Control carries out an administrator's action on a callback (the app
// page, the operator API) through the store's conditional transition
// (callbackline.ControlStore). A retry is checked first against the rules
// that still apply to the callback's number: the toll-fraud guard, the
// portal's countries and blocked numbers, and the line's max_age; when
// one refuses, nothing changes and the error (EINVALID) says which.
func (w *Worker) Control(ctx context.Context, req callbackline.ControlRequest) (*callbackline.Callback, error) {
	if req.At.IsZero() {
		req.At = w.cfg.Now()
	}
	if req.Action == callbackline.ActionRetry {
		if err := w.retryable(ctx, req); err != nil {
			return nil, err
		}
	}
	cb, err := w.cfg.Store.Control(ctx, req)
	if err != nil && cb == nil {
		return nil, err
	}
	w.cfg.Logger.Info("callback "+string(req.Action)+" by hand", slog.Int64("callback_id", req.ID),
		slog.String("member_id", cb.MemberID), slog.String("state", string(cb.State)), slog.Any("err", err))
	return cb, err
}

// retryable checks a retry against the rules that still apply; nil when
// the callback is not (yet) known to be refused: the store decides on its
// state.
func (w *Worker) retryable(ctx context.Context, req callbackline.ControlRequest) error {
	cb, err := w.cfg.Store.Callback(ctx, req.ID)
	if err != nil || (req.MemberID != "" && cb.MemberID != req.MemberID) || !cb.Retryable() {
		return nil
	}
	p, err := w.cfg.Store.Portal(ctx, cb.MemberID)
	if err != nil {
		return err
	}
	line, err := w.line(ctx, cb)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "the portal's lines could not be read; try again")
	}
	r := w.runOn(cb, p, line)
	if p.Status == callbackline.PortalUninstalled {
		return callbackline.Refuse(callbackline.EINVALID, callbackline.InputRetryUninstall, nil, "not retried: the application is uninstalled from the portal")
	}
	if err := r.guard(ctx); err != nil {
		if rej, ok := errors.AsType[*phone.Rejection](err); ok {
			return callbackline.Refuse(callbackline.EINVALID, callbackline.InputRetryNotAllowed, nil, "not retried: the number may not be called now (%s); the callback stays failed", rej.Error())
		}
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "the portal's countries or blocked numbers could not be read; try again")
	}
	opened := r.policy.Hours.Next(cb.CreatedAt)
	if r.policy.MaxAge > 0 && !opened.IsZero() && req.At.Sub(opened) > r.policy.MaxAge {
		return callbackline.Refuse(callbackline.EINVALID, callbackline.InputRetryTooOld, []string{r.policy.MaxAge.String()},
			"not retried: the request is older than the line's max_age (%s), after which it is never called; the callback stays failed (ask the client to send a new request)", r.policy.MaxAge)
	}
	return nil
}

// dialNow applies an administrator's "call now" to the dial about to
// start: it ignores the working hours and the request's age, and is
// cleared with the next step (the mark is for one dial).
func (r *run) dialNow() bool {
	if r.cb.DialNowBy == "" {
		return false
	}
	r.log.Info("calling now as an administrator asked", slog.String("by", r.cb.DialNowBy))
	r.cb.DialNowBy = ""
	return true
}

// due is how long a job that Run asks to wait for after really waits:
// an administrator may have made the callback due meanwhile (call now),
// and the queue's snooze must not push the job back past that.
func (w *Worker) due(ctx context.Context, id int64, after time.Duration) time.Duration {
	cb, err := w.cfg.Store.Callback(ctx, id)
	if err != nil || cb.State != callbackline.StateScheduled {
		return after
	}
	return max(min(after, cb.NextAt.Sub(w.cfg.Now())), 0)
}

// stopped reports whether err means that the callback's run must end
// without a retry: it was cancelled by hand.
func (w *Worker) stopped(id int64, err error) bool {
	if !errors.Is(err, callbackline.ErrCancelled) {
		return false
	}
	w.cfg.Logger.Info("a cancelled callback's run stopped; nothing is dialled", slog.Int64("callback_id", id))
	return true
}

// snooze is the queue's answer for a job to run again after d.
func snooze(d time.Duration) error { return river.JobSnooze(d) }
