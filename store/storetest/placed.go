package storetest

import (
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// runPlaced runs the tests of calls placed through Bitrix24's telephony
// (called by Run).
func runPlaced(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("EndPlaced", func(t *testing.T) { testEndPlaced(t, open(t)) })
	t.Run("FoldRefired", func(t *testing.T) { testFoldRefired(t, open(t)) })
}

// placedAttempt stores an attempt of cb handed to Bitrix24 as callID.
func placedAttempt(t *testing.T, s Backend, cb *callbackline.Callback, callID string, started time.Time) *callbackline.Attempt {
	t.Helper()
	a := &callbackline.Attempt{CallbackID: cb.ID, Number: 1, CallID: callID, Dialer: callbackline.DialerBitrix24,
		StartedAt: started, UpdatedAt: started}
	must(t, s.SaveAttempt(ctxT(t), a))
	return a
}

// testEndPlaced: the outcome reaches the attempt with that CALL_ID of that
// portal, once; every other CALL_ID (a SIP attempt's, another portal's,
// an unknown one) stores nothing.
func testEndPlaced(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	cb := newCallback(t, s, "+74951234567")
	a := placedAttempt(t, s, cb, "callback.abc.1", time.Now())
	sipCB := newCallback(t, s, "+74951234568")
	must(t, s.SaveAttempt(ctx, &callbackline.Attempt{CallbackID: sipCB.ID, Number: 1, CallID: "externalCall.x.1", StartedAt: time.Now()}))

	for _, c := range []struct{ member, callID string }{{"m2", "callback.abc.1"}, {"m1", "externalCall.x.1"}, {"m1", "callback.nope.1"}, {"m1", ""}} {
		_, err := s.EndPlaced(ctx, c.member, c.callID, callbackline.PlacedEnd{Code: "200", Duration: 5})
		wantCode(t, err, callbackline.ENOTFOUND)
	}
	at := time.Now().Add(time.Minute)
	id, err := s.EndPlaced(ctx, "m1", "callback.abc.1", callbackline.PlacedEnd{Code: "486", Duration: 0, Reason: "Busy", At: at})
	if err != nil || id != cb.ID {
		t.Fatalf("EndPlaced: %d %v", id, err)
	}
	_, err = s.EndPlaced(ctx, "m1", "callback.abc.1", callbackline.PlacedEnd{Code: "200", Duration: 9})
	wantCode(t, err, callbackline.ENOTFOUND)
	list, err := s.Attempts(ctx, cb.ID)
	must(t, err)
	got := list[0]
	if got.ID != a.ID || !got.ViaBitrix24() || got.StatusCode != "486" || got.Reason != "Busy" || got.Connected ||
		!sameTime(got.FinishedAt, at) {
		t.Fatalf("attempt %+v", got)
	}
	other, err := s.Attempts(ctx, sipCB.ID)
	must(t, err)
	if other[0].StatusCode != "" || !other[0].FinishedAt.IsZero() || other[0].ViaBitrix24() {
		t.Fatalf("a SIP attempt was changed: %+v", other[0])
	}
}

// testFoldRefired: a request for a number whose callback handed a call
// to Bitrix24 (placed now, or within since) is folded into it, with a
// history entry; other numbers, portals and older calls are not.
func testFoldRefired(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	cb := newCallback(t, s, "+74951234567")
	now := time.Now()
	_, err := s.FoldRefired(ctx, "m1", "+74951234567", now.Add(-time.Hour), now)
	wantCode(t, err, callbackline.ENOTFOUND) // nothing handed to Bitrix24 yet

	cb.State, cb.UpdatedAt = callbackline.StatePlaced, now
	must(t, s.Advance(ctx, cb, 0, callbackline.Plain("placed")))
	got, err := s.FoldRefired(ctx, "m1", "+74951234567", now, now)
	if err != nil || got.ID != cb.ID || got.Duplicates != 1 || !sameTime(got.LastDuplicateAt, now) {
		t.Fatalf("fold while placed: %+v %v", got, err)
	}
	for _, c := range []struct{ member, phone string }{{"m2", "+74951234567"}, {"m1", "+74951234568"}, {"m1", ""}} {
		_, err := s.FoldRefired(ctx, c.member, c.phone, now, now)
		wantCode(t, err, callbackline.ENOTFOUND)
	}

	// Done since: folded only while the call's start is within since.
	placedAttempt(t, s, cb, "callback.abc.1", now)
	cb.State = callbackline.StateDone
	must(t, s.Advance(ctx, cb, 0, callbackline.Plain("done")))
	if got, err := s.FoldRefired(ctx, "m1", "+74951234567", now.Add(-time.Minute), now); err != nil || got.Duplicates != 2 {
		t.Fatalf("fold after the call: %+v %v", got, err)
	}
	_, err = s.FoldRefired(ctx, "m1", "+74951234567", now.Add(time.Minute), now)
	wantCode(t, err, callbackline.ENOTFOUND)
	h := history(t, s, cb.ID)
	if len(h) < 2 || h[len(h)-1].State != callbackline.StateDone {
		t.Fatalf("history %+v", h)
	}
}
