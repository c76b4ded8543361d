package callback_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip/siptest"
)

// mondayOnly is quick() open on Mondays 09:00–18:00 UTC only: the env's
// Wednesday 10:00 is outside.
func mondayOnly() callbackline.Policy {
	p := quick()
	span, _ := callbackline.ParseSpan("09:00-18:00")
	p.Hours.Days[time.Monday] = []callbackline.Span{span}
	return p
}

func (e *env) control(id int64, a callbackline.Action) (*callbackline.Callback, error) {
	return e.worker.Control(context.Background(), callbackline.ControlRequest{ID: id, MemberID: e.member.MemberID,
		Action: a, By: "Anna Admin (user 1)"})
}

// scheduledOutside stores a request outside working hours and runs it
// once: it waits for Monday's opening.
func (e *env) scheduledOutside() int64 {
	e.t.Helper()
	id := e.request(clientRaw, "LEAD", 5785)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateScheduled {
		e.t.Fatalf("not scheduled: %+v", cb)
	}
	return id
}

// TestCallNowOutsideHours: "call now" dials a callback waiting for the
// opening at once; the mark is gone after that dial.
func TestCallNowOutsideHours(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: mondayOnly()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.scheduledOutside()
	cb, err := e.control(id, callbackline.ActionCallNow)
	if err != nil || cb.DialNowBy == "" {
		t.Fatalf("call now: %+v %v", cb, err)
	}
	e.run(id)
	cb = e.callback(id)
	if cb.State != callbackline.StateDone || cb.DialNowBy != "" {
		t.Fatalf("after call now: %+v\n%s", cb, e.notes(id))
	}
	if n := len(e.phones.Calls()); n == 0 {
		t.Fatal("nothing was dialled")
	}
	if !strings.Contains(e.notes(id), "call now asked by Anna Admin (user 1)") {
		t.Errorf("history:\n%s", e.notes(id))
	}
}

// TestCancelNothingDialled: a cancelled callback is not dialled at its
// opening, and stays cancelled.
func TestCancelNothingDialled(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: mondayOnly()}, nil)
	id := e.scheduledOutside()
	if _, err := e.control(id, callbackline.ActionCancel); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * 24 * time.Hour) // past Monday's opening
	e.run(id)
	if cb := e.callback(id); !cb.Cancelled() || len(e.phones.Calls()) != 0 || len(e.portal.Calls()) != 0 {
		t.Fatalf("after cancel: %+v, %d SIP calls", cb, len(e.phones.Calls()))
	}
	_, err := e.control(id, callbackline.ActionCallNow)
	if callbackline.ErrorCode(err) != callbackline.ECONFLICT {
		t.Errorf("call now of a cancelled callback: %v", err)
	}
}

// TestRetry: a callback that gave up gets a new round; one older than
// max_age, or whose number was blocked since, is not retried and says why.
func TestRetry(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.worker = e.workerWith(func(c *callback.Config) {
		c.Countries = &callback.Countries{Store: e.store, Policy: phone.DefaultPolicy()}
	})
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, siptest.Behavior{Action: siptest.Reject, Status: 486})
	id := e.request(clientRaw, "LEAD", 5785)
	for range 10 {
		if after := e.run(id); after == 0 {
			break
		}
		e.clock.Advance(time.Hour)
	}
	cb := e.callback(id)
	if cb.State != callbackline.StateFailed {
		t.Fatalf("did not give up: %+v\n%s", cb, e.notes(id))
	}
	calls := len(e.phones.Calls())

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.store.SaveBlockedNumbers(context.Background(), &callbackline.Blocked{MemberID: e.member.MemberID,
		Entries: []string{clientE164}, UpdatedAt: e.clock.Now()}))
	_, err := e.control(id, callbackline.ActionRetry)
	if callbackline.ErrorCode(err) != callbackline.EINVALID || !strings.Contains(err.Error(), "number_blocked") {
		t.Fatalf("retry of a blocked number: %v", err)
	}
	must(e.store.SaveBlockedNumbers(context.Background(), &callbackline.Blocked{MemberID: e.member.MemberID,
		Entries: []string{}, UpdatedAt: e.clock.Now()}))

	e.phones.Set(clientE164, answerThenHangUp)
	got, err := e.control(id, callbackline.ActionRetry)
	if err != nil || got.State != callbackline.StateScheduled || got.ClientAttempts != 0 {
		t.Fatalf("retry: %+v %v", got, err)
	}
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone || len(e.phones.Calls()) <= calls {
		t.Fatalf("after retry: %+v\n%s", cb, e.notes(id))
	}

	old := e.request("+49 495 7654321", "LEAD", 5785)
	e.clock.Advance(25 * time.Hour)
	e.run(old) // stale
	_, err = e.control(old, callbackline.ActionRetry)
	if callbackline.ErrorCode(err) != callbackline.EINVALID || !strings.Contains(err.Error(), "max_age") {
		t.Fatalf("retry of a stale request: %v", err)
	}
	if cb := e.callback(old); cb.State != callbackline.StateFailed {
		t.Errorf("a refused retry changed the callback: %+v", cb)
	}
}

// TestAutoClose: a callback waiting for the opening closes by itself when
// the client called in and was answered since the request (their number
// as Bitrix24 logs it, without "+"), or was called by an employee; an
// unanswered call in, a call before the request, or a failed look-up
// leave it to be dialled.
func TestAutoClose(t *testing.T) {
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	t.Run("called in", func(t *testing.T) {
		e := newEnv(t, callbackline.Line{Policy: mondayOnly()}, nil)
		id := e.scheduledOutside()
		e.portal.LogCall(bitrix24test.LoggedCall{Type: 2, Phone: strings.TrimPrefix(clientE164, "+"), Line: "4930123456",
			UserID: maxID, Start: e.clock.Now().Add(-time.Hour), Duration: 60}) // before the request
		e.portal.LogCall(bitrix24test.LoggedCall{Type: 2, Phone: clientE164, Code: "304",
			Start: e.clock.Now().Add(time.Hour)}) // missed
		e.portal.LogCall(bitrix24test.LoggedCall{Type: 2, Phone: strings.TrimPrefix(clientE164, "+"), Line: "4930123456",
			UserID: maxID, Start: e.clock.Now().Add(2 * time.Hour), Duration: 60})
		e.clock.Advance(monday.Sub(e.clock.Now()))
		e.run(id)
		cb := e.callback(id)
		if cb.State != callbackline.StateDone || !strings.HasPrefix(cb.Reason, "already_called: the client called in at 2026-11-25 12:00 UTC") {
			t.Fatalf("callback %+v\n%s", cb, e.notes(id))
		}
		if len(e.phones.Calls()) != 0 || len(e.portal.Calls()) != 0 {
			t.Error("a callback closed by itself was dialled")
		}
		if !strings.Contains(e.notes(id), "closed: the client called in at") {
			t.Errorf("history:\n%s", e.notes(id))
		}
	})
	t.Run("called by an employee", func(t *testing.T) {
		e := newEnv(t, callbackline.Line{Policy: mondayOnly()}, nil)
		id := e.scheduledOutside()
		e.portal.LogCall(bitrix24test.LoggedCall{Type: 1, Phone: clientE164, UserID: maxID,
			Start: e.clock.Now().Add(time.Hour), Duration: 90})
		e.clock.Advance(monday.Sub(e.clock.Now()))
		e.run(id)
		cb := e.callback(id)
		if cb.State != callbackline.StateDone || !strings.Contains(cb.Reason, "was called at 2026-11-25 11:00 UTC by Max Müller (user 1269)") {
			t.Fatalf("callback %+v\n%s", cb, e.notes(id))
		}
	})
	t.Run("look-up fails", func(t *testing.T) {
		e := newEnv(t, callbackline.Line{Policy: mondayOnly()}, nil)
		e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
		e.phones.Set(clientE164, answerThenHangUp)
		id := e.scheduledOutside()
		e.portal.LogCall(bitrix24test.LoggedCall{Type: 2, Phone: clientE164, Start: e.clock.Now().Add(time.Hour), Duration: 60})
		e.portal.InjectFault("voximplant.statistic.get", bitrix24test.Fault{Status: 403, Code: "ACCESS_DENIED", Description: "Access denied!"})
		e.clock.Advance(monday.Sub(e.clock.Now()))
		e.run(id)
		if cb := e.callback(id); cb.State != callbackline.StateDone || cb.Reason != "" || len(e.phones.Calls()) == 0 {
			t.Fatalf("a failed look-up blocked the callback: %+v\n%s", cb, e.notes(id))
		}
	})
}
