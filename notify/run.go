package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/callbackline/callbackline"
)

// dueBatch is how many due notices one pass reads.
const dueBatch = 100

// CheckEvery is how often Run checks every portal (Check).
const CheckEvery = time.Minute

// Run delivers the due messages every interval, and at once when a
// problem was set, and checks the portals (Check with trunk) every
// CheckEvery, until ctx ends.
func (nt *Notifier) Run(ctx context.Context, every time.Duration, trunk TrunkState) {
	t := time.NewTicker(every)
	defer t.Stop()
	var checked time.Time
	for {
		if time.Since(checked) >= CheckEvery {
			checked = time.Now()
			if err := nt.Check(ctx, trunk); err != nil && ctx.Err() == nil {
				nt.logger().WarnContext(ctx, "checking the portals' problems", slog.Any("err", err))
			}
		}
		if _, err := nt.Deliver(ctx); err != nil && ctx.Err() == nil {
			nt.logger().WarnContext(ctx, "delivering the notices to the portals' administrators", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-nt.woken():
		}
	}
}

// woken receives when a change scheduled a message.
func (nt *Notifier) woken() chan struct{} {
	nt.once.Do(func() { nt.wake = make(chan struct{}, 1) })
	return nt.wake
}

// kick wakes Run without waiting.
func (nt *Notifier) kick() {
	select {
	case nt.woken() <- struct{}{}:
	default:
	}
}

// Deliver sends every message due now, each claimed first (so that
// another instance does not send it too), and says how many were sent.
// A failed delivery is tried again later.
func (nt *Notifier) Deliver(ctx context.Context) (int, error) {
	due, err := nt.Store.DueNotices(ctx, nt.now(), dueBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, n := range due {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		ok, err := nt.deliver(ctx, n)
		if err != nil {
			nt.logger().WarnContext(ctx, "a notice to the portal's administrators", slog.String("member_id", n.MemberID),
				slog.String("problem", string(n.Problem)), slog.Any("err", err))
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (nt *Notifier) lease() time.Duration {
	if nt.Lease > 0 {
		return nt.Lease
	}
	return 2 * time.Minute
}

// retry is the wait after the attempts-th failed delivery.
func (nt *Notifier) retry(attempts int) time.Duration {
	d, most := nt.Retry, nt.MaxRetry
	if d <= 0 {
		d = 30 * time.Second
	}
	if most <= 0 {
		most = time.Hour
	}
	for i := 1; i < attempts && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

// deliver claims n's pending message, sends it and records the outcome.
func (nt *Notifier) deliver(ctx context.Context, n *callbackline.Notice) (bool, error) {
	kind := n.Pending
	n.NextAt = nt.now().Add(nt.lease())
	if ok, err := nt.Store.SaveNotice(ctx, n); err != nil || !ok {
		return false, err // another instance has it, or it changed
	}
	p, err := nt.Store.Portal(ctx, n.MemberID)
	if err == nil && p.Status == callbackline.PortalUninstalled {
		err = callbackline.Errorf(callbackline.EUNAVAILABLE, "the portal uninstalled the application")
	}
	if err == nil {
		err = nt.Send(ctx, p, n)
	}
	if err != nil {
		ferr := nt.update(ctx, n.MemberID, n.Problem, func(m *callbackline.Notice) bool {
			if m.Pending != kind {
				return false
			}
			m.Attempts++
			m.NextAt = nt.now().Add(nt.retry(m.Attempts))
			return true
		})
		if ferr != nil {
			return false, ferr
		}
		return false, err
	}
	nt.logger().InfoContext(ctx, "the portal's administrators were told", slog.String("member_id", n.MemberID),
		slog.String("problem", string(n.Problem)), slog.String("message", kind))
	return true, nt.update(ctx, n.MemberID, n.Problem, func(m *callbackline.Notice) bool {
		m.Told = kind
		return true
	})
}
