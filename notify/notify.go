// Package notify tells a portal's administrators inside Bitrix24 when the
// portal needs the application installed again, when its own SIP account
// stops registering, and when callbacks fail several times in a row: once
// when a problem begins and once more when it is fixed.
//
// Where each problem stands is kept in the store (callbackline.Notice),
// changed only by conditional saves, so that neither a restart nor a
// second instance tells the administrators twice. Reporting a problem
// only writes that row; the messages go out from Run, which retries a
// failed one later (backing off up to an hour), so a problem never waits
// on Bitrix24 and is never lost while the portal is installed.
package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
)

// Store is what the Notifier keeps and reads.
type Store interface {
	callbackline.NoticeStore
	callbackline.PortalStore
}

// Sender delivers one notice's pending message (n.Pending) to the
// portal's administrators.
type Sender func(ctx context.Context, p *callbackline.Portal, n *callbackline.Notice) error

// DefaultFailures is how many callbacks must fail in a row before the
// administrators are told, when Notifier.Failures is 0.
const DefaultFailures = 5

// Notifier keeps the portals' problems and tells their administrators.
type Notifier struct {
	Store Store
	Send  Sender
	// Failures is how many callbacks in a row must fail before the
	// administrators are told (DefaultFailures when 0).
	Failures int
	// Lease is how long a message being sent is kept from other
	// instances (default 2 min); one not sent by then is sent again.
	Lease time.Duration
	// Retry is the first wait after a failed delivery (default 30 s),
	// doubling up to MaxRetry (default 1 h).
	Retry, MaxRetry time.Duration
	Now             func() time.Time // default time.Now
	Logger          *slog.Logger     // default: none

	once sync.Once
	wake chan struct{} // Run delivers at once
}

func (nt *Notifier) now() time.Time {
	if nt.Now != nil {
		return nt.Now()
	}
	return time.Now()
}

func (nt *Notifier) logger() *slog.Logger {
	if nt.Logger != nil {
		return nt.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (nt *Notifier) failures() int {
	if nt.Failures > 0 {
		return nt.Failures
	}
	return DefaultFailures
}

// update reads the portal's notice of the problem, lets change alter it
// (false: nothing to save) and saves it with its message scheduled,
// again from a fresh read when another change came first.
func (nt *Notifier) update(ctx context.Context, memberID string, p callbackline.Problem, change func(n *callbackline.Notice) bool) error {
	for range 20 {
		n, err := nt.Store.Notice(ctx, memberID, p)
		if err != nil {
			return err
		}
		if !change(n) {
			return nil
		}
		n.Schedule(nt.now())
		ok, err := nt.Store.SaveNotice(ctx, n)
		if ok && n.Pending != "" {
			nt.kick()
		}
		if err != nil || ok {
			return err
		}
	}
	return callbackline.Errorf(callbackline.ECONFLICT, "notice %s of portal %s: changed by others 20 times in a row", p, memberID)
}

// Set records whether the portal's problem is current (open) and what it
// is (detail: never a secret). Only a change of state schedules a
// message: the problem's when it begins, the fix's when it ends after
// its problem was told.
func (nt *Notifier) Set(ctx context.Context, memberID string, p callbackline.Problem, open bool, detail string) error {
	return nt.update(ctx, memberID, p, func(n *callbackline.Notice) bool {
		if n.Open == open && (!open || n.Detail == detail) {
			return false
		}
		n.Open = open
		if open {
			n.Detail = detail
		}
		return true
	})
}

// CallbackEnded counts a callback that ended: failed (reason: its
// callbackline reason) adds one to the failures in a row, which open the
// problem at Failures; a success ends the run and the problem.
func (nt *Notifier) CallbackEnded(ctx context.Context, memberID string, failed bool, reason string) error {
	return nt.update(ctx, memberID, callbackline.ProblemCallbacks, func(n *callbackline.Notice) bool {
		if !failed {
			if n.Failures == 0 && !n.Open {
				return false
			}
			n.Failures, n.Open = 0, false
			return true
		}
		n.Failures++
		if n.Failures >= nt.failures() {
			n.Open, n.Detail = true, reason
		}
		return true
	})
}
