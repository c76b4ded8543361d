package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip/siptest"
)

// TestNotifyTrunkRegistration runs through the built binary: the
// portal's own SIP account registers at the Kamailio test PBX; then the
// PBX's password for it changes (Kamailio started again on the same port
// with another password), the registrar refuses the next REGISTER, and
// the portal's administrator is told exactly once; the password is put
// back, the account registers again, and they are told exactly once that
// it is fixed. The portals are checked every notify.CheckEvery (a
// minute), so this takes a few minutes.
func TestNotifyTrunkRegistration(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	opts := siptest.KamailioOptions{Users: map[string]string{"acme": "pw-acme"}, MaxExpires: 10 * time.Second}
	k := siptest.StartKamailio(t, opts)
	r.noTrunks("  portal_networks: [127.0.0.0/8]\n")
	r.editConf(func(s string) string { return "encryption_key: " + testKey + "\n" + s })
	svc := r.start()
	defer svc.stop(t)
	r.installAndSubmitNothing()
	account := url.Values{"action": {"save_trunk"}, "registrar": {k.Realm}, "proxy": {k.Addr()}, "username": {"acme"},
		"password": {"pw-acme"}, "caller_ids": {"+4940111000"}, "transport": {"udp"}}
	if code, page := r.appAs(1, account); code != http.StatusOK || !strings.Contains(page, `class="saved"`) {
		t.Fatalf("saving the portal's own account: %d\n%s", code, page)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard
	defer cancel()
	if _, err := k.WaitRegistered(ctx, "acme"); err != nil {
		t.Fatal(err)
	}

	// The password changes at the PBX: the next refresh is refused.
	k.Stop()
	opts.Port, opts.Users = k.Port, map[string]string{"acme": "changed"}
	k = siptest.StartKamailio(t, opts)
	if err := within(4*time.Minute, func() bool { return len(noticesOf(r.portal, "trunk")) > 0 }); err != nil {
		t.Fatalf("the administrators were not told that the account stopped registering; kamailio:\n%s", k.Log())
	}
	if got := noticesOf(r.portal, "trunk"); len(got) != 1 || got[0].UserID != 1 {
		t.Fatalf("notices %+v, want one to the administrator", got)
	}

	// The password is put back: it registers again.
	k.Stop()
	opts.Users = map[string]string{"acme": "pw-acme"}
	k = siptest.StartKamailio(t, opts)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel2()
	if _, err := k.WaitRegistered(ctx2, "acme"); err != nil {
		t.Fatal(err)
	}
	if err := within(4*time.Minute, func() bool { return len(noticesOf(r.portal, "trunk")) >= 2 }); err != nil {
		t.Fatal("the administrators were not told that the account registers again")
	}
	if !logHas(t, r.log.Name(), "the portal's administrators were told") {
		t.Error("the delivery was not logged")
	}
	got := noticesOf(r.portal, "trunk")
	if len(got) != 2 || got[1].UserID != 1 || got[0].Message == got[1].Message || !got[0].Replaced {
		t.Fatalf("notices %+v, want one problem (replaced) and one fix", got)
	}
}
