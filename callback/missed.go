package callback

import (
	"context"
	"log/slog"

	"github.com/callbackline/callbackline"
)

// logMissed makes a callback that failed before any call was registered
// (stale, nobody reachable, never open) show in the CRM's call log as a
// missed callback: a call registered for the user and finished at once
// with 304 and the reason. The attempt is stored first, so a restart
// finishes it instead of registering another.
func (r *run) logMissed(ctx context.Context, user int64, reason string) {
	if r.cb.Kind != callbackline.KindCallback || user == 0 || r.cb.Phone == "" {
		return
	}
	for _, a := range r.attempts {
		if a.CallID != "" || !a.FinishedAt.IsZero() {
			return // the CRM has this callback's calls already
		}
	}
	now := r.now().UTC()
	a := &callbackline.Attempt{CallbackID: r.cb.ID, Number: len(r.attempts) + 1, UserID: user,
		StatusCode: "304", Reason: reason, StartedAt: now, UpdatedAt: now}
	a.ExternalCallID = callbackline.ExternalCallID(r.cb.ID, a.Number)
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		r.log.Warn("recording the missed callback failed", slog.Any("err", err))
		return
	}
	r.attempts = append(r.attempts, a)
	reg := r.register(a, r.cb.CreatedAt)
	reg.Show = false
	res, err := r.w.cfg.CRM.RegisterCall(ctx, r.portal, reg)
	if err != nil {
		r.log.Warn("registering the missed callback in the CRM failed", slog.Any("err", err))
		return
	}
	a.CallID = res.CallID
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		r.log.Warn("recording the missed callback failed", slog.Any("err", err))
		return
	}
	if err := r.finishCall(ctx, a); err != nil {
		r.log.Warn("finishing the missed callback in the CRM failed", slog.Any("err", err))
	}
}
