package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/web"
)

// TestAppPageLimits: the app page takes the frame POST with the same body
// limit as the other handlers and answers an oversized one 413 in JSON;
// the page with the portal's callbacks (clients' numbers) is not stored
// in caches.
func TestAppPageLimits(t *testing.T) {
	h := newHarness(t, openSQLite(t), web.Intake{})
	h.install()
	h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567"}, bitrix24test.EventOptions{})

	big := url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "PAD": {strings.Repeat("x", 70<<10)}}
	code, body := h.post("/bitrix24/app", "application/x-www-form-urlencoded", []byte(big.Encode()))
	if code != http.StatusRequestEntityTooLarge || errorCode(t, body) != callbackline.ETOOLARGE {
		t.Errorf("oversized frame POST: %d %s", code, body)
	}

	form := url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}}
	res, err := http.PostForm(h.url("/bitrix24/app"), form)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "49301234567") {
		t.Fatalf("app page: %d %s", res.StatusCode, page)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q: the page shows clients' numbers and must not be cached", cc)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'none'") {
		t.Errorf("Content-Security-Policy %q: the page runs no script, so none may run", csp)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", res.Header.Get("X-Content-Type-Options"))
	}
}
