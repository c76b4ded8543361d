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

// TestHostileCountries: no dialling abroad by surprise, through the
// binary. The operator allows DE and AT; the portal's own country is DE
// (its language). A form with an Austrian number is rejected with the
// reason and nothing is dialled; an employee cannot allow Austria, an
// administrator cannot allow France (outside the operator's list); once
// the administrator allows Austria, the same request rings the client.
func TestHostileCountries(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	r.editConf(func(s string) string { return s + "intake:\n  allowed_countries: [DE, AT]\n" })
	const (
		vienna = "+4315123456"
		maxExt = "101"
	)
	r.answer(maxExt)
	r.clientsAnswer(vienna)
	svc := r.start()
	defer svc.stop(t)
	ctx := context.Background()
	r.installAndSubmitNothing()
	r.waitLines(1)

	app := r.appAs
	form := bitrix24test.CallbackRequest{PhoneNumber: "+43 1 5123456", CRMEntityType: "LEAD", CRMEntityID: "5785"}
	if err := r.portal.SubmitCallbackForm(ctx, form); err != nil {
		t.Fatal(err)
	}
	_, page := app(1, url.Values{})
	if !strings.Contains(page, `data-state="rejected"`) || !strings.Contains(page, "the number&#39;s country is not allowed") ||
		!strings.Contains(page, "outside the allowed countries (DE)") || !strings.Contains(page, "<strong>DE</strong> (the portal&#39;s own country") {
		t.Fatalf("the app page does not show the rejection:\n%s", page)
	}

	// An employee cannot allow Austria; the administrator cannot allow
	// France.
	if status, page := app(1269, url.Values{"action": {"save_countries"}, "countries": {"DE, AT"}}); status != http.StatusForbidden ||
		!strings.Contains(page, "only an administrator of the portal can change the countries") {
		t.Errorf("an employee's save: %d", status)
	}
	if status, page := app(1, url.Values{"action": {"save_countries"}, "countries": {"DE, FR"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "FR: outside the countries this service allows (DE, AT)") {
		t.Errorf("France: %d", status)
	}
	if n := len(r.portal.Calls()); n != 0 {
		t.Fatalf("%d calls registered for a rejected request", n)
	}

	// The administrator allows Austria: the request rings.
	if status, page := app(1, url.Values{"action": {"save_countries"}, "countries": {"DE, AT"}}); status != http.StatusOK || !strings.Contains(page, `class="saved"`) {
		t.Fatalf("the administrator's save: %d\n%s", status, page)
	}
	form.CRMEntityID = "5786"
	if err := r.portal.SubmitCallbackForm(ctx, form); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool {
		calls := r.portal.Calls()
		return len(calls) == 1 && calls[0].Finished
	}); err != nil {
		t.Fatalf("the allowed callback did not finish: %+v", r.portal.Calls())
	}
	if c := r.portal.Calls()[0]; c.StatusCode != "200" {
		t.Errorf("CRM call %+v, want connected", c)
	}
	if n, answered := r.callsTo(vienna); n != 1 || answered != 1 {
		t.Errorf("the client rang %d times (%d answered), want once: the rejected request is never dialled", n, answered)
	}
}
