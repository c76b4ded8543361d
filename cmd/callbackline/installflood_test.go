package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// TestHostileInstallFlood, through the built binary: a stranger posts
// junk installations from one address, each naming another portal, until
// the service refuses them (503). A genuine installation from another
// address then succeeds at once, with exactly one more check at the OAuth
// server, and the portal is served.
func TestHostileInstallFlood(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	svc := r.start()
	defer svc.stop(t)
	install := "http://" + r.addr + "/bitrix24/install"
	flooder := bitrix24test.SourceClient("127.0.0.1")
	t.Cleanup(flooder.CloseIdleConnections)
	limited, err := r.portal.InstallFlood(t.Context(), flooder, install, 300, 5)
	if err != nil {
		t.Fatal(err)
	}
	if limited < 5 {
		t.Fatal("the flood was not limited")
	}
	checked := len(r.portal.OAuthRequests())
	genuine := bitrix24test.SourceClient("127.0.0.2")
	t.Cleanup(genuine.CloseIdleConnections)
	res, err := genuine.Post(install, "application/x-www-form-urlencoded", strings.NewReader(r.portal.InstallEnvelope().Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, res); res.StatusCode != http.StatusOK {
		t.Fatalf("a genuine installation from another address after the flood: %d %s", res.StatusCode, body)
	}
	if n := len(r.portal.OAuthRequests()); n != checked+1 {
		t.Errorf("OAuth requests %d → %d, want one more (the genuine check)", checked, n)
	}
	if err := within(time.Minute, func() bool { return len(r.portal.Handlers()) >= 3 }); err != nil {
		t.Fatal("the genuine portal's events were not bound")
	}
}
