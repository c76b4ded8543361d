package callback

import (
	"context"

	"github.com/callbackline/callbackline"
)

// fail gives the callback up for good and, when asked, tells the
// responsible person and the CRM. With notify the callback first goes to
// StateNotifying, so a crash while telling them resumes the telling.
func (r *run) fail(ctx context.Context, reason callbackline.Note, notify bool) error {
	ctx, cancel := persist(ctx)
	defer cancel()
	r.cb.Reason, r.reason = reason.English(), reason
	if !notify {
		if err := r.step(ctx, callbackline.StateFailed, 0, callbackline.NewNote("failed", reason)); err != nil {
			return err
		}
		r.w.cfg.Metrics.outcome(r.line.Number, "failed")
		return nil
	}
	if err := r.step(ctx, callbackline.StateNotifying, 0, callbackline.NewNote("giving_up", reason)); err != nil {
		return err
	}
	return r.notify(ctx)
}

// giveUp fails a callback whose job failed for the last time.
func (w *Worker) giveUp(ctx context.Context, id int64, cause error) error {
	ctx, cancel := persist(ctx)
	defer cancel()
	cb, err := w.cfg.Store.Callback(ctx, id)
	if err != nil {
		return err
	}
	if cb.State.Final() {
		return nil
	}
	p, err := w.cfg.Store.Portal(ctx, cb.MemberID)
	if err != nil {
		return err
	}
	r, err := w.newRun(ctx, cb, p)
	if err != nil { // giving up must not depend on the portal's lines
		r = w.runOn(cb, p, w.cfg.Lines[0])
	}
	if r.attempts, err = w.cfg.Store.Attempts(ctx, id); err != nil {
		return err
	}
	return r.fail(ctx, callbackline.NewNote("reason_error", callbackline.ErrorMessage(cause)), cb.Kind == callbackline.KindCallback)
}

// resumeNotify finishes the work of a callback left in StateNotifying by
// a crash: calls still open are closed, then whatever notify had not yet
// done is done.
func (r *run) resumeNotify(ctx context.Context) error {
	var err error
	if r.attempts, err = r.w.cfg.Store.Attempts(ctx, r.cb.ID); err != nil {
		return err
	}
	if done, err := r.recoverAll(ctx); done || err != nil { // done: the client was connected after all
		return err
	}
	return r.notify(ctx)
}
