package callbackline

import (
	"strings"
	"time"
)

// DialWindow is the window DialLimits count in.
const DialWindow = time.Hour

// ReasonDialRate is the reason code of a callback whose call could not be
// placed before its maximum age because of DialLimits.
const ReasonDialRate = "dial_rate_limited"

// DialLimits bound the calls the service places, counted from the
// attempts the store marked placed (WorkStore.PlaceAttempt) in the
// DialWindow before the next one. They hold across every portal and every
// instance that shares the store. A limit of 0 is none.
type DialLimits struct {
	// Number is the most calls placed to one number, whichever portal
	// asked: redials and click-to-call count.
	Number int
	// Portal is the most calls one portal places, click-to-call included.
	Portal int
}

// Retention says how long a store keeps what no longer changes
// (CallbackStore.Prune). Zero keeps it forever.
type Retention struct {
	// Rejected is how long a rejected request is kept, from its arrival.
	Rejected time.Duration
	// Finished is how long a done or failed callback is kept, with its
	// attempts and history, from its last change.
	Finished time.Duration
	// History is how long a history entry is kept, even of a callback
	// still kept, and an entry of a portal's audit log.
	History time.Duration
}

// Pruned counts what a Prune deleted.
type Pruned struct {
	Rejected, Finished, History, Audit int
}

// RejectedTextMax is how many characters of a rejected request's text
// and raw number a store keeps: junk is kept small.
const RejectedTextMax = 200

// Shrink cuts a rejected callback's text and raw number to
// RejectedTextMax characters; other callbacks are left alone.
func (c *Callback) Shrink() {
	if c.State != StateRejected {
		return
	}
	c.Text, c.PhoneRaw = cut(c.Text, RejectedTextMax), cut(c.PhoneRaw, RejectedTextMax)
}

// cut keeps the first n characters of s.
func cut(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return strings.Clone(s[:j])
		}
		i++
	}
	return s
}
