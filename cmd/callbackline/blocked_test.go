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

// TestBlockedNumbers: a portal's blocked numbers, through the binary. An
// employee cannot save the list (403), a malformed entry is refused
// naming it (422); once the administrator blocks a prefix, a form for a
// number under it is rejected (number_blocked) and nothing is dialled,
// while another number rings.
func TestBlockedNumbers(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	const (
		blocked = "+49301234567"
		allowed = "+49307654321"
		maxExt  = "101"
	)
	r.answer(maxExt)
	r.clientsAnswer(blocked, allowed)
	svc := r.start()
	defer svc.stop(t)
	ctx := context.Background()
	r.installAndSubmitNothing()
	r.waitLines(1)
	app := r.appAs
	save := url.Values{"action": {"save_blocked"}, "blocked": {"+49 30 1234*"}}
	if status, page := app(1269, save); status != http.StatusForbidden || !strings.Contains(page, "only an administrator of the portal can change the blocked numbers") {
		t.Errorf("an employee's save: %d", status)
	}
	if status, page := app(1, url.Values{"action": {"save_blocked"}, "blocked": {"030 1234567"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "entry 1: &#34;030 1234567&#34;: start with &#43; and the country code") {
		t.Errorf("a malformed entry: %d", status)
	}
	if status, page := app(1, save); status != http.StatusOK || !strings.Contains(page, `class="saved"`) || !strings.Contains(page, "&#43;49301234*") {
		t.Fatalf("the administrator's save: %d\n%s", status, page)
	}

	form := bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567", CRMEntityType: "LEAD", CRMEntityID: "5785"}
	if err := r.portal.SubmitCallbackForm(ctx, form); err != nil {
		t.Fatal(err)
	}
	_, page := app(1, url.Values{})
	if !strings.Contains(page, `data-state="rejected"`) || !strings.Contains(page, "the number is on the list of blocked numbers") {
		t.Fatalf("the app page does not show the blocked request:\n%s", page)
	}
	form.PhoneNumber, form.CRMEntityID = "+49 30 7654321", "5786"
	if err := r.portal.SubmitCallbackForm(ctx, form); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool {
		calls := r.portal.Calls()
		return len(calls) == 1 && calls[0].Finished
	}); err != nil {
		t.Fatalf("the allowed callback did not finish: %+v", r.portal.Calls())
	}
	if n, _ := r.callsTo(blocked); n != 0 {
		t.Errorf("the blocked number rang %d times", n)
	}
	if n, answered := r.callsTo(allowed); n != 1 || answered != 1 {
		t.Errorf("the allowed number rang %d times (%d answered), want once", n, answered)
	}
}
