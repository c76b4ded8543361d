package sip_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// Interop tests against a real SIP server: Kamailio as registrar and
// record-routing proxy with digest auth (siptest.StartKamailio). The trunk
// reaches it only as the outbound proxy: the templates and the registrar
// name the PBX's domain, pbx.test, which does not resolve.

const (
	kamUser = "callback"
	kamPass = "pw-callback"
)

// kamTrunk is the trunk of a dialer that uses k as registrar and outbound
// proxy.
func kamTrunk(k *siptest.Kamailio, password string) sip.Trunk {
	return sip.Trunk{
		Name:           "pbx",
		Employee:       "sip:{extension}@" + k.Realm,
		Client:         "sip:{number}@" + k.Realm,
		Username:       kamUser,
		Password:       password,
		Register:       true,
		RegisterExpiry: 30 * time.Second,
		OutboundProxy:  k.Addr(),
		CallerID:       sip.CallerID{Number: "+4940999000", Name: "Acme"},
	}
}

func newKamDialer(t *testing.T, tr sip.Trunk) *sip.Dialer {
	t.Helper()
	return newDialer(t, sip.Config{
		Trunks: []sip.Trunk{tr},
		// The portals' own accounts at the test PBX are on loopback.
		PortalNetworks: []string{"127.0.0.0/8"},
	})
}

// waitReady polls the dialer's registration state.
func waitReady(ctx context.Context, d *sip.Dialer) error {
	var err error
	_ = wait.Until(ctx, 20*time.Millisecond, func() bool { err = d.Ready(); return err == nil })
	return err
}

// TestKamailioRegister: the dialer registers through the outbound proxy,
// answering the 401 with its credentials, Kamailio's location table holds
// its contact, and the registration is refreshed before the lifetime
// Kamailio granted runs out.
func TestKamailioRegister(t *testing.T) {
	const granted = 3 * time.Second
	k := siptest.StartKamailio(t, siptest.KamailioOptions{
		Users:      map[string]string{kamUser: kamPass},
		MaxExpires: granted,
	})
	d := newKamDialer(t, kamTrunk(k, kamPass))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	if err := waitReady(ctx, d); err != nil {
		t.Fatalf("not registered: %v", err)
	}
	contacts, err := k.WaitRegistered(ctx, kamUser)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(contacts, func(c string) bool { return strings.Contains(c, d.Addr()) }) {
		t.Errorf("kamailio has contacts %v, want one at the dialer's %s", contacts, d.Addr())
	}
	if ev := k.Events("challenge method=REGISTER"); len(ev) == 0 {
		t.Errorf("the REGISTER was never challenged: %v", k.Events("auth-ok"))
	}
	if ev := k.Events("preloaded-route method=REGISTER"); len(ev) != 0 {
		t.Logf("REGISTER carried a Route: %v", ev)
	}
	// Kamailio granted 3 s, not the 30 s asked for: the dialer must
	// refresh in time, again and again, so that the binding never lapses.
	start := time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		if time.Since(start) > 2*granted {
			break
		}
		cs, err := k.Contacts(ctx, kamUser)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) == 0 {
			t.Fatalf("the registration lapsed %s after it was made (granted %s): %d REGISTERs accepted",
				time.Since(start).Round(time.Millisecond), granted, len(k.Events("registered user="+kamUser)))
		}
		if err := d.Ready(); err != nil {
			t.Fatalf("dialer not ready any more: %v", err)
		}
	}
	// Refreshes every 1.5 s: the first REGISTER and at least 3 more.
	if n := len(k.Events("registered user=" + kamUser)); n < 4 {
		t.Errorf("%d REGISTERs accepted in %s with %s granted, want refreshes", n, 2*granted, granted)
	}
	// Close unregisters.
	d.Close()
	if cs, err := k.Contacts(ctx, kamUser); err != nil || len(cs) != 0 {
		t.Errorf("after Close kamailio still has %v (%v)", cs, err)
	}
}

// TestKamailioRegisterWrongPassword: a wrong password is answered 403,
// and the dialer reports itself not ready with a typed error.
func TestKamailioRegisterWrongPassword(t *testing.T) {
	k := siptest.StartKamailio(t, siptest.KamailioOptions{Users: map[string]string{kamUser: kamPass}})
	d := newKamDialer(t, kamTrunk(k, "wrong-password"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	if _, err := k.WaitEvent(ctx, "auth-failed method=REGISTER user="+kamUser, 1); err != nil {
		t.Fatal(err)
	}
	var err error
	for {
		err = d.Ready()
		var e *sip.Error
		if errors.As(err, &e) && e.Err != nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Ready() = %v, want an error with the cause", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	var e *sip.Error
	errors.As(err, &e)
	if e.Kind != sip.KindUnreachable {
		t.Errorf("kind %s, want %s: %v", e.Kind, sip.KindUnreachable, err)
	}
	if !strings.Contains(e.Err.Error(), "403") {
		t.Errorf("cause %v, want the 403", e.Err)
	}
	if cs, _ := k.Contacts(ctx, kamUser); len(cs) != 0 {
		t.Errorf("registered with a wrong password: %v", cs)
	}
	if strings.Contains(err.Error(), "wrong-password") {
		t.Errorf("the error shows the password: %v", err)
	}
}

// TestKamailioCallback places a whole callback through Kamailio: the
// employee is a baresip phone registered at Kamailio as 101 (with a
// password), the client a baresip "carrier" Kamailio routes E.164 numbers
// to. The dialer registers, answers the 407 on both INVITEs, which reach
// Kamailio through the outbound proxy; the legs are bridged and recorded
// and both BYEs follow the Record-Route through Kamailio.
func TestKamailioCallback(t *testing.T) {
	cli := siptest.StartBaresip(t, siptest.BaresipOptions{User: clientNumber, ToneHz: 1000})
	k := siptest.StartKamailio(t, siptest.KamailioOptions{
		Users: map[string]string{kamUser: kamPass, "101": "pw-101"},
		Trunk: cli.HostPort(),
	})
	emp := k.StartPhone(t, "101", 440)
	d := newKamDialer(t, kamTrunk(k, kamPass))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	if err := waitReady(ctx, d); err != nil {
		t.Fatalf("not registered: %v", err)
	}

	const talk = 3 * time.Second
	dir := t.TempDir()
	var ev events
	res := d.Callback(context.Background(), sip.Plan{
		Employees: []string{"101"}, Client: clientNumber,
		Recording: filepath.Join(dir, "call.wav"), Progress: ev.add,
		Timeouts: sip.Timeouts{EmployeeRing: 5 * time.Second, ClientRing: 5 * time.Second, MaxCall: talk},
	})
	if res.Outcome != sip.OutcomeConnected || res.StatusCode != sip.StatusSuccess || res.Err != nil {
		t.Fatalf("outcome %s status %s err %v", res.Outcome, res.StatusCode, res.Err)
	}
	if res.Employee == nil || res.Employee.Status != 200 || res.Client == nil || res.Client.Status != 200 {
		t.Fatalf("legs: employee %+v client %+v", res.Employee, res.Client)
	}
	if got := res.Talk(); got < talk || got > talk+time.Second+slack || res.TalkSeconds() <= 0 {
		t.Errorf("talk %s (%d s), want %s", got, res.TalkSeconds(), talk)
	}
	if res.EndReason != "max_call" || res.HungUp != sip.PartyDialer {
		t.Errorf("ended by %s (%s), want the dialer at max_call", res.HungUp, res.EndReason)
	}

	// What Kamailio saw: both INVITEs challenged (407) and authenticated
	// as the trunk user, both sent to it as the outbound proxy (a Route to
	// it), one routed to 101's registered contact and one to the carrier,
	// and the BYEs relayed along the Record-Route.
	for _, c := range []struct {
		event string
		n     int
	}{
		{"challenge method=INVITE status=407", 2},
		{"auth-ok method=INVITE user=" + kamUser, 2},
		{"preloaded-route method=INVITE", 2},
		{"route-extension user=101", 1},
		{"route-trunk method=INVITE", 1},
		{"in-dialog method=BYE", 2},
	} {
		if _, err := k.WaitEvent(ctx, c.event, c.n); err != nil {
			t.Errorf("%v: %v", err, k.Events(strings.Fields(c.event)[0]))
		}
	}

	e, c, l, r := heard(ctx, t, emp, cli, res.Recording)
	end := talk.Seconds() - 0.3
	if !hears(c, 0.3, end, "tone:440") {
		t.Errorf("client: employee tone only %.0f%%", 100*siptest.Share(c, 0.3, end, "tone:440"))
	}
	if !hears(l, 0.3, end, "tone:440") {
		t.Errorf("recording left: employee tone only %.0f%%", 100*siptest.Share(l, 0.3, end, "tone:440"))
	}
	if !hears(r, 0.3, end, "tone:1000") {
		t.Errorf("recording right: client tone only %.0f%%", 100*siptest.Share(r, 0.3, end, "tone:1000"))
	}
	// The employee's recording starts at its answer: a short ringback,
	// then the client from the bridge on.
	at := func(tm time.Time) float64 { return tm.Sub(res.Employee.Answered).Seconds() }
	if from, to := at(res.Connected)+0.3, at(res.Disconnected)-0.3; !hears(e, from, to, "tone:1000") {
		t.Errorf("employee: client tone at %.1f-%.1fs only %.0f%%", from, to, 100*siptest.Share(e, from, to, "tone:1000"))
	}
}

// TestKamailioTwoPortals: two portals, each with its own account at the
// Kamailio test PBX (learned by the running dialer) and its own employee
// phone. Each registers; each portal's calls are authenticated as its own
// account only and reach the carrier with its own caller ID; a portal
// cannot name the other's trunk; the operator's trunk, granted to nobody
// here, carries nothing.
func TestKamailioTwoPortals(t *testing.T) {
	cli := siptest.StartBaresip(t, siptest.BaresipOptions{User: clientNumber, ToneHz: 1000})
	k := siptest.StartKamailio(t, siptest.KamailioOptions{
		Users: map[string]string{"acme": "pw-acme", "globex": "pw-globex", "101": "pw-101", "201": "pw-201"},
		Trunk: cli.HostPort(),
	})
	k.StartPhone(t, "101", 440)
	k.StartPhone(t, "201", 660)
	op := kamTrunk(k, kamPass)
	op.Portals = []string{"nobody"}
	d := newKamDialer(t, op)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard
	defer cancel()
	portals := []struct{ member, user, caller, phone string }{
		{"m-acme", "acme", "+4940111000", "101"},
		{"m-globex", "globex", "+4940222000", "201"},
	}
	for _, p := range portals {
		acc := sip.Account{Registrar: k.Realm, Proxy: k.Addr(), Username: p.user, Password: "pw-" + p.user,
			CallerIDs: []string{p.caller}, Register: true}
		if err := d.CheckTrunk(ctx, acc.Trunk()); err != nil {
			t.Fatalf("%s: %v", p.user, err)
		}
		if err := d.AddTrunk(p.member, acc.Trunk(), acc.CallerIDs); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range portals {
		if _, err := k.WaitRegistered(ctx, p.user); err != nil {
			t.Fatal(err)
		}
		if cs, _ := k.Contacts(ctx, kamUser); len(cs) != 0 {
			t.Errorf("the operator's trunk registered: %v", cs)
		}
	}
	// A portal naming the other's trunk: refused, nothing reaches Kamailio.
	before := len(k.Events("challenge method=INVITE"))
	res := d.Callback(ctx, sip.Plan{Portal: "m-acme", Trunk: sip.OwnTrunkName("m-globex"), Employees: []string{"201"}, Client: clientNumber})
	if res.Outcome != sip.OutcomeFailed || len(k.Events("challenge method=INVITE")) != before {
		t.Errorf("the other portal's trunk: outcome %s err %v", res.Outcome, res.Err)
	}
	for i, p := range portals {
		res := d.Callback(ctx, sip.Plan{Portal: p.member, Employees: []string{p.phone}, Client: clientNumber,
			CallerID: sip.CallerID{Number: portals[1-i].caller}, // the other's number asked for
			Timeouts: sip.Timeouts{EmployeeRing: 10 * time.Second, ClientRing: 10 * time.Second, MaxCall: time.Second}})
		if res.Outcome != sip.OutcomeConnected {
			t.Fatalf("%s: outcome %s err %v", p.member, res.Outcome, res.Err)
		}
		for _, c := range []struct {
			event string
			n     int
		}{
			{"auth-ok method=INVITE user=" + p.user, 2},
			{"route-extension user=" + p.phone, 1},
			{"route-trunk method=INVITE from=" + p.caller, 1},
		} {
			if _, err := k.WaitEvent(ctx, c.event, c.n); err != nil {
				t.Errorf("%s: %v: %v", p.member, err, k.Events(strings.Fields(c.event)[0]))
			}
		}
	}
	if ev := k.Events("auth-ok method=INVITE user=" + kamUser); len(ev) != 0 {
		t.Errorf("calls through the operator's trunk: %v", ev)
	}
	for _, p := range portals {
		if n := len(k.Events("auth-ok method=INVITE user=" + p.user)); n != 2 {
			t.Errorf("%d INVITEs as %s, want 2 (its own portal's call only)", n, p.user)
		}
		if n := len(k.Events("route-trunk method=INVITE from=" + p.caller)); n != 1 {
			t.Errorf("%d client calls showing %s, want 1", n, p.caller)
		}
	}
	// Forgotten: unregistered at once.
	d.RemoveTrunk("m-acme")
	if cs, err := k.Contacts(ctx, "acme"); err != nil || len(cs) != 0 {
		t.Errorf("after RemoveTrunk kamailio still has %v (%v)", cs, err)
	}
}
