package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/notify"
	"github.com/callbackline/callbackline/sip"
)

// noticeEvery is how often the portals' problems are checked and the
// messages due are sent (a problem set by a callback is sent at once).
const noticeEvery = 15 * time.Second

// newNotifier tells the portals' administrators about their problems
// (notify), through the Bitrix24 client.
func (a *app) newNotifier() *notify.Notifier {
	return &notify.Notifier{Store: a.store, Send: notify.Bitrix24(a.crm, a.store),
		Failures: a.cfg.Notify.FailuresInARow, Logger: a.logger}
}

// callbackEnded counts a callback request that ended for its portal's
// failures in a row (callback.Config.Ended).
func (a *app) callbackEnded(ctx context.Context, cb *callbackline.Callback) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return a.notifier.CallbackEnded(ctx, cb.MemberID, cb.State == callbackline.StateFailed, cb.Reason)
}

// trunkState says whether a portal's own SIP account registers, as the
// dialer sees it: unknown without a dialer, without an account, and
// before its first registration attempt failed.
func (a *app) trunkState(memberID string) (registered, known bool, detail string) {
	if a.dialer == nil {
		return false, false, ""
	}
	err := a.dialer.TrunkStatus(memberID)
	var se *sip.Error
	switch {
	case err == nil:
		return true, true, ""
	case errors.As(err, &se) && se.Kind == sip.KindUnreachable && se.Err != nil:
		return false, true, se.Err.Error()
	}
	return false, false, ""
}

// runNotices checks and tells until ctx ends.
func (a *app) runNotices(ctx context.Context) {
	a.logger.Debug("notices to the portals' administrators", slog.Duration("every", noticeEvery),
		slog.Int("failures_in_a_row", a.cfg.Notify.FailuresInARow))
	a.notifier.Run(ctx, noticeEvery, a.trunkState)
}
