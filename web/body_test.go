package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/intake"
)

// onlyReader hides the length of a reader, so the client sends the body
// chunked, without Content-Length.
type onlyReader struct{ io.Reader }

// TestChunkedBodies: the body limit holds for chunked bodies too, on every
// handler that reads one, and a small chunked event is taken like any
// other.
func TestChunkedBodies(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	ct, body := wireExample(t, "callbackstart-tokens")
	big := string(body) + "&data%5BPAD%5D=" + strings.Repeat("a", 70<<10)
	for _, path := range []string{"/bitrix24/events", "/bitrix24/install", "/bitrix24/app"} {
		req, _ := http.NewRequest(http.MethodPost, h.url(path), onlyReader{strings.NewReader(big)})
		req.Header.Set("Content-Type", ct)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, res)
		if res.StatusCode != http.StatusRequestEntityTooLarge || errorCode(t, got) != callbackline.ETOOLARGE {
			t.Errorf("%s: chunked body over the limit: %d %s", path, res.StatusCode, got)
		}
	}
	if n := len(h.callbacks()); n != 0 {
		t.Fatalf("oversized bodies stored %d callbacks", n)
	}
	req, _ := http.NewRequest(http.MethodPost, h.url("/bitrix24/events"), onlyReader{strings.NewReader(string(body))})
	req.Header.Set("Content-Type", ct)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, res); res.StatusCode != http.StatusOK {
		t.Errorf("chunked event: %d %s", res.StatusCode, got)
	}
	if n := len(h.callbacks()); n != 1 {
		t.Errorf("callbacks after a chunked event: %d", n)
	}
}

// TestContentTypeParameters: Bitrix24 never resends an event, so a media
// type with odd parameters is taken by its type; only the type decides.
func TestContentTypeParameters(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	_, body := wireExample(t, "callbackstart-tokens")
	for i, ct := range []string{
		"application/x-www-form-urlencoded;",
		"Application/X-WWW-Form-Urlencoded; charset=UTF-8",
		"application/x-www-form-urlencoded; charset",
	} {
		b := strings.Replace(string(body), "CRM_ENTITY_ID%5D=", "CRM_ENTITY_ID%5D=9"+string(rune('0'+i)), 1)
		if code, got := h.post("/bitrix24/events", ct, []byte(b)); code != http.StatusOK {
			t.Errorf("%q: %d %s", ct, code, got)
		}
	}
	if code, got := h.post("/bitrix24/events", "application/x-www-form-urlencoded, text/plain", body); code != http.StatusUnsupportedMediaType {
		t.Errorf("two media types: %d %s", code, got)
	}
}
