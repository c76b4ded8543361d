package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// noticesOf are the portal's notifications about a problem (their tag).
func noticesOf(p *bitrix24test.Portal, problem string) []bitrix24test.Notification {
	var out []bitrix24test.Notification
	for _, n := range p.Notifications() {
		if n.Tag == "callbackline.notice."+problem {
			out = append(out, n)
		}
	}
	return out
}

// failedCount is how many callbacks the API lists as failed.
func (r *b24Rig) failedCount() int {
	var list struct {
		Callbacks []struct{} `json:"callbacks"`
	}
	if err := r.api("/api/v1/callbacks?state=failed", &list); err != nil {
		r.t.Fatal(err)
	}
	return len(list.Callbacks)
}

// submitNumber is a visitor with the number asking for a callback.
func (r *b24Rig) submitNumber(number string) {
	r.t.Helper()
	if err := r.portal.SubmitCallbackForm(context.Background(), bitrix24test.CallbackRequest{PhoneNumber: number,
		Text: "Bitte um Rückruf.", LineNumber: "callbackline"}); err != nil {
		r.t.Fatal(err)
	}
}

// TestNotifyAdministrators runs through the built binary against the
// simulated portal: callbacks that fail in a row (notify.failures_in_a_row
// 3) tell the portal's administrator exactly once, in the portal's
// language, however many more fail; a callback that succeeds then tells
// them exactly once that it is fixed.
func TestNotifyAdministrators(t *testing.T) {
	bin := buildBinary(t)
	r := newB24Rig(t, bin, b24Lines(b24Line), "notify:\n  failures_in_a_row: 3\n")
	r.portal.DenyOutgoing(1) // every call is refused: the callbacks fail
	svc := r.start()
	defer svc.stop(t)
	r.install()
	for i := range 2 {
		r.submitNumber(fmt.Sprintf("+49 495 12345%02d", i))
		if err := within(time.Minute, func() bool { return r.failedCount() == i+1 }); err != nil {
			t.Fatalf("callback %d did not fail", i+1)
		}
	}
	if n := noticesOf(r.portal, "callbacks"); len(n) != 0 {
		t.Fatalf("told after 2 failures: %+v", n)
	}
	r.submitNumber("+49 495 1234502")
	if err := within(time.Minute, func() bool { return len(noticesOf(r.portal, "callbacks")) > 0 }); err != nil {
		t.Fatal("the administrators were not told after 3 failures in a row")
	}
	r.submitNumber("+49 495 1234503")
	if err := within(time.Minute, func() bool { return r.failedCount() == 4 }); err != nil {
		t.Fatal("the fourth callback did not fail")
	}
	r.portal.AllowOutgoing(1)
	r.submitNumber("+49 495 1234504")
	vc := r.voxCalls(1)[0]
	r.end(vc.CallID, "200", 30, false)
	if err := within(time.Minute, func() bool { return len(noticesOf(r.portal, "callbacks")) >= 2 }); err != nil {
		t.Fatal("the administrators were not told that callbacks succeed again")
	}
	// One more success and a while for a late duplicate: nothing more.
	r.submitNumber("+49 495 1234505")
	vc = r.voxCalls(2)[1]
	r.end(vc.CallID, "200", 30, false)
	if err := within(time.Minute, func() bool {
		var list struct {
			Callbacks []struct{} `json:"callbacks"`
		}
		return r.api("/api/v1/callbacks?state=done", &list) == nil && len(list.Callbacks) == 2
	}); err != nil {
		t.Fatal("the last callback was not done")
	}
	got := noticesOf(r.portal, "callbacks")
	if len(got) != 2 {
		t.Fatalf("%d notices, want one problem and one fix: %+v", len(got), got)
	}
	if got[0].UserID != 1 || !strings.Contains(got[0].Message, "Rückrufe sind nacheinander fehlgeschlagen") {
		t.Errorf("the problem's notice: %+v", got[0])
	}
	if got[1].UserID != 1 || !strings.Contains(got[1].Message, "Ein Rückruf ist wieder gelungen") || !got[0].Replaced {
		t.Errorf("the fix's notice: %+v (the problem's replaced: %v)", got[1], got[0].Replaced)
	}
	if !logHas(t, r.log.Name(), "the portal's administrators were told") {
		t.Error("the delivery was not logged")
	}
}
