package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestLinesSyncedAtStart: a line added to the configuration reaches the
// installed portal when the service starts again, without a reinstall.
func TestLinesSyncedAtStart(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	svc := r.start()
	r.installAndSubmitNothing()
	r.waitLines(1)
	svc.stop(t)

	r.editConf(func(s string) string {
		return strings.Replace(s, "lines:\n", "lines:\n  - number: \"4930123456\"\n    name: Sales\n", 1)
	})
	svc = r.start()
	defer svc.stop(t)
	r.waitLines(2)
	for _, h := range r.portal.Handlers() {
		if h.Handler != "http://"+r.addr+"/bitrix24/events" {
			t.Errorf("handler %+v", h)
		}
	}
	if n := len(r.portal.Handlers()); n != 3 {
		t.Errorf("%d handlers bound after two starts, want 3", n)
	}
}

// TestPortalLinesFromAppPage: a portal's administrator saves lines of the
// portal's own on the app page; the service registers them in the portal
// at once, and a callback request on the new line is served by it (here:
// a fixed target instead of the CRM responsible). Other users cannot.
func TestPortalLinesFromAppPage(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	svc := r.start()
	defer svc.stop(t)
	ctx := context.Background()
	r.installAndSubmitNothing()
	r.waitLines(1)
	save := func(user int64) int {
		code, _ := r.appAs(user, url.Values{"action": {"save_lines"},
			"lines": {"- number: north\n  name: North office\n  target: \"600\"\n  target_user: 1\n  policy:\n    announce: false\n"}})
		return code
	}
	if code := save(1269); code != http.StatusForbidden {
		t.Fatalf("an employee saved lines: %d", code)
	}
	if code := save(1); code != http.StatusOK {
		t.Fatalf("the administrator's save: %d", code)
	}
	if err := within(time.Minute, func() bool {
		for _, l := range r.portal.Lines() {
			if l.Number == "north" && l.Name == "North office" {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("the saved line was not registered in the portal: %+v", r.portal.Lines())
	}

	r.answer("600")
	r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer})
	r.clientsAnswer(crashClient)
	if err := r.portal.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: "+49 495 1234567",
		CRMEntityType: "LEAD", CRMEntityID: "5785", LineNumber: "north"}); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool {
		calls := r.portal.Calls()
		return len(calls) == 1 && calls[0].Finished
	}); err != nil {
		t.Fatalf("the callback on the portal's line did not finish: %+v", r.portal.Calls())
	}
	c := r.portal.Calls()[0]
	if c.LineNumber != "north" || c.UserID != 1 || c.StatusCode != "200" {
		t.Errorf("CRM call %+v, want line north registered for the target's user 1, connected", c)
	}
	if n, answered := r.callsTo("600"); n != 1 || answered != 1 {
		t.Errorf("the line's target rang %d times (%d answered), want once", n, answered)
	}
	if n, _ := r.callsTo(crashExt); n != 0 {
		t.Errorf("the configured line's routing rang the CRM responsible %d times", n)
	}
}
