package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestHostileEndpoint: the service sends nothing to an internal address
// the OAuth server names for a portal (here the simulated portal's
// loopback address) unless the operator allows its network
// (bitrix24.allow_networks): the installation is refused and nothing
// reaches the portal. Allowed, the genuine flow works, and a portal that
// moves (its old address answers 302) is followed where the OAuth server
// says, the call going on at the new address.
func TestHostileEndpoint(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	const allow = "  allow_networks: [127.0.0.0/8]\n"
	var allowed string
	r.editConf(func(s string) string {
		if !strings.Contains(s, allow) {
			t.Fatal("the rig's configuration does not allow loopback")
		}
		allowed = s
		return strings.Replace(s, allow, "", 1)
	})
	ctx := context.Background()
	svc := r.start()
	res, err := r.portal.SendInstall(ctx, "http://"+r.addr+"/bitrix24/install")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("install at a loopback address without allow_networks: %s", res.Status)
	}
	for _, q := range r.portal.Requests() {
		if q.Server == "rest" {
			t.Errorf("a request reached the portal's loopback address: %s %s", q.HTTPMethod, q.Path)
		}
	}
	svc.stop(t)

	// The operator allows loopback: the portal installs, moves, and the
	// callback goes on at the address the OAuth server names.
	r.editConf(func(string) string { return allowed })
	r.answer(crashExt)
	r.phones.Set(crashClient, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond, HangupAfter: time.Second})
	svc = r.start()
	defer svc.stop(t)
	res, err = r.portal.SendInstall(ctx, "http://"+r.addr+"/bitrix24/install")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("install with loopback allowed: %v %v", res, err)
	}
	res.Body.Close()
	if err := within(time.Minute, func() bool { return len(r.portal.Handlers()) >= 3 }); err != nil {
		t.Fatal("the events were not bound")
	}
	r.portal.FinishInstall()
	r.portal.ChangeDomain()
	moved := r.portal.Host()
	if err := r.portal.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: "+49 495 1234567",
		Text: "Please call me back.", CRMEntityType: "LEAD", CRMEntityID: "5785"}); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool {
		for _, c := range r.portal.RESTCalls("telephony.externalcall.finish") {
			if c.Host == moved && c.Status == http.StatusOK {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("the call was not finished at the portal's new address %s", moved)
	}
}
