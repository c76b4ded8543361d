package callback_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip/siptest"
)

// answerThenHangUp: the client answers and talks for a second.
var answerThenHangUp = siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond, ToneHz: 1000, HangupAfter: 1200 * time.Millisecond}

func TestConnectedCallIsLogged(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.request(clientRaw, "LEAD", 5785)
	if after := e.run(id); after != 0 {
		t.Fatalf("run asked to come back in %s", after)
	}
	cb := e.callback(id)
	if cb.State != callbackline.StateDone || cb.ClientAttempts != 1 {
		t.Fatalf("callback %+v", cb)
	}
	calls := e.checkCRM()
	if len(calls) != 1 {
		t.Fatalf("%d calls registered", len(calls))
	}
	c := calls[0]
	if c.Type != 4 || c.UserID != maxID || c.CRMEntityType != "LEAD" || c.CRMEntityID != 5785 || c.LineNumber != lineNumber ||
		c.ExternalCallID != callbackline.ExternalCallID(id, 1) || c.StatusCode != "200" || c.Duration < 1 {
		t.Errorf("CRM call %+v", c)
	}
	if len(c.Records) != 1 || !strings.HasSuffix(c.Records[0].FileName, ".wav") || len(c.Records[0].Content) < 1000 {
		t.Errorf("recording not attached: %+v", c.Records)
	}
	// attachRecord came after finish.
	var finishAt, attachAt int
	for i, r := range e.portal.RESTCalls("") {
		switch r.Method {
		case "telephony.externalcall.finish":
			finishAt = i
		case "telephony.externalcall.attachrecord":
			attachAt = i
		}
	}
	if attachAt < finishAt {
		t.Errorf("attachRecord (%d) before finish (%d)", attachAt, finishAt)
	}
	hist, err := e.store.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, h := range hist {
		if len(seen) == 0 || seen[len(seen)-1] != string(h.State) {
			seen = append(seen, string(h.State))
		}
	}
	want := "routing ringing_employee announcing ringing_client connected finishing done"
	if got := strings.Join(seen, " "); got != want {
		t.Errorf("states %q, want %q", got, want)
	}
}

func TestClientBusyIsRedialledThenReported(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, siptest.Behavior{Action: siptest.Busy})
	id := e.request(clientRaw, "LEAD", 5785)
	for i := 1; i <= 2; i++ {
		after := e.run(id)
		cb := e.callback(id)
		if cb.State != callbackline.StateScheduled || cb.ClientAttempts != i {
			t.Fatalf("after call %d: %+v", i, cb)
		}
		if after < 9*time.Minute || after > 10*time.Minute {
			t.Errorf("after call %d the next comes in %s, want 10 min", i, after)
		}
		// Running early does nothing.
		if again := e.run(id); again <= 0 || len(e.portal.Calls()) != i {
			t.Errorf("an early run placed a call or did not wait (%s)", again)
		}
		e.clock.Advance(10 * time.Minute)
	}
	if after := e.run(id); after != 0 {
		t.Fatalf("the third busy call still schedules (%s)", after)
	}
	cb := e.callback(id)
	if cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "client_unreachable") || cb.ClientAttempts != 3 {
		t.Fatalf("callback %+v", cb)
	}
	calls := e.checkCRM()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for _, c := range calls {
		if c.StatusCode != "486" || c.Duration != 0 {
			t.Errorf("call %s: status %s duration %d", c.CallID, c.StatusCode, c.Duration)
		}
	}
	if n := len(e.phones.Calls()); n != 6 {
		t.Errorf("%d SIP calls, want 3 to the employee and 3 to the client", n)
	}
	notes := e.portal.Notifications()
	if len(notes) != 1 || notes[0].UserID != maxID || !strings.Contains(notes[0].Message, clientE164) || !strings.Contains(notes[0].Message, "Bitte zurückrufen") {
		t.Errorf("notifications %+v", notes)
	}
	comments := e.portal.Comments()
	if len(comments) != 1 || comments[0].EntityType != "lead" || comments[0].EntityID != 5785 {
		t.Errorf("timeline comments %+v", comments)
	}
}

func TestNextEmployeeWhenFirstDoesNotAnswer(t *testing.T) {
	e := newEnv(t, callbackline.Line{Employees: []int64{annaID}, Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Ring})
	e.phones.Set(annaExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.request(clientRaw, "LEAD", 5785)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %+v", cb)
	}
	var maxCall, annaCall *siptest.Call
	for _, c := range e.phones.Calls() {
		switch c.User {
		case maxExt:
			maxCall = &c
		case annaExt:
			annaCall = &c
		}
	}
	if maxCall == nil || !maxCall.Cancelled || !maxCall.Answered.IsZero() {
		t.Errorf("the responsible's phone: %+v", maxCall)
	}
	// Sequential: the next phone rings once the first has rung out. The
	// fake phone notes when an INVITE arrives, which a busy machine may
	// delay: half the ring timeout is left for that.
	if annaCall == nil || annaCall.Answered.IsZero() || annaCall.Invited.Sub(maxCall.Invited) < quick().EmployeeRingTimeout/2 {
		t.Errorf("the next employee's phone: %+v", annaCall)
	}
	calls := e.checkCRM()
	if len(calls) != 1 || calls[0].FinishedBy != annaID {
		t.Errorf("CRM %+v", calls)
	}
	var shown bool
	for _, r := range e.portal.RESTCalls("telephony.externalCall.show") {
		if fmt.Sprint(r.Params["USER_ID"]) == "1" || fmt.Sprint(r.Params["USER_ID"]) == "[1]" {
			shown = true
		}
	}
	if !shown {
		t.Error("the call card was not shown to the next employee")
	}
}

func TestRingAllFirstAnswerWins(t *testing.T) {
	p := quick()
	p.RingMode = callbackline.RingAll
	e := newEnv(t, callbackline.Line{Employees: []int64{annaID}, Policy: p}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Ring})
	e.phones.Set(annaExt, siptest.Behavior{Action: siptest.Answer, Delay: 300 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.request(clientRaw, "LEAD", 5785)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %+v", cb)
	}
	var maxCall, annaCall siptest.Call
	for _, c := range e.phones.Calls() {
		switch c.User {
		case maxExt:
			maxCall = c
		case annaExt:
			annaCall = c
		}
	}
	// At once: one after the other, the second phone would ring only when
	// the first had rung out. Half the ring timeout is left for INVITEs
	// that a busy machine delays.
	if maxCall.Invited.IsZero() || annaCall.Invited.IsZero() || absDur(maxCall.Invited.Sub(annaCall.Invited)) > p.EmployeeRingTimeout/2 {
		t.Errorf("not rung at once: %v / %v", maxCall.Invited, annaCall.Invited)
	}
	if !maxCall.Cancelled || annaCall.Answered.IsZero() {
		t.Errorf("the other phone must stop ringing: %+v", maxCall)
	}
	e.checkCRM()
}

func TestOutsideWorkingHoursIsScheduled(t *testing.T) {
	p := quick()
	span, _ := callbackline.ParseSpan("09:00-18:00")
	p.Hours.Days[time.Monday] = []callbackline.Span{span}
	e := newEnv(t, callbackline.Line{Policy: p}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.request(clientRaw, "LEAD", 5785) // Wednesday 10:00 UTC
	after := e.run(id)
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	cb := e.callback(id)
	if cb.State != callbackline.StateScheduled || !cb.NextAt.Equal(monday) {
		t.Fatalf("callback %+v", cb)
	}
	if want := monday.Sub(e.clock.Now()); after < want-time.Second || after > want+time.Second {
		t.Errorf("come back in %s, want %s", after, want)
	}
	if len(e.portal.Calls()) != 0 || len(e.phones.Calls()) != 0 {
		t.Error("a call was placed outside working hours")
	}
	e.clock.Advance(monday.Sub(e.clock.Now()))
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Errorf("at the opening: %+v", cb)
	}
}

func TestStaleRequestIsNotCalled(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	id := e.request(clientRaw, "LEAD", 5785)
	e.clock.Advance(25 * time.Hour)
	e.run(id)
	cb := e.callback(id)
	if cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "stale") {
		t.Fatalf("callback %+v", cb)
	}
	if len(e.phones.Calls()) != 0 {
		t.Error("a stale request was called")
	}
	// It shows in the CRM's call log as a missed callback of the responsible.
	calls := e.checkCRM()
	if len(calls) != 1 || calls[0].Type != 4 || calls[0].UserID != maxID || calls[0].StatusCode != "304" || calls[0].Duration != 0 {
		t.Errorf("CRM %+v", calls)
	}
	if cb := e.callback(id); cb.State != callbackline.StateFailed {
		t.Errorf("after logging the missed call the callback is %s", cb.State)
	}
	if len(e.portal.Notifications()) != 1 {
		t.Error("the responsible was not told about the stale request")
	}
}

func TestClickToCall(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	// Bitrix24 registers the call when the employee clicks (TYPE 1).
	id := e.clickRequest(maxID)
	clicked := e.callback(id).CallID
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %+v", cb)
	}
	calls := e.checkCRM()
	if len(calls) != 1 || calls[0].CallID != clicked || calls[0].StatusCode != "200" || calls[0].Duration < 1 {
		t.Errorf("CRM %+v", calls)
	}
	for _, c := range e.phones.Calls() {
		if c.User == clientE164 && c.Answered.IsZero() {
			t.Error("the client was not connected")
		}
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// TestFailureTodo: with the policy's to-do, a final failure also puts a
// to-do on the CRM entity for the responsible; a client that does not
// answer with one call allowed fails at once.
func TestFailureTodo(t *testing.T) {
	p := quick()
	p.ClientAttempts, p.Todo = 1, true
	e := newEnv(t, callbackline.Line{Policy: p}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, siptest.Behavior{Action: siptest.Ring})
	id := e.request(clientRaw, "LEAD", 5785)
	if after := e.run(id); after != 0 {
		t.Fatalf("scheduled again in %s", after)
	}
	cb := e.callback(id)
	if cb.State != callbackline.StateFailed || !strings.Contains(cb.Reason, "304") {
		t.Fatalf("callback %+v", cb)
	}
	calls := e.checkCRM()
	if len(calls) != 1 || calls[0].StatusCode != "304" {
		t.Errorf("CRM %+v", calls)
	}
	todos := e.portal.Todos()
	if len(todos) != 1 || todos[0].OwnerTypeID != 1 || todos[0].OwnerID != 5785 || todos[0].ResponsibleID != maxID {
		t.Errorf("to-dos %+v", todos)
	}
}

// TestClientCallLimitHolds: when the last allowed call to the client was
// cut short (a restart finished it as cancelled), the callback is given
// up instead of calling the client once more.
func TestClientCallLimitHolds(t *testing.T) {
	p := quick()
	p.ClientAttempts = 1
	e := newEnv(t, callbackline.Line{Policy: p}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.request(clientRaw, "LEAD", 5785)
	cb := e.callback(id)
	cb.ClientAttempts = 1 // the one allowed call was made before a restart
	if err := e.store.Advance(context.Background(), cb, 0, callbackline.Plain("test: one call made")); err != nil {
		t.Fatal(err)
	}
	if after := e.run(id); after != 0 {
		t.Fatalf("scheduled again in %s", after)
	}
	if cb := e.callback(id); cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "client_unreachable") {
		t.Errorf("callback %+v", cb)
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Errorf("%d more calls were placed", n)
	}
}
