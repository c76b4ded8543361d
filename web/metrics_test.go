package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/web"
)

// TestEventMetricsBounded: ONAPPINSTALL posted to the events URL counts
// by what became of it (a refused one is not an installation), and event
// names made up by a sender do not create series of their own.
func TestEventMetricsBounded(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})

	env := h.portal.InstallEnvelope()
	env.Auth.RefreshToken = "not-a-refresh-token"
	if code, body := h.post("/bitrix24/events", "application/x-www-form-urlencoded", []byte(env.Encode())); code != http.StatusUnauthorized {
		t.Fatalf("forged ONAPPINSTALL at the events URL: %d %s", code, body)
	}
	for i := range 20 {
		body := fmt.Sprintf("event=ONMADEUP%d&auth[member_id]=%s&auth[application_token]=x", i, exampleMember)
		h.post("/bitrix24/events", "application/x-www-form-urlencoded", []byte(body))
	}

	_, body := h.get("/metrics", "")
	if !strings.Contains(body, `callbackline_events_total{event="onappinstall",outcome="unauthorized"} 1`) {
		t.Errorf("the refused installation is not counted as unauthorized:\n%s", grepLines(body, "callbackline_events_total"))
	}
	if strings.Contains(body, `outcome="install"`) {
		t.Errorf("a refused installation counted as outcome install:\n%s", grepLines(body, "callbackline_events_total"))
	}
	if strings.Contains(body, "onmadeup") {
		t.Errorf("made-up event names became label values")
	}
	if n := strings.Count(body, "\ncallbackline_events_total{"); n > 3 {
		t.Errorf("%d event series after 21 requests:\n%s", n, grepLines(body, "callbackline_events_total"))
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestMetricsToken: with a metrics token configured, /metrics answers only
// a request that carries it; without one it is open.
func TestMetricsToken(t *testing.T) {
	const tok = "metrics-0123456789abcdef"
	h := newHarnessWith(t, openSQLite(t), intake.Rules{}, testLogger(t), func(o *web.Options) { o.MetricsToken = tok })
	for _, bad := range []string{"", "wrong-0123456789abcdef", exampleToken} {
		code, body := h.get("/metrics", bad)
		if code != http.StatusUnauthorized || strings.Contains(body, "callbackline_") || !strings.Contains(body, "metrics_token") {
			t.Errorf("token %q: %d %s", bad, code, body)
		}
	}
	if code, body := h.get("/metrics", tok); code != http.StatusOK || !strings.Contains(body, "callbackline_") {
		t.Errorf("with the token: %d %.200s", code, body)
	}
	open := newHarness(t, openSQLite(t), intake.Rules{})
	if code, _ := open.get("/metrics", ""); code != http.StatusOK {
		t.Errorf("no token configured: %d", code)
	}
}
