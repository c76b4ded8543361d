package https

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestRedirect: the plain-HTTP listener only redirects to https, keeping
// the path and query; to the public address when it is https, else to the
// host asked for on the HTTPS port; GET with 301, POST with 308 (method
// and body kept); a Host that is not a host name gets no redirect.
func TestRedirect(t *testing.T) {
	public, _ := url.Parse("https://cb.example.com/")
	cases := []struct {
		base                 *url.URL
		port, method, target string
		host                 string
		code                 int
		location             string
	}{
		{public, "443", "GET", "/bitrix24/app?x=1", "203.0.113.5", 301, "https://cb.example.com/bitrix24/app?x=1"},
		{public, "8443", "POST", "/bitrix24/events", "cb.example.com", 308, "https://cb.example.com/bitrix24/events"},
		{nil, "443", "GET", "/healthz", "cb.example.com:80", 301, "https://cb.example.com/healthz"},
		{nil, "8443", "HEAD", "/a%2Fb", "cb.example.com:8080", 301, "https://cb.example.com:8443/a%2Fb"},
		{nil, "443", "GET", "/", "[2001:db8::1]:80", 301, "https://[2001:db8::1]/"},
		{nil, "443", "PUT", "/api/v1/portals/m/lines", "cb.example.com", 308, "https://cb.example.com/api/v1/portals/m/lines"},
		{nil, "443", "GET", "/", "evil.example.com/x", 400, ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, c.target, nil)
		r.Host = c.host
		w := httptest.NewRecorder()
		Redirect(c.base, c.port).ServeHTTP(w, r)
		if w.Code != c.code || w.Header().Get("Location") != c.location {
			t.Errorf("%s %s (Host %s): %d %q, want %d %q", c.method, c.target, c.host, w.Code, w.Header().Get("Location"), c.code, c.location)
		}
		if c.code != 400 && w.Body.Len() > 0 && c.method == http.MethodPost {
			t.Errorf("POST answered with a body besides the redirect: %q", w.Body.String())
		}
	}
}
