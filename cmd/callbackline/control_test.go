package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestControlByHand, through the binary: the line is closed now, so both
// requests wait for its opening. An employee cannot act on them (403); the
// administrator's "call now" dials the first at once, outside working
// hours; the second client called in meanwhile (Bitrix24's call log), so
// "call now" finds it closed by itself before dialling, and its number
// never rings.
func TestControlByHand(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	closedDay := strings.ToLower(time.Now().UTC().AddDate(0, 0, 3).Weekday().String())
	r.editConf(func(s string) string {
		return strings.Replace(s, "    name: callbackline\n", "    name: callbackline\n    policy:\n      hours:\n        time_zone: UTC\n        "+
			closedDay+": [\"09:00-09:01\"]\n", 1)
	})
	const (
		maxExt  = "101"
		first   = "+494951234567"
		second  = "+494957654321"
		minutes = 2 * time.Minute
	)
	r.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	for _, n := range []string{first, second} {
		r.phones.Set(n, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond, ToneHz: 1000, HangupAfter: time.Second})
	}
	svc := r.start()
	defer svc.stop(t)
	r.installAndSubmitNothing()
	r.submit("+49 495 1234567")
	if err := r.portal.SubmitCallbackForm(t.Context(), bitrix24test.CallbackRequest{PhoneNumber: "+49 495 7654321",
		CRMEntityType: "LEAD", CRMEntityID: "5786"}); err != nil {
		t.Fatal(err)
	}
	if err := within(minutes, func() bool { return strings.Count(r.appPage(), `data-state="scheduled"`) == 2 }); err != nil {
		t.Fatalf("the requests did not wait for the opening:\n%s", r.appPage())
	}
	if n := len(r.phones.Calls()); n != 0 {
		t.Fatalf("%d calls outside working hours", n)
	}
	act := func(user int64, id, do string) (int, string) {
		return r.appAs(user, url.Values{"action": {"control"}, "callback_id": {id}, "do": {do}})
	}
	if status, page := act(1269, "1", "call"); status != http.StatusForbidden || !strings.Contains(page, "only an administrator") {
		t.Errorf("an employee's call now: %d", status)
	}
	if status, page := act(1, "1", "call"); status != http.StatusOK || !strings.Contains(page, "is being dialled now, even outside working hours") {
		t.Fatalf("call now: %d\n%s", status, page)
	}
	if err := within(minutes, func() bool {
		n, answered := r.callsTo(first)
		calls := r.portal.Calls()
		return n == 1 && answered == 1 && len(calls) == 1 && calls[0].Finished
	}); err != nil {
		t.Fatalf("call now did not dial the first request: %+v", r.portal.Calls())
	}

	r.portal.LogCall(bitrix24test.LoggedCall{Type: 2, Phone: strings.TrimPrefix(second, "+"), Line: "4930123456",
		UserID: 1269, Start: time.Now(), Duration: 42})
	if status, page := act(1, "2", "call"); status != http.StatusOK {
		t.Fatalf("call now of the second: %d\n%s", status, page)
	}
	if err := within(minutes, func() bool {
		return strings.Contains(r.appPage(), "closed: the client called in at")
	}); err != nil {
		t.Fatalf("the second request did not close by itself:\n%s", r.appPage())
	}
	if n, _ := r.callsTo(second); n != 0 {
		t.Errorf("the number that called in rang %d times", n)
	}
	if err := within(minutes, func() bool { return strings.Count(r.appPage(), `data-state="done"`) == 2 }); err != nil {
		t.Errorf("not both done:\n%s", r.appPage())
	}
}
