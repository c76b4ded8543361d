package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/web"
)

// TestInstallFloodBounded: every installation request is verified at the
// OAuth server with our client id and secret, so a flood of forged ones
// would make callbackline hammer the OAuth server in the application's
// name (and get it blocked for all portals). The verifications are rate
// limited; the rest are answered 503 without reaching the OAuth server,
// and a genuine installation goes through once the flood is over.
func TestInstallFloodBounded(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	env := h.portal.InstallEnvelope()
	env.Auth.RefreshToken = "not-a-refresh-token"
	const flood = 60
	var limited int
	start := time.Now()
	for i := range flood {
		path := "/bitrix24/install"
		if i%2 == 1 {
			path = "/bitrix24/events"
		}
		code, body := h.post(path, "application/x-www-form-urlencoded", []byte(env.Encode()))
		switch code {
		case http.StatusUnauthorized:
		case http.StatusServiceUnavailable:
			if errorCode(t, body) != callbackline.EUNAVAILABLE {
				t.Errorf("limited: %s", body)
			}
			limited++
		default:
			t.Fatalf("forged installation %d: %d %s", i, code, body)
		}
	}
	// The server allows 20 checks at once and 2 a second after: on a busy
	// machine the flood takes longer and more of it may be checked.
	took := time.Since(start)
	n := len(h.portal.OAuthRequests())
	if allowed := 20 + int(2*took.Seconds()) + 1; n > allowed || limited == 0 {
		t.Errorf("%d forged installations in %s made %d OAuth requests, at most %d allowed (%d limited)", flood, took, n, allowed, limited)
	}
	// The flood over, a genuine installation works (once the checks
	// limited are allowed again).
	var (
		status int
		body   string
	)
	_ = wait.Within(time.Minute, 200*time.Millisecond, func() bool {
		res, err := h.portal.SendInstall(t.Context(), h.url("/bitrix24/install"))
		if err != nil {
			t.Fatal(err)
		}
		status, body = res.StatusCode, readAll(t, res)
		return status != http.StatusServiceUnavailable
	})
	if status != http.StatusOK {
		t.Fatalf("genuine installation after the flood: %d %s", status, body)
	}
}

// TestInstallInternalAddressRefused: a portal whose address (the OAuth
// server's client_endpoint) is internal is not installed unless the
// operator allows its network; nothing is sent to it and nothing stored.
// The simulated portal runs on loopback, which the harness allows: here
// it does not.
func TestInstallInternalAddressRefused(t *testing.T) {
	h := newHarnessWith(t, openSQLite(t), intake.Rules{}, testLogger(t), func(o *web.Options) { o.OAuth.AllowNetworks = nil })
	env := h.portal.InstallEnvelope()
	code, body := h.post("/bitrix24/install", "application/x-www-form-urlencoded", []byte(env.Encode()))
	if code != http.StatusForbidden || errorCode(t, body) != callbackline.EFORBIDDEN || !strings.Contains(body, "allow_networks") {
		t.Errorf("install at a loopback address: %d %s", code, body)
	}
	for _, r := range h.portal.Requests() {
		if r.Server == "rest" {
			t.Errorf("a request reached the portal's address: %s %s", r.HTTPMethod, r.Path)
		}
	}
	if list, _ := h.store.Portals(context.Background()); len(list) != 0 {
		t.Errorf("a refused installation stored %d portals", len(list))
	}
}

// TestInstallFloodOneSource: a flood of junk installations from one
// source (each naming another member_id) empties only that source's
// checks: a genuine installation from another source goes through at
// once, while the flooding source stays limited.
func TestInstallFloodOneSource(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	flooder := bitrix24test.SourceClient("127.0.0.1")
	t.Cleanup(flooder.CloseIdleConnections)
	limited, err := h.portal.InstallFlood(t.Context(), flooder, h.url("/bitrix24/install"), 200, 5)
	if err != nil {
		t.Fatal(err)
	}
	if limited < 5 {
		t.Fatalf("the flood was not limited")
	}
	checked := len(h.portal.OAuthRequests())
	genuine := bitrix24test.SourceClient("127.0.0.2")
	t.Cleanup(genuine.CloseIdleConnections)
	res, err := genuine.Post(h.url("/bitrix24/install"), "application/x-www-form-urlencoded", strings.NewReader(h.portal.InstallEnvelope().Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != http.StatusOK {
		t.Fatalf("a genuine installation from another source after the flood: %d %s", res.StatusCode, body)
	}
	if _, err := h.store.Portal(context.Background(), exampleMember); err != nil {
		t.Fatalf("the genuine portal was not stored: %v", err)
	}
	if n := len(h.portal.OAuthRequests()); n != checked+1 {
		t.Errorf("OAuth requests %d → %d, want one more (the genuine check)", checked, n)
	}
}
