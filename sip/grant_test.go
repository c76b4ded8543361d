package sip_test

import (
	"context"
	"testing"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestTrunkGrants: two portals, each with a trunk of its own (a phone
// behind each). A portal's calls go out only through its own trunk with
// its own line's caller ID; a plan of one portal that names the other's
// trunk or line, a portal no trunk serves and a plan without a portal are
// refused before anything is dialled.
func TestTrunkGrants(t *testing.T) {
	ctx := context.Background()
	phones := map[string]*siptest.Phone{}
	for _, n := range []string{"a", "b"} {
		ph := siptest.StartPhone(t)
		ph.Set("101", siptest.Behavior{Action: siptest.Answer})
		ph.Set(clientNumber, siptest.Behavior{Action: siptest.Busy})
		phones[n] = ph
	}
	trunk := func(name, portal, caller string) sip.Trunk {
		a := phones[name].Addr()
		return sip.Trunk{Name: name, Employee: "sip:{extension}@" + a, Client: "sip:{number}@" + a,
			CallerID: sip.CallerID{Number: caller}, Portals: []string{portal}}
	}
	d := newDialer(t, sip.Config{
		Trunks: []sip.Trunk{trunk("a", "m1", "+4940111000"), trunk("b", "m2", "+4940222000")},
		Lines: []sip.Line{{Number: "north", Trunk: "a", CallerID: sip.CallerID{Number: "+4940111001"}},
			{Number: "south", Trunk: "b", CallerID: sip.CallerID{Number: "+4940222001"}}},
	})
	plan := func(portal, line, trunk string) sip.Plan {
		return sip.Plan{Portal: portal, Line: line, Trunk: trunk, Employees: []string{"101"}, Client: clientNumber, Timeouts: short}
	}

	// The attacks: nothing reaches either phone.
	for _, p := range []sip.Plan{plan("m2", "north", ""), plan("m2", "", "a"), plan("m1", "south", ""), plan("m3", "", ""), plan("", "", ""), plan("m2", "north", "b")} {
		res := d.Callback(ctx, p)
		if sip.KindOf(res.Err) != sip.KindNoRoute || res.Outcome != sip.OutcomeFailed || res.StatusCode != sip.StatusForbidden {
			t.Errorf("portal %q line %q trunk %q: outcome %s status %s err %v", p.Portal, p.Line, p.Trunk, res.Outcome, res.StatusCode, res.Err)
		}
	}
	for _, r := range []struct{ portal, line string }{{"m2", "north"}, {"m1", "south"}, {"m3", ""}, {"", ""}} {
		if err := d.Route(r.portal, r.line); sip.KindOf(err) != sip.KindNoRoute {
			t.Errorf("Route(%q, %q) = %v", r.portal, r.line, err)
		}
	}
	for n, ph := range phones {
		if calls := ph.Calls(); len(calls) != 0 {
			t.Fatalf("INVITEs reached phone %s: %+v", n, calls)
		}
	}

	// The genuine calls: each portal through its own trunk, with its own
	// line's caller ID, else its trunk's.
	for _, c := range []struct {
		p      sip.Plan
		phone  string
		caller string
	}{
		{plan("m1", "north", ""), "a", "+4940111001"},
		{plan("m2", "south", ""), "b", "+4940222001"},
		{plan("m2", "", ""), "b", "+4940222000"},
		{plan("m2", "east", ""), "b", ""}, // not the dialer's line: HasLine is false, the caller sets none
	} {
		if c.p.Line == "east" {
			if d.HasLine("east") || d.Route("m2", "east") != nil {
				t.Errorf("a line the dialer does not have: HasLine %v Route %v", d.HasLine("east"), d.Route("m2", "east"))
			}
			continue
		}
		if err := d.Route(c.p.Portal, c.p.Line); err != nil {
			t.Errorf("Route(%q, %q) = %v", c.p.Portal, c.p.Line, err)
		}
		before := map[string]int{"a": len(phones["a"].Calls()), "b": len(phones["b"].Calls())}
		res := d.Callback(ctx, c.p)
		if res.Outcome != sip.OutcomeClientFailed {
			t.Errorf("portal %s line %q: outcome %s err %v", c.p.Portal, c.p.Line, res.Outcome, res.Err)
		}
		for n, ph := range phones {
			calls := ph.Calls()[before[n]:]
			if n != c.phone {
				if len(calls) != 0 {
					t.Errorf("portal %s: calls through the other portal's trunk %s: %+v", c.p.Portal, n, calls)
				}
				continue
			}
			if len(calls) != 2 || calls[0].User != "101" || calls[1].User != clientNumber || calls[1].FromUser != c.caller {
				t.Errorf("portal %s line %q through trunk %s: %+v", c.p.Portal, c.p.Line, n, calls)
			}
		}
	}
	if err := d.CheckExtension("m3", "", "101"); err != nil {
		t.Errorf("the default rule for a portal without a trunk: %v", err)
	}
}

// TestTrunkGrantsConfig: a trunk's portals are member_ids or "*"; while
// no trunk names portals every trunk serves every portal; "*" serves
// every portal but not a call without one unless granted to all.
func TestTrunkGrantsConfig(t *testing.T) {
	base := func(portals ...[]string) sip.Config {
		c := sip.Config{Listen: "127.0.0.1:0"}
		for i, p := range portals {
			c.Trunks = append(c.Trunks, sip.Trunk{Name: string(rune('a' + i)), Employee: "sip:{extension}@pbx.example.com",
				Client: "sip:{number}@pbx.example.com", Portals: p})
		}
		return c
	}
	for _, bad := range [][]string{{""}, {"m 1"}, {"m1", "m1"}, {"m1\n"}} {
		c := base(bad)
		if err := c.Validate(); sip.KindOf(err) != sip.KindInvalid {
			t.Errorf("portals %q: %v", bad, err)
		}
	}
	legacy := base(nil, nil)
	if legacy.Granted() || !legacy.Serves(&legacy.Trunks[1], "anyone") || len(legacy.ForPortal("anyone").Trunks) != 2 {
		t.Errorf("without grants every trunk serves every portal")
	}
	c := base([]string{"m1"}, nil, []string{"*"})
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		trunk  int
		portal string
		want   bool
	}{{0, "m1", true}, {0, "m2", false}, {1, "m1", false}, {2, "m2", true}, {2, "", true}, {0, "", false}} {
		if got := c.Serves(&c.Trunks[s.trunk], s.portal); got != s.want {
			t.Errorf("trunk %d serves %q: %v", s.trunk, s.portal, got)
		}
	}
	if f := c.ForPortal("m2"); len(f.Trunks) != 1 || f.Trunks[0].Name != "c" {
		t.Errorf("ForPortal(m2): %+v", f.Trunks)
	}
}
