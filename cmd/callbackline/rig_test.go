package main

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// installAndSubmitNothing installs the application and waits until its
// events are bound.
func (r *callRig) installAndSubmitNothing() {
	r.t.Helper()
	installInto(r.t, r.portal, "http://"+r.addr)
}

// sendInstall posts the portal's ONAPPINSTALL to the service at base (its
// URL) and fails t unless the service took it (200).
func sendInstall(t testing.TB, p *bitrix24test.Portal, base string) {
	t.Helper()
	res, err := p.SendInstall(context.Background(), base+"/bitrix24/install")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("install: %v %v", res, err)
	}
	res.Body.Close()
}

// installInto installs the application into the service at base: it
// sends the installation, waits until the events are bound and finishes
// the installation on the portal.
func installInto(t testing.TB, p *bitrix24test.Portal, base string) {
	t.Helper()
	sendInstall(t, p, base)
	if err := within(time.Minute, func() bool { return len(p.Handlers()) >= 3 }); err != nil {
		t.Fatal("the events were not bound")
	}
	p.FinishInstall()
}

// waitLines waits until the portal has n lines registered.
func (r *callRig) waitLines(n int) {
	r.t.Helper()
	if err := within(time.Minute, func() bool { return len(r.portal.Lines()) == n }); err != nil {
		r.t.Fatalf("the portal's lines: %+v, want %d", r.portal.Lines(), n)
	}
}

// answer makes the test phones answer calls to the employees' extensions
// after 100ms.
func (r *callRig) answer(extensions ...string) {
	for _, ext := range extensions {
		r.phones.Set(ext, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	}
}

// clientsAnswer makes the test phones answer calls to the clients'
// numbers after 100ms, play 1 kHz and hang up after a second.
func (r *callRig) clientsAnswer(numbers ...string) {
	for _, n := range numbers {
		r.phones.Set(n, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond, ToneHz: 1000, HangupAfter: time.Second})
	}
}

// postAppPage posts the application page of the service at addr as
// Bitrix24's frame does for the portal's user (1 is an administrator),
// with the fields of form, and returns the status and the page.
func postAppPage(t *testing.T, addr string, p *bitrix24test.Portal, user int64, form url.Values) (int, string) {
	t.Helper()
	// Bitrix24 opens the page with its user's language (LANG); the tests'
	// users read English unless form says otherwise.
	fields := url.Values{"member_id": {p.MemberID()}, "APPLICATION_TOKEN": {p.ApplicationToken()},
		"AUTH_ID": {p.IssueTokens(user).AccessToken}, "LANG": {"en"}}
	maps.Copy(fields, form)
	res, err := http.PostForm("http://"+addr+"/bitrix24/app?DOMAIN="+p.Host(), fields)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// appAs posts the application page as the portal's user with the fields
// of form, and returns its status and page.
func (r *callRig) appAs(user int64, form url.Values) (int, string) {
	r.t.Helper()
	return postAppPage(r.t, r.addr, r.portal, user, form)
}

// appPage is the application page as the portal's administrator opens it.
func (r *callRig) appPage() string {
	r.t.Helper()
	return appPageOf(r.t, r.addr, r.portal)
}

// appPageOf is the application page of the service at addr as the
// portal's administrator opens it.
func appPageOf(t *testing.T, addr string, p *bitrix24test.Portal) string {
	t.Helper()
	_, page := postAppPage(t, addr, p, 1, nil)
	return page
}
