package callback_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// setExtension sets a portal user's UF_PHONE_INNER.
func (e *env) setExtension(id int64, ext string) {
	e.t.Helper()
	if !e.portal.UpdateUser(id, func(u *bitrix24test.User) { u.PhoneInner = ext }) {
		e.t.Fatalf("no user %d", id)
	}
}

// notes returns the callback's history notes, one a line.
func (e *env) notes(id int64) string {
	e.t.Helper()
	hist, err := e.store.History(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var b strings.Builder
	for _, h := range hist {
		b.WriteString(string(h.State) + ": " + h.Note + "\n")
	}
	return b.String()
}

// An employee whose UF_PHONE_INNER is a feature code is skipped: nothing
// is sent to it, the history says why, and the next employee rings.
func TestEmployeeExtensionOutsideRuleSkipped(t *testing.T) {
	e := newEnv(t, callbackline.Line{Employees: []int64{annaID}, Policy: quick()}, nil)
	e.setExtension(maxID, "*8101") // the responsible of lead 5785
	e.phones.Set("*8101", siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(annaExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.request(clientRaw, "LEAD", 5785)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %+v\n%s", cb, e.notes(id))
	}
	if n := e.callsTo("*8101"); n != 0 {
		t.Errorf("the feature code was dialled %d times", n)
	}
	if n := e.callsTo(annaExt); n != 1 {
		t.Errorf("the next employee's phone rang %d times", n)
	}
	notes := e.notes(id)
	if !strings.Contains(notes, `routing: Max Müller is skipped: extension "*8101" breaks the trunk's extension rule`) {
		t.Errorf("the history does not say why:\n%s", notes)
	}
	if calls := e.checkCRM(); len(calls) != 1 || calls[0].UserID != annaID {
		t.Errorf("CRM %+v", calls)
	}
}

// An extension that could be a phone number is not dialled and not
// written whole; with nobody left the callback fails the usual way and
// the responsible is told.
func TestPhoneNumberExtensionNeverDialled(t *testing.T) {
	p := quick()
	p.EmployeeRounds = 1
	e := newEnv(t, callbackline.Line{Policy: p}, nil)
	const number = "0090012345678"
	e.setExtension(maxID, number)
	e.phones.Set(number, siptest.Behavior{Action: siptest.Answer})
	id := e.request(clientRaw, "LEAD", 5785)
	e.run(id)
	cb := e.callback(id)
	if cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "no_employee") {
		t.Fatalf("callback %+v\n%s", cb, e.notes(id))
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Errorf("%d SIP calls", n)
	}
	notes := e.notes(id)
	if !strings.Contains(notes, `extension "***********78" breaks`) || strings.Contains(notes+cb.Reason, number) {
		t.Errorf("the history does not say why, or shows the number:\n%s\n%s", notes, cb.Reason)
	}
	msgs := e.portal.Notifications()
	if len(msgs) != 1 || msgs[0].UserID != maxID || !strings.Contains(msgs[0].Message, "extension rule") || strings.Contains(msgs[0].Message, number) {
		t.Errorf("notifications %+v", msgs)
	}
}

// A click-to-call by an employee whose extension breaks the rule is not
// placed: its call is finished with 480 and the history says why.
func TestClickToCallExtensionOutsideRule(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.setExtension(maxID, "*8101")
	e.phones.Set("*8101", siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.clickRequest(maxID)
	e.run(id)
	cb := e.callback(id)
	if cb.State != callbackline.StateFailed || !strings.Contains(cb.Reason, "extension rule") {
		t.Fatalf("callback %+v", cb)
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Errorf("%d SIP calls", n)
	}
	if calls := e.checkCRM(); len(calls) != 1 || calls[0].StatusCode != "480" {
		t.Errorf("CRM %+v", calls)
	}
}

// A line's fixed target is checked again at routing (the rule may have
// changed since the line was saved): nothing is dialled.
func TestTargetOutsideRuleNotDialled(t *testing.T) {
	p := quick()
	p.EmployeeRounds = 1
	e := newEnv(t, callbackline.Line{Target: "*8101", TargetUser: annaID, Policy: p}, nil)
	e.phones.Set("*8101", siptest.Behavior{Action: siptest.Answer})
	id := e.request(clientRaw, "LEAD", 5785)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateFailed {
		t.Fatalf("callback %+v", cb)
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Errorf("%d SIP calls", n)
	}
	if notes := e.notes(id); !strings.Contains(notes, `line target is skipped: extension "*8101"`) {
		t.Errorf("history:\n%s", notes)
	}
}
