package sip_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// switchable is a name server for one name whose answer the test changes
// (DNS rebinding).
type switchable struct {
	mu    sync.Mutex
	addrs []netip.Addr
	asked int
}

func (s *switchable) set(addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addrs = nil
	for _, a := range addrs {
		s.addrs = append(s.addrs, netip.MustParseAddr(a))
	}
}

func (s *switchable) lookup(_ context.Context, host string) ([]netip.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked++
	if host != "pbx.portal.test" {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return s.addrs, nil
}

// TestOwnTrunkAddressChecked: a portal's own account named by a host name
// is called at the address the name resolves to when the call is placed,
// and only when every address it resolves to is public or in
// sip.portal_networks. The name later resolving to an internal address
// (DNS rebinding) stops the calls, the registration and the account test
// before anything is sent there. The call reaching the phone proves that
// the address checked is the address dialled: pbx.portal.test resolves
// nowhere else.
func TestOwnTrunkAddressChecked(t *testing.T) {
	ctx := context.Background()
	ph := siptest.StartPhone(t)
	ph.Set("101", siptest.Behavior{Action: siptest.Answer})
	ph.Set(clientNumber, siptest.Behavior{Action: siptest.Busy})
	_, port, _ := net.SplitHostPort(ph.Addr())
	d := newDialer(t, sip.Config{PortalNetworks: []string{"127.0.0.0/8"}})
	dns := &switchable{}
	sip.SetLookup(d, dns.lookup)
	acc := sip.Account{Registrar: "pbx.portal.test:" + port, Username: "acme", Password: "pw", CallerIDs: []string{"+4940111000"}}
	if err := acc.Validate(nil); err != nil {
		t.Fatal(err)
	}
	call := func() sip.Result {
		return d.Callback(ctx, sip.Plan{Portal: "m1", Employees: []string{"101"}, Client: clientNumber, Timeouts: short})
	}

	dns.set("127.0.0.1")
	if err := d.CheckTrunk(ctx, acc.Trunk()); err != nil {
		t.Fatalf("CheckTrunk at an allowed address: %v", err)
	}
	if err := d.AddTrunk("m1", acc.Trunk(), acc.CallerIDs); err != nil {
		t.Fatal(err)
	}
	if res := call(); res.Outcome != sip.OutcomeClientFailed {
		t.Fatalf("through the allowed address: outcome %s err %v", res.Outcome, res.Err)
	}
	if n := len(ph.Calls()); n != 2 {
		t.Fatalf("%d calls reached the phone, want the employee's and the client's", n)
	}
	for _, addrs := range [][]string{{"10.0.0.7"}, {"127.0.0.1", "192.168.1.1"}, {"169.254.169.254"}, {"::ffff:127.0.0.2", "fd00::1"}} {
		dns.set(addrs...)
		res := call()
		if res.Outcome != sip.OutcomeFailed || sip.KindOf(res.Err) != sip.KindInvalid || !strings.Contains(res.Err.Error(), "internal address") {
			t.Errorf("resolving to %v: outcome %s err %v", addrs, res.Outcome, res.Err)
		}
		if err := d.CheckTrunk(ctx, acc.Trunk()); sip.KindOf(err) != sip.KindInvalid {
			t.Errorf("CheckTrunk resolving to %v: %v", addrs, err)
		}
	}
	dns.set()
	if res := call(); res.Outcome != sip.OutcomeFailed || sip.KindOf(res.Err) != sip.KindUnreachable {
		t.Errorf("resolving to nothing: outcome %s err %v", res.Outcome, res.Err)
	}
	if n := len(ph.Calls()); n != 2 {
		t.Errorf("%d calls reached the phone after the name moved, want none more", n)
	}
}

// TestAccountCheckAddrs: at save, the host an account's requests go to
// (the proxy, else the registrar) is resolved; every address must be
// public or allowed, and the error names the field.
func TestAccountCheckAddrs(t *testing.T) {
	ctx := context.Background()
	loop := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, c := range []struct {
		acc   sip.Account
		allow []netip.Prefix
		field string // "" when accepted
	}{
		{sip.Account{Registrar: "localhost"}, nil, "registrar"},
		{sip.Account{Registrar: "localhost:5080"}, loop, ""},
		{sip.Account{Registrar: "8.8.8.8", Proxy: "localhost"}, nil, "proxy"},
		{sip.Account{Registrar: "localhost", Proxy: "8.8.8.8:5060"}, nil, ""}, // the registrar is only named, never connected to
		{sip.Account{Registrar: "[::1]:5060"}, nil, "registrar"},
		{sip.Account{Registrar: "nothing.invalid"}, nil, "registrar"},
	} {
		err := c.acc.CheckAddrs(ctx, c.allow, nil)
		var e *sip.Error
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v refused: %v", c.acc, err)
		case c.field != "" && (!errors.As(err, &e) || e.Field != c.field):
			t.Errorf("%+v: %v, want an error naming %s", c.acc, err, c.field)
		}
	}
}
