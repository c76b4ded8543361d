package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/store/sqlite"
)

// TestHostileClickToCallFlood: click-to-call events reach the service
// with the application token, which every user who opens the app sees.
// 50 of them for one number, through the built binary with
// intake.number_dial_limit 3: the number is dialled 3 times in the hour,
// the other 47 calls are finished in Bitrix24 undialled (403). A genuine
// callback request for the same number waits for the next allowed call
// (scheduled, the history says why); one for another number is called
// and connected as usual.
func TestHostileClickToCallFlood(t *testing.T) {
	const limit, forged = 3, 50
	const other = "+494951234568"
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	r.editConf(func(s string) string { return s + "intake:\n  number_dial_limit: 3\n" })
	talk := siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond, ToneHz: 1000, HangupAfter: time.Second}
	r.answer(crashExt)
	r.phones.Set(crashClient, talk)
	r.phones.Set(other, talk)
	svc := r.start()
	r.installAndSubmitNothing()
	ctx := context.Background()
	for i := range forged {
		if _, err := r.portal.ClickToCall(ctx, bitrix24test.ClickToCall{UserID: 1269, PhoneNumber: crashClient}); err != nil {
			t.Fatalf("click %d: %v", i, err)
		}
	}
	finished := func(n int) func() bool {
		return func() bool {
			calls := r.portal.Calls()
			if len(calls) < n {
				return false
			}
			for _, c := range calls {
				if !c.Finished {
					return false
				}
			}
			return true
		}
	}
	if err := within(5*time.Minute, finished(forged)); err != nil {
		t.Fatalf("the click-to-calls were not all finished: %d calls", len(r.portal.Calls()))
	}
	if n, _ := r.callsTo(crashClient); n != limit {
		t.Fatalf("the number was dialled %d times, want %d", n, limit)
	}
	refused := 0
	for _, c := range r.portal.Calls() {
		if c.StatusCode == "403" {
			refused++
		}
	}
	if refused != forged-limit {
		t.Errorf("%d calls finished 403 (undialled), want %d", refused, forged-limit)
	}
	// A genuine request for another number is called at once; one for
	// the flooded number waits.
	// (Contact 797, not lead 5785, which the clicks were for: the same
	// entity would fold the request into a click-to-call's callback.)
	for _, n := range []string{crashClient, other} {
		if err := r.portal.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: n,
			CRMEntityType: "CONTACT", CRMEntityID: "797"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := within(3*time.Minute, func() bool {
		calls := r.portal.Calls()
		return len(calls) == forged+1 && finished(forged+1)()
	}); err != nil {
		t.Fatalf("the genuine callback for another number did not finish: %d calls", len(r.portal.Calls()))
	}
	if c := r.portal.Calls()[forged]; c.StatusCode != "200" {
		t.Errorf("the genuine callback's call: %+v", c)
	}
	if n, answered := r.callsTo(other); n != 1 || answered != 1 {
		t.Errorf("the other number rang %d times (%d answered)", n, answered)
	}
	// The app page shows the flooded number's callback waiting, and why.
	if err := within(2*time.Minute, func() bool {
		page := r.appPage()
		return strings.Contains(page, `data-state="scheduled"`) && strings.Contains(page, callbackline.ReasonDialRate)
	}); err != nil {
		t.Fatalf("the app page does not show the callback waiting for the dial limit:\n%s", r.appPage())
	}
	svc.stop(t)
	if n, _ := r.callsTo(crashClient); n != limit {
		t.Errorf("the flooded number was dialled %d times in all, want %d", n, limit)
	}
	st, err := sqlite.Open(ctx, "sqlite:"+r.dir+"/callbackline.db", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list, err := st.Callbacks(ctx, callbackline.CallbackFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	waiting := 0
	for _, cb := range list {
		if cb.Kind != callbackline.KindCallback || cb.Phone != crashClient {
			continue
		}
		h, err := st.History(ctx, cb.ID)
		if err != nil || len(h) == 0 {
			t.Fatalf("history: %v", err)
		}
		if cb.State != callbackline.StateScheduled || !strings.Contains(h[len(h)-1].Note, callbackline.ReasonDialRate) {
			t.Errorf("the genuine callback for the flooded number: %s, last note %q", cb.State, h[len(h)-1].Note)
		}
		waiting++
	}
	if waiting != 1 {
		t.Errorf("%d callbacks for the flooded number, want 1", waiting)
	}
}
