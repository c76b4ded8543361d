package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/store/sqlite"
)

// testKey is an encryption_key for the tests (32 bytes, base64).
const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// noTrunks rewrites the rig's configuration: no operator trunk, and extra
// (YAML lines indented for the sip section) in its place.
func (r *callRig) noTrunks(sipExtra string) {
	r.editConf(func(s string) string {
		return regexp.MustCompile(`(?m)^  trunks:\n(    .*\n|      .*\n)*`).ReplaceAllString(s, sipExtra)
	})
}

// TestNoTrunkOwnAccount: the built binary with no operator trunk, as a
// shared deployment whose portals all bring their own SIP accounts. The
// dialer starts anyway; the portal's administrator saves the portal's own
// account at the Kamailio test PBX on the application page (tested there
// with a REGISTER, stored sealed); the next form request rings the
// portal's employee through that account, and the client is called with
// the account's caller ID.
func TestNoTrunkOwnAccount(t *testing.T) {
	const callerID = "+4940111000"
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	cli := siptest.StartBaresip(t, siptest.BaresipOptions{User: crashClient, ToneHz: 1000})
	k := siptest.StartKamailio(t, siptest.KamailioOptions{
		Users: map[string]string{"acme": "pw-acme", crashExt: "pw-101"},
		Trunk: cli.HostPort(),
	})
	k.StartPhone(t, crashExt, 440)
	r.noTrunks("  portal_networks: [127.0.0.0/8]\n")
	r.editConf(func(s string) string {
		s = strings.Replace(s, "    client_retry_after: 1s\n", "    client_retry_after: 1s\n    max_call_length: 2s\n", 1)
		return "encryption_key: " + testKey + "\n" + s
	})
	svc := r.start()
	defer svc.stop(t)
	if !logHas(t, r.log.Name(), "only the portals' own SIP accounts are called through") {
		t.Error("the service does not say that it calls only through the portals' own accounts")
	}
	r.installAndSubmitNothing()
	if page := r.appPage(); !strings.Contains(page, `id="no-trunk"`) {
		t.Errorf("before its account the app page does not say the portal cannot call:\n%s", page)
	}
	account := url.Values{"action": {"save_trunk"}, "registrar": {k.Realm}, "proxy": {k.Addr()}, "username": {"acme"},
		"password": {"pw-acme"}, "caller_ids": {callerID}, "transport": {"udp"}}
	if code, page := r.appAs(1, account); code != http.StatusOK || !strings.Contains(page, `class="saved"`) || strings.Contains(page, "pw-acme") {
		t.Fatalf("saving the portal's own account: %d\n%s", code, page)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard
	defer cancel()
	if _, err := k.WaitRegistered(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	r.submit("+49 495 1234567")
	if err := within(2*time.Minute, func() bool {
		calls := r.portal.Calls()
		return len(calls) == 1 && calls[0].Finished
	}); err != nil {
		t.Fatalf("the callback did not finish: %+v", r.portal.Calls())
	}
	if c := r.portal.Calls()[0]; c.StatusCode != "200" {
		t.Errorf("CRM call %+v", c)
	}
	for _, ev := range []string{"auth-ok method=INVITE user=acme", "route-extension user=" + crashExt, "route-trunk method=INVITE from=" + callerID} {
		if got := k.Events(ev); len(got) == 0 {
			t.Errorf("kamailio saw no %q: %v", ev, k.Events(strings.Fields(ev)[0]))
		}
	}
}

// TestNoTrunkUninstallWorked: the built binary with no SIP trunk and no
// encryption_key has no SIP dialer. A form request on a SIP line is
// stored and failed with no_trunk, saying what to do (it does not wait
// forever: the worker runs for the Bitrix24 dialer), and the app page
// says what is missing. The queue works the other jobs too: a forged
// ONAPPUNINSTALL is checked with the portal and changes nothing; the
// genuine one deletes the portal's data.
func TestNoTrunkUninstallWorked(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	r.noTrunks("")
	svc := r.start()
	r.installAndSubmit()
	if !logHas(t, r.log.Name(), "callbacks on SIP lines fail with no_trunk") {
		t.Error("the service does not say that it calls nobody over SIP")
	}
	if page := r.appPage(); !strings.Contains(page, `id="no-trunk"`) || !strings.Contains(page, "no SIP trunk") {
		t.Errorf("the app page does not say what is missing:\n%s", page)
	}
	if _, page := r.appAs(1, url.Values{"LANG": {"ru"}}); !strings.Contains(page, "у сервиса нет SIP-транка") {
		t.Errorf("the Russian app page does not say what is missing:\n%s", page)
	}
	ctx := context.Background()
	res, err := r.portal.SendUninstall(ctx, "http://"+r.addr+"/bitrix24/events", true)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, res); res.StatusCode != http.StatusOK || !strings.Contains(body, `"checking"`) {
		t.Fatalf("forged uninstall: %d %s", res.StatusCode, body)
	}
	if err := within(2*time.Minute, func() bool { return logHas(t, r.log.Name(), "ONAPPUNINSTALL refused") }); err != nil {
		t.Fatal("the forged uninstall was never checked without a dialer")
	}
	if err := within(2*time.Minute, func() bool { return len(r.portal.Notifications()) > 0 }); err != nil {
		t.Fatal("nobody was told that the callback failed")
	}
	svc.stop(t)
	st, err := sqlite.Open(ctx, "sqlite:"+r.dir+"/callbackline.db", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := st.Callbacks(ctx, callbackline.CallbackFilter{})
	st.Close()
	if err != nil || len(list) != 1 || list[0].State != callbackline.StateFailed ||
		!strings.Contains(list[0].Reason, "no_trunk") || !strings.Contains(list[0].Reason, "Bitrix24 dialer") {
		t.Fatalf("callbacks %+v %v: want one, failed with no_trunk saying what to do", list, err)
	}
	if n := len(r.phones.Calls()); n != 0 {
		t.Errorf("%d calls dialled without a SIP dialer", n)
	}

	svc = r.start()
	defer svc.stop(t)
	if err := r.portal.Uninstall(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool { return logHas(t, r.log.Name(), "its data deleted") }); err != nil {
		t.Fatal("the genuine uninstall was never completed without a dialer")
	}
}
