package web_test

import (
	"context"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/intake"
)

// TestOfflineSafetyNet: a callback request whose online delivery was lost
// is recovered from the portal's offline queue through the intake (Intake.TakeRequest), as the online path; one
// that arrived on both paths stays one callback.
func TestOfflineSafetyNet(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	h.portal.FinishInstall()
	p, err := h.store.Portal(ctx, exampleMember)
	if err != nil {
		t.Fatal(err)
	}
	crm := bitrix24.NewClient(h.portal.OAuth(), h.store)
	if err := crm.BindOfflineEvents(ctx, p); err != nil {
		t.Fatal(err)
	}
	poller := &bitrix24.OfflinePoller{Client: crm, Portals: h.store.Portals, Handle: h.intake.TakeRequest}

	// Online handlers at an address where nothing answers: the delivery is lost.
	lost := "http://127.0.0.1:1/bitrix24/events"
	for _, ev := range []string{"ONEXTERNALCALLBACKSTART", "ONEXTERNALCALLSTART"} {
		if err := crm.BindEvent(ctx, p, ev, lost); err != nil {
			t.Fatal(err)
		}
	}
	req := bitrix24test.CallbackRequest{PhoneNumber: "+7 (495) 123-45-67", CRMEntityType: "CONTACT", CRMEntityID: "797"}
	if err := h.portal.SubmitCallbackForm(ctx, req); err == nil {
		t.Fatal("the online delivery to a dead address did not fail")
	}
	if n := len(h.callbacks()); n != 0 {
		t.Fatalf("%d callbacks before polling", n)
	}
	if err := poller.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	list := h.callbacks()
	if len(list) != 1 || list[0].Phone != "+74951234567" || list[0].State != callbackline.StateReceived || h.jobs() != 1 {
		t.Fatalf("after polling: %+v, %d jobs", list, h.jobs())
	}
	// Confirmed: polling again brings nothing new.
	if err := poller.PollOnce(ctx); err != nil || len(h.callbacks()) != 1 {
		t.Errorf("second poll: %v, %d callbacks", err, len(h.callbacks()))
	}

	// Both paths: the online delivery works now; the offline copy is a duplicate.
	for _, ev := range []string{"ONEXTERNALCALLBACKSTART", "ONEXTERNALCALLSTART"} {
		if _, err := crm.UnbindEvent(ctx, p, ev, lost); err != nil {
			t.Fatal(err)
		}
		if err := crm.BindEvent(ctx, p, ev, h.url("/bitrix24/events")); err != nil {
			t.Fatal(err)
		}
	}
	req.CRMEntityID = "798"
	if err := h.portal.SubmitCallbackForm(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := poller.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	list = h.callbacks()
	if len(list) != 2 || list[0].Duplicates != 1 || h.jobs() != 2 {
		t.Errorf("both paths: %d callbacks (newest duplicates %d), %d jobs", len(list), list[0].Duplicates, h.jobs())
	}
}
