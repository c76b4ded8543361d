package callback_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/sip/siptest"
)

// Hostile: click-to-call events are forgeable (the application token
// reaches every user). 50 forged ones for one number place at most the
// number's dial limit of calls in the hour; the rest are finished in
// Bitrix24 undialled and fail. A genuine callback for the number then
// waits for the next allowed call (scheduled, with a history note) and
// is called once the hour frees up; one whose maximum age passes first
// fails, the responsible told.
func TestDialLimitsHoldAgainstForgedClickToCall(t *testing.T) {
	const limit, forged = 3, 50
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)
	dl := callbackline.DialLimits{Number: limit, Portal: 100}
	w := e.workerWith(func(c *callback.Config) { c.DialLimits = dl })
	start := e.clock.Now()
	limited := 0
	for i := range forged {
		id := e.clickRequest(maxID)
		if _, err := w.Run(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		cb := e.callback(id)
		switch {
		case i < limit && cb.State != callbackline.StateDone:
			t.Fatalf("click-to-call %d within the limit: %s %s", i, cb.State, cb.Reason)
		case i >= limit && (cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, callbackline.ReasonDialRate+": ")):
			t.Fatalf("click-to-call %d over the limit: %s %q", i, cb.State, cb.Reason)
		case i >= limit:
			limited++
		}
		e.clock.Advance(time.Second)
	}
	if n := e.callsTo(clientE164); n != limit {
		t.Fatalf("the number was dialled %d times in the hour, want %d", n, limit)
	}
	if n := e.callsTo(maxExt); n != limit {
		t.Errorf("the employee was rung %d times, want %d (nothing is placed over the limit)", n, limit)
	}
	// Every call card is closed. (How often finish was asked is not
	// counted here: a request the simulated portal refuses for its rate
	// limit, with 50 events at once, is rightly asked again.)
	refused := 0
	for _, c := range e.portal.Calls() {
		if !c.Finished {
			t.Errorf("call %s is still open in Bitrix24", c.CallID)
		}
		if c.StatusCode == "403" {
			refused++
		}
	}
	if refused != limited {
		t.Errorf("%d calls finished 403 in Bitrix24, want %d", refused, limited)
	}

	// A genuine callback for the number waits for the next allowed call.
	id := e.request(clientRaw, "LEAD", 5785)
	after, err := w.Run(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	cb := e.callback(id)
	free := start.Add(time.Hour) // the first forged call leaves the window
	if cb.State != callbackline.StateScheduled || !cb.NextAt.Equal(free) || after <= 0 {
		t.Fatalf("genuine callback over the limit: %s next %v (want %v) after %v", cb.State, cb.NextAt, free, after)
	}
	if h := history(t, e, id); !strings.Contains(h[len(h)-1].Note, callbackline.ReasonDialRate) {
		t.Errorf("history does not say why it waits: %+v", h[len(h)-1])
	}
	if n := e.callsTo(clientE164); n != limit {
		t.Fatalf("dialled while over the limit: %d calls", n)
	}
	// One with a maximum age that passes before the limit frees up fails.
	short := quick()
	short.MaxAge = 30 * time.Minute
	ws := e.workerWith(func(c *callback.Config) {
		c.DialLimits = dl
		c.Lines = []callbackline.Line{{Number: lineNumber, Policy: short}}
	})
	stale := e.request("+49 495 1234567", "LEAD", 5786)
	if _, err := ws.Run(context.Background(), stale); err != nil {
		t.Fatal(err)
	}
	if cb := e.callback(stale); cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, callbackline.ReasonDialRate+": ") {
		t.Errorf("callback whose max age passes first: %s %q", cb.State, cb.Reason)
	}
	// The hour frees up: the genuine callback is called.
	e.clock.Advance(free.Sub(e.clock.Now()) + time.Second)
	if _, err := w.Run(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Errorf("genuine callback after the hour: %s %q", cb.State, cb.Reason)
	}
	if n := e.callsTo(clientE164); n != limit+1 {
		t.Errorf("the number was dialled %d times in all, want %d", n, limit+1)
	}
}

func history(t *testing.T, e *env, id int64) []callbackline.HistoryEntry {
	t.Helper()
	h, err := e.store.History(context.Background(), id)
	if err != nil || len(h) == 0 {
		t.Fatalf("history: %v %v", h, err)
	}
	return h
}
