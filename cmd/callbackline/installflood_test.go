package main

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
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
	flooder := fromAddr(t, "127.0.0.1")
	limited := 0
	for i := 0; i < 300 && limited < 5; i++ {
		env := r.portal.InstallEnvelope()
		env.Auth.RefreshToken = "not-a-refresh-token"
		env.Auth.MemberID = fmt.Sprintf("junk%028d", i)
		res, err := flooder.Post(install, "application/x-www-form-urlencoded", strings.NewReader(env.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		switch body := readBody(t, res); res.StatusCode {
		case http.StatusUnauthorized:
		case http.StatusServiceUnavailable:
			limited++
		default:
			t.Fatalf("junk installation %d: %d %s", i, res.StatusCode, body)
		}
	}
	if limited < 5 {
		t.Fatal("the flood was not limited")
	}
	checked := len(r.portal.OAuthRequests())
	res, err := fromAddr(t, "127.0.0.2").Post(install, "application/x-www-form-urlencoded", strings.NewReader(r.portal.InstallEnvelope().Encode()))
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

// fromAddr is an HTTP client whose connections come from the loopback
// address src.
func fromAddr(t *testing.T, src string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: time.Minute}
}
