package callbackline

import (
	"context"
	"time"
)

// Reasons an administrator's action, or a call the client made, ends a
// callback with. Callback.Reason starts with one of them, followed by
// ": " and an explanation.
const (
	// ReasonCancelled: an administrator cancelled the pending callback
	// (StateFailed); nothing is dialled after that.
	ReasonCancelled = "cancelled"
	// ReasonAlreadyCalled: before a dial, Bitrix24's call log showed that
	// the client called in, or was called and answered, since the
	// request (StateDone): the callback closed by itself.
	ReasonAlreadyCalled = "already_called"
)

// ErrCancelled is the cause of the error a store's Advance returns for a
// callback an administrator cancelled: its run stops, nothing is dialled.
var ErrCancelled = Errorf(ECONFLICT, "the callback was cancelled by an administrator; nothing more is done with it")

// Cancelled reports whether the callback was cancelled by an administrator.
func (c *Callback) Cancelled() bool {
	return c.State == StateFailed && reasonCode(c.Reason) == ReasonCancelled
}

// Pending reports whether the callback waits for its next call (working
// hours, a redial, the dial limits): it can be called now or cancelled.
func (c *Callback) Pending() bool {
	return c.Kind == KindCallback && c.State == StateScheduled
}

// Retryable reports whether the callback gave up (StateFailed) and a new
// round of calls may be asked for it.
func (c *Callback) Retryable() bool {
	return c.Kind == KindCallback && c.State == StateFailed
}

// reasonCode is the code a Reason starts with.
func reasonCode(reason string) string {
	for i := 0; i < len(reason); i++ {
		if reason[i] == ':' {
			return reason[:i]
		}
	}
	return reason
}

// Action is what an administrator asks for one callback.
type Action string

// Actions on a callback by hand.
const (
	ActionCallNow Action = "call" // dial a pending callback at once, even outside working hours
	ActionCancel  Action = "cancel"
	ActionRetry   Action = "retry" // a new round of calls for a failed callback
)

// Valid reports whether a is one of the known actions.
func (a Action) Valid() bool { return a == ActionCallNow || a == ActionCancel || a == ActionRetry }

// ControlRequest is one action on a callback by hand, as a store carries
// it out.
type ControlRequest struct {
	ID       int64
	MemberID string // the portal the callback must belong to; "" for the operator (any portal)
	Action   Action
	By       string    // who asked, for the history ("Anna Smith (user 12)", "operator")
	At       time.Time // now
}

// ControlStore carries out actions on callbacks by hand. Each is one
// conditional transition: of two concurrent requests (a double click, two
// instances) one wins and the other finds the state changed (ECONFLICT).
type ControlStore interface {
	// Control applies req and returns the callback as stored after it:
	//   - ActionCallNow: a pending callback (Pending) is due at req.At
	//     (NextAt) and marked DialNowBy, so its next dial ignores the
	//     working hours; its queue job runs at once.
	//   - ActionCancel: a pending callback, or one received and not yet
	//     worked on, ends in StateFailed with ReasonCancelled; its queue
	//     job is cancelled, and Advance refuses its later writes
	//     (ErrCancelled).
	//   - ActionRetry: a failed callback (Retryable) starts a new round:
	//     StateScheduled, due at req.At, its counts of calls to the client
	//     and rounds over the employees reset; a queue job is inserted.
	// ENOTFOUND when there is no such callback (of that portal), ECONFLICT
	// naming the state when the action does not apply to it.
	Control(ctx context.Context, req ControlRequest) (*Callback, error)
}
