package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// TestHostileExtensions: the employee side is never dialled outside the
// trunk's extension rule. A portal's administrator cannot save a line
// whose target is a public number or a feature code; an employee whose
// UF_PHONE_INNER is one is skipped (the app page says why, without the
// whole number) while the genuine flow around it still works: the next
// employee takes the call and the client is connected.
func TestHostileExtensions(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	// The configured line tries Anna Admin (user 1, extension 100) after
	// the CRM responsible.
	r.editConf(func(s string) string {
		return strings.Replace(s, "    name: callbackline\n", "    name: callbackline\n    employees: [1]\n", 1)
	})
	const (
		number  = "0090012345678" // through the PBX: a call abroad
		code    = "*8101"         // a PBX feature code
		annaExt = "100"
	)
	r.answer(number, code, annaExt)
	r.clientsAnswer(crashClient)
	svc := r.start()
	defer svc.stop(t)
	ctx := context.Background()
	// The form names the configured line: wait until the events are bound
	// and the line is registered in the portal.
	r.installAndSubmitNothing()
	r.waitLines(1)

	app := func(form url.Values) (int, string) { return r.appAs(1, form) }
	// Saving: the administrator's own line cannot ring a number or a code.
	for _, target := range []string{number, code, "+4930123456", "12#"} {
		status, page := app(url.Values{"action": {"save_lines"},
			"lines": {"- number: north\n  target: \"" + target + "\"\n  target_user: 1\n"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "is not an extension the trunk allows") {
			t.Errorf("target %q: status %d", target, status)
		}
	}
	for _, l := range r.portal.Lines() {
		if l.Number == "north" {
			t.Errorf("a refused line reached the portal: %+v", l)
		}
	}

	// Routing: the CRM responsible's extension is a number abroad.
	if !r.portal.UpdateUser(1269, func(u *bitrix24test.User) { u.PhoneInner = number }) {
		t.Fatal("no user 1269")
	}
	if err := r.portal.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: "+49 495 1234567",
		CRMEntityType: "LEAD", CRMEntityID: "5785"}); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool {
		calls := r.portal.Calls()
		return len(calls) == 1 && calls[0].Finished
	}); err != nil {
		t.Fatalf("the callback did not finish: %+v", r.portal.Calls())
	}
	if c := r.portal.Calls()[0]; c.UserID != 1 || c.StatusCode != "200" {
		t.Errorf("CRM call %+v, want Anna's, connected", c)
	}
	if n, answered := r.callsTo(annaExt); n != 1 || answered != 1 {
		t.Errorf("the next employee rang %d times (%d answered)", n, answered)
	}
	for _, ext := range []string{number, code} {
		if n, _ := r.callsTo(ext); n != 0 {
			t.Errorf("%s was dialled %d times", ext, n)
		}
	}
	_, page := app(url.Values{})
	if !strings.Contains(page, "Max Müller is skipped: extension &#34;***********78&#34; breaks the trunk&#39;s extension rule") {
		t.Errorf("the app page does not show why the responsible was skipped:\n%s", page)
	}
	if strings.Contains(page, number) {
		t.Errorf("the app page shows the whole number %s", number)
	}
}
