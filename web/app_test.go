package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/intake"
)

// TestAppPageLimits: the app page takes the frame POST with the same body
// limit as the other handlers and answers an oversized one 413 in JSON;
// the page with the portal's callbacks (clients' numbers) is not stored
// in caches.
func TestAppPageLimits(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
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

// TestAppPageHistory: each callback on the app page carries its whole
// history (folded), so an administrator sees what was tried and when.
func TestAppPageHistory(t *testing.T) {
	st := openSQLite(t)
	h := newHarness(t, st, intake.Rules{})
	h.install()
	h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567"}, bitrix24test.EventOptions{})
	cb := h.callbacks()[0]
	cb.State = callbackline.StateScheduled
	for _, note := range []string{"the client was busy <486>", "trying again in 10 minutes"} {
		if err := st.Advance(t.Context(), cb, 0, callbackline.Plain(note)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := http.PostForm(h.url("/bitrix24/app"), url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "LANG": {"en"}})
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, res)
	i := strings.Index(page, `<details class="history">`)
	if i < 0 {
		t.Fatalf("no history on the page:\n%s", page)
	}
	hist := page[i:]
	busy, again := strings.Index(hist, "scheduled: the client was busy &lt;486&gt;"), strings.Index(hist, "scheduled: trying again in 10 minutes")
	if busy < 0 || again < busy {
		t.Errorf("the history lacks its steps in order (escaped):\n%s", hist)
	}
}
