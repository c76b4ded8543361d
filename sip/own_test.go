package sip_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestOwnTrunks: two portals enter their own SIP accounts (a registrar
// that wants each one's credentials), learned while the dialer runs. Each
// portal's calls go out through its own account with its own caller ID,
// whatever caller ID its plan asks for; it cannot name the other's trunk;
// a portal without an own trunk takes the operator's; a forgotten trunk
// is unregistered and carries nothing more.
func TestOwnTrunks(t *testing.T) {
	ctx := context.Background()
	phones := map[string]*siptest.Phone{}
	for _, n := range []string{"op", "m1", "m2"} {
		ph := siptest.StartPhone(t)
		ph.Set("101", siptest.Behavior{Action: siptest.Answer})
		ph.Set(clientNumber, siptest.Behavior{Action: siptest.Busy})
		if n != "op" {
			ph.RequireAuth(siptest.Credentials{Realm: n + ".example", Username: "user-" + n, Password: "secret-" + n})
		}
		phones[n] = ph
	}
	a := phones["op"].Addr()
	d := newDialer(t, sip.Config{
		Trunks: []sip.Trunk{{Name: "op", Employee: "sip:{extension}@" + a, Client: "sip:{number}@" + a,
			CallerID: sip.CallerID{Number: "+4940999000"}, Portals: []string{"*"}}}})
	own := func(n, password string) sip.Trunk {
		a := phones[n].Addr()
		return sip.Trunk{Employee: "sip:{extension}@" + a, Client: "sip:{number}@" + a, Username: "user-" + n, Password: password,
			Register: true, Registrar: "sip:" + a, RegisterExpiry: time.Minute}
	}

	// Tested before it is stored: a wrong password is refused as such.
	if err := d.CheckTrunk(ctx, own("m1", "wrong")); sip.KindOf(err) != sip.KindRejected {
		t.Errorf("CheckTrunk with a wrong password: %v", err)
	}
	if err := d.CheckTrunk(ctx, own("m1", "secret-m1")); err != nil {
		t.Errorf("CheckTrunk: %v", err)
	}
	for _, n := range []string{"m1", "m2"} {
		if err := d.AddTrunk(n, own(n, "secret-"+n), []string{"+49401" + n[1:] + "0000"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"m1", "m2"} {
		wait.For(t, n+" registered", func() bool { return d.TrunkStatus(n) == nil })
		if r := phones[n].Registrations(); !slices.Contains(r, "user-"+n) {
			t.Errorf("%s's registrar saw %v", n, r)
		}
	}
	if err := d.AddTrunk("", own("m1", "secret-m1"), nil); sip.KindOf(err) != sip.KindInvalid {
		t.Errorf("AddTrunk without a portal: %v", err)
	}

	call := func(p sip.Plan, phone, caller string) {
		t.Helper()
		p.Employees, p.Client, p.Timeouts = []string{"101"}, clientNumber, short
		before := map[string]int{}
		for n, ph := range phones {
			before[n] = len(ph.Calls())
		}
		res := d.Callback(ctx, p)
		if phone == "" {
			if res.Outcome != sip.OutcomeFailed || res.Err == nil {
				t.Errorf("portal %s trunk %q: outcome %s err %v", p.Portal, p.Trunk, res.Outcome, res.Err)
			}
		} else if res.Outcome != sip.OutcomeClientFailed {
			t.Errorf("portal %s: outcome %s err %v", p.Portal, res.Outcome, res.Err)
		}
		for n, ph := range phones {
			calls := ph.Calls()[before[n]:]
			if n != phone {
				if len(calls) != 0 {
					t.Errorf("portal %s: %d calls through %s's trunk", p.Portal, len(calls), n)
				}
				continue
			}
			if len(calls) != 2 || calls[1].User != clientNumber || calls[1].FromUser != caller {
				t.Errorf("portal %s through %s: %+v", p.Portal, n, calls)
			}
		}
	}
	call(sip.Plan{Portal: "m1"}, "m1", "+4940110000")
	call(sip.Plan{Portal: "m2"}, "m2", "+4940120000")
	// Another portal's number asked for: its own is shown.
	call(sip.Plan{Portal: "m1", CallerID: sip.CallerID{Number: "+4940120000"}}, "m1", "+4940110000")
	// The other portal's trunk named: refused, nothing dialled.
	call(sip.Plan{Portal: "m1", Trunk: sip.OwnTrunkName("m2")}, "", "")
	// A portal without an own trunk: the operator's, granted to all.
	call(sip.Plan{Portal: "m3"}, "op", "+4940999000")
	if ok, _ := phones["m1"].AuthCounts(); ok == 0 {
		t.Error("m1's calls did not carry m1's credentials")
	}

	// Forgotten: unregistered, and the portal's calls take the operator's.
	n := len(phones["m1"].Registrations())
	d.RemoveTrunk("m1")
	if r := phones["m1"].Registrations(); len(r) <= n {
		t.Errorf("no REGISTER to remove the binding: %v", r)
	}
	if err := d.TrunkStatus("m1"); sip.KindOf(err) != sip.KindNoRoute {
		t.Errorf("TrunkStatus after RemoveTrunk: %v", err)
	}
	call(sip.Plan{Portal: "m1"}, "op", "+4940999000")
	call(sip.Plan{Portal: "m2"}, "m2", "+4940120000")
}
