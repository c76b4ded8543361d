package netpolicy_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/callbackline/callbackline/netpolicy"
)

func TestPublic(t *testing.T) {
	refused := []string{"127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
		"100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.1.2.3", "255.255.255.255", "240.0.0.1",
		"192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "192.0.0.8", "::", "fe80::1", "fe80::1%eth0", "fc00::1",
		"fd12:3456::1", "ff02::1", "fec0::1", "2001:db8::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254",
		"::127.0.0.1", "64:ff9b::a00:1", "64:ff9b::7f00:1", "2002:a00:1::1", "2002:7f00:1::", "2001::1", "100::1"}
	public := []string{"8.8.8.8", "1.1.1.1", "93.184.216.34", "100.128.0.1", "172.32.0.1", "2a00:1450:4001::1",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"}
	for _, s := range refused {
		if netpolicy.Public(netip.MustParseAddr(s)) {
			t.Errorf("%s is taken for public", s)
		}
	}
	for _, s := range public {
		if !netpolicy.Public(netip.MustParseAddr(s)) {
			t.Errorf("%s is not taken for public", s)
		}
	}
	if netpolicy.Public(netip.Addr{}) {
		t.Error("the zero address is taken for public")
	}
}

func TestNetworks(t *testing.T) {
	n := netpolicy.Networks{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, s := range []string{"10.1.2.3", "::ffff:10.1.2.3", "fd00::1", "8.8.8.8"} {
		if !n.Allows(netip.MustParseAddr(s)) {
			t.Errorf("%s refused", s)
		}
	}
	for _, s := range []string{"192.168.1.1", "127.0.0.1", "::1", "169.254.169.254"} {
		if n.Allows(netip.MustParseAddr(s)) {
			t.Errorf("%s allowed", s)
		}
	}
	if (netpolicy.Networks{}).Contains(netip.MustParseAddr("10.0.0.1")) {
		t.Error("no network contains an address")
	}
}

func TestResolve(t *testing.T) {
	ctx := context.Background()
	for host, want := range map[string]string{"192.0.2.1": "192.0.2.1", "[::1]": "::1", "::ffff:10.0.0.1": "::ffff:10.0.0.1"} {
		got, err := netpolicy.Resolve(ctx, host)
		if err != nil || len(got) != 1 || got[0] != netip.MustParseAddr(want) {
			t.Errorf("%s: %v %v", host, got, err)
		}
	}
	// localhost resolves through the system (/etc/hosts) to loopback only.
	got, err := netpolicy.Resolve(ctx, "localhost")
	if err != nil || len(got) == 0 {
		t.Fatalf("localhost: %v %v", got, err)
	}
	for _, a := range got {
		if !a.IsLoopback() {
			t.Errorf("localhost resolves to %s", a)
		}
	}
	if _, err := netpolicy.Resolve(ctx, "nothing.invalid"); err == nil {
		t.Error("a name under .invalid resolved")
	}
}
