package callback

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/callbackline/callbackline"
)

// reasonReinstall starts the Reason of a callback given up because its
// portal refused callbackline's tokens.
const reasonReinstall = "reinstall: "

// Reinstalled closes what a portal's callbacks left open while the portal
// refused callbackline's tokens (it had to install the application
// again): every Bitrix24 call registered for them and not finished is
// finished now, with the status stored for it, else 603-S. Run it after
// the portal was installed again; it is safe to run more than once.
func (w *Worker) Reinstalled(ctx context.Context, p *callbackline.Portal) error {
	closed := 0
	var before int64
	for {
		list, err := w.cfg.Store.Callbacks(ctx, callbackline.CallbackFilter{
			MemberID: p.MemberID, State: callbackline.StateFailed, BeforeID: before, Limit: 100})
		if err != nil {
			return err
		}
		for _, cb := range list {
			before = cb.ID
			if !strings.HasPrefix(cb.Reason, reasonReinstall) {
				continue
			}
			n, err := w.closeOpen(ctx, cb, p)
			if err != nil {
				return fmt.Errorf("callback %d: %w", cb.ID, err)
			}
			closed += n
		}
		if len(list) < 100 {
			break
		}
	}
	if closed > 0 {
		w.cfg.Logger.Info("calls left open while the portal had to reinstall are finished",
			slog.String("member_id", p.MemberID), slog.Int("calls", closed))
	}
	return nil
}

// closeOpen finishes the callback's registered, unfinished calls.
func (w *Worker) closeOpen(ctx context.Context, cb *callbackline.Callback, p *callbackline.Portal) (int, error) {
	attempts, err := w.cfg.Store.Attempts(ctx, cb.ID)
	if err != nil {
		return 0, err
	}
	r := w.runOn(cb, p, w.cfg.Lines[0])
	r.attempts = attempts
	n := 0
	for _, a := range attempts {
		if !a.FinishedAt.IsZero() {
			continue
		}
		if a.StatusCode == "" && !a.Connected {
			a.StatusCode, a.Reason = "603-S", "callbackline could not reach the portal: the application had to be installed again"
		}
		if _, err := r.recover(ctx, a); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
