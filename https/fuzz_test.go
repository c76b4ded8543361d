package https

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzRedirect feeds the redirect listener any Host header and path: it
// never panics, never serves anything but a redirect or 400, and only
// ever redirects to https at the public host, or at the host asked for.
func FuzzRedirect(f *testing.F) {
	f.Add("cb.example.com:80", "/bitrix24/events?x=1", true)
	f.Add("[2001:db8::1]:80", "/a%2Fb", false)
	f.Add("evil.example.com/x", "//evil.example.com/", false)
	public, _ := url.Parse("https://cb.example.com/")
	f.Fuzz(func(t *testing.T, host, path string, usePublic bool) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = host
		u, err := url.ParseRequestURI(path)
		if err != nil {
			return
		}
		r.URL = u
		base := public
		if !usePublic {
			base = nil
		}
		w := httptest.NewRecorder()
		Redirect(base, "8443").ServeHTTP(w, r)
		if w.Code == http.StatusBadRequest {
			return
		}
		if w.Code != http.StatusMovedPermanently {
			t.Fatalf("Host %q, path %q: status %d", host, path, w.Code)
		}
		loc, err := url.Parse(w.Header().Get("Location"))
		if err != nil || loc.Scheme != "https" {
			t.Fatalf("Host %q, path %q: Location %q", host, path, w.Header().Get("Location"))
		}
		want := requestHost(host)
		if usePublic {
			want = "cb.example.com"
		}
		if !strings.EqualFold(loc.Hostname(), strings.Trim(want, "[]")) {
			t.Fatalf("Host %q, path %q: redirected to host %q, want %q", host, path, loc.Hostname(), want)
		}
	})
}
