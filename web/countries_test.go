package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/web"
)

// newCountriesHarness is the harness with the countries rule as cmd wires
// it: the operator allows RU and DE; the portal's language (ru) is its own
// country.
func newCountriesHarness(t *testing.T) *harness {
	t.Helper()
	st := openSQLite(t)
	policy := phone.DefaultPolicy()
	policy.AllowedCountries = []string{"RU", "DE"}
	rule := &callback.Countries{Store: st, Policy: policy}
	h := newHarnessWith(t, st, intake.Rules{Policy: policy, Guard: rule}, testLogger(t), func(o *web.Options) { o.Countries = rule })
	h.install()
	return h
}

// do sends a request with a body and the admin token.
func (h *harness) do(method, path, body, token string) (int, string) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.url(path), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return res.StatusCode, readAll(h.t, res)
}

// countries posts the app page's countries form.
func (h *harness) countries(authID, codes string) (int, string) {
	h.t.Helper()
	res, err := http.PostForm(h.url("/bitrix24/app?DOMAIN=example.bitrix24.de&PROTOCOL=1&LANG=en"), url.Values{
		"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "AUTH_ID": {authID},
		"action": {"save_countries"}, "countries": {codes}})
	if err != nil {
		h.t.Fatal(err)
	}
	return res.StatusCode, readAll(h.t, res)
}

// storedCountries are the portal's chosen countries, "-" when none.
func (h *harness) storedCountries() string {
	h.t.Helper()
	c, err := h.store.Countries(context.Background(), exampleMember)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return "-"
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return strings.Join(c.Codes, ",")
}

// TestCountriesHostile: a form with a number abroad for a portal that
// did not allow its country is rejected (stored with the reason, never
// queued); an employee cannot allow it, nor can an administrator allow a
// country outside the operator's list or a code that is no country; once
// the administrator allows it, the same request is accepted and queued.
func TestCountriesHostile(t *testing.T) {
	h := newCountriesHarness(t)
	abroad := bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567", CRMEntityType: "LEAD", CRMEntityID: "1"}
	code, body := h.sendCallback(abroad, bitrix24test.EventOptions{})
	if status, _, reason := answer(t, body); code != http.StatusOK || status != "rejected" ||
		!strings.HasPrefix(reason, callbackline.ReasonCountry+":") || !strings.Contains(reason, "allowed countries (RU)") ||
		!strings.Contains(reason, "application page") || strings.Contains(reason, "1234567") {
		t.Fatalf("number abroad: %d %s", code, body)
	}
	// The portal's own country goes through.
	code, body = h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+7 495 123-45-67", CRMEntityType: "LEAD", CRMEntityID: "2"}, bitrix24test.EventOptions{})
	if status, _, _ := answer(t, body); code != http.StatusOK || status != "accepted" {
		t.Fatalf("number at home: %d %s", code, body)
	}
	if n := h.jobs(); n != 1 {
		t.Fatalf("jobs = %d, want 1 (the request abroad is not queued)", n)
	}

	// The page shows what is allowed and why.
	admin := h.portal.IssueTokens(1)
	code, page := h.do(http.MethodGet, "/api/v1/portals/"+exampleMember+"/countries", "", adminToken)
	if code != http.StatusOK || !strings.Contains(page, `"countries":["RU"]`) || !strings.Contains(page, `"chosen":false`) ||
		!strings.Contains(page, `"operator":["RU","DE"]`) {
		t.Fatalf("API GET: %d %s", code, page)
	}

	// An employee (or anyone without an administrator's token) cannot
	// change them.
	employee := h.portal.IssueTokens(1269)
	for name, auth := range map[string]string{"employee": employee.AccessToken, "unknown token": "0123456789abcdef", "no token": ""} {
		code, page := h.countries(auth, "RU, DE")
		if code != http.StatusForbidden || !strings.Contains(page, "only an administrator of the portal can change the countries") || strings.Contains(page, `class="saved"`) {
			t.Errorf("%s: %d %s", name, code, page)
		}
	}
	// An administrator cannot go beyond the operator's list, nor name a
	// code that is no country.
	for codes, want := range map[string]string{
		"RU, FR": "FR: outside the countries this service allows (RU, DE)",
		"DE XX":  "not ISO 3166 alpha-2 country codes (e.g. DE, AT, US): XX",
		"":       "allow at least one",
	} {
		code, page := h.countries(admin.AccessToken, codes)
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, want) || strings.Contains(page, `class="saved"`) {
			t.Errorf("%q: %d %s", codes, code, page)
		}
	}
	// Nor can the operator's API.
	if code, body := h.do(http.MethodPut, "/api/v1/portals/"+exampleMember+"/countries", `{"countries":["US"]}`, adminToken); code != http.StatusUnprocessableEntity || !strings.Contains(body, "US: outside") {
		t.Errorf("API PUT US: %d %s", code, body)
	}
	if code, body := h.do(http.MethodPut, "/api/v1/portals/"+exampleMember+"/countries", `{"countries":["DE"]}`, ""); code != http.StatusUnauthorized {
		t.Errorf("API PUT without the admin token: %d %s", code, body)
	}
	if got := h.storedCountries(); got != "-" {
		t.Fatalf("stored countries %q after refusals", got)
	}
	abroad.CRMEntityID = "5"
	code, body = h.sendCallback(abroad, bitrix24test.EventOptions{})
	if status, _, _ := answer(t, body); code != http.StatusOK || status != "rejected" {
		t.Fatalf("number abroad after refusals: %d %s", code, body)
	}

	// The administrator allows Germany: the request is taken.
	code, page = h.countries(admin.AccessToken, "ru, de")
	if code != http.StatusOK || !strings.Contains(page, `class="saved"`) || !strings.Contains(page, "<strong>RU, DE</strong>") || !strings.Contains(page, "chosen for this portal") {
		t.Fatalf("admin saves RU, DE: %d %s", code, page)
	}
	if got := h.storedCountries(); got != "RU,DE" {
		t.Fatalf("stored %q", got)
	}
	abroad.CRMEntityID = "3"
	code, body = h.sendCallback(abroad, bitrix24test.EventOptions{})
	if status, _, _ := answer(t, body); code != http.StatusOK || status != "accepted" {
		t.Fatalf("number abroad once allowed: %d %s", code, body)
	}
	if n := h.jobs(); n != 2 {
		t.Errorf("jobs = %d, want 2", n)
	}

	// The operator narrows them to Germany: Russia is refused from then on.
	code, body = h.do(http.MethodPut, "/api/v1/portals/"+exampleMember+"/countries", `{"countries":["de"]}`, adminToken)
	if code != http.StatusOK || !strings.Contains(body, `"countries":["DE"]`) || !strings.Contains(body, `"chosen":true`) {
		t.Fatalf("API PUT DE: %d %s", code, body)
	}
	code, body = h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+7 495 765-43-21", CRMEntityType: "LEAD", CRMEntityID: "4"}, bitrix24test.EventOptions{})
	if status, _, reason := answer(t, body); code != http.StatusOK || status != "rejected" || !strings.HasPrefix(reason, callbackline.ReasonCountry) {
		t.Fatalf("number at home once narrowed: %d %s", code, body)
	}
}
