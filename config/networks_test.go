package config

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseNetworks(t *testing.T) {
	good := map[string]string{
		"127.0.0.0/8":         "127.0.0.0/8",
		" 10.0.0.0/8 ":        "10.0.0.0/8",
		"192.168.1.20":        "192.168.1.20/32",
		"::1":                 "::1/128",
		"fd00::/8":            "fd00::/8",
		"::ffff:10.0.0.0/104": "10.0.0.0/8",
		"::ffff:192.168.1.20": "192.168.1.20/32",
		"0.0.0.0/0":           "0.0.0.0/0",
		"2001:db8:0:0::/64":   "2001:db8::/64",
	}
	for in, want := range good {
		got, err := ParseNetworks([]string{in})
		if err != nil || len(got) != 1 || got[0].String() != want {
			t.Errorf("%q: %v %v, want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "10.0.0.1/8", "10.0.0.0/33", "localhost", "10.0.0.0/8/8", "fe80::1%eth0", "::ffff:0.0.0.0/95", "1.2.3", "10.0.0.0/-1"} {
		if got, err := ParseNetworks([]string{in}); err == nil {
			t.Errorf("%q accepted: %v", in, got)
		}
	}
	c := Default()
	c.Bitrix24.AllowNetworks = []string{"10.0.0.1/8"}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "bitrix24.allow_networks") || !strings.Contains(err.Error(), "10.0.0.0/8") {
		t.Errorf("Validate: %v", err)
	}
	c.Bitrix24.AllowNetworks = []string{"127.0.0.0/8", "::1"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := c.Bitrix24.Networks(); len(n) != 2 || !n[0].Contains(netip.MustParseAddr("127.0.0.1")) || !n[1].Contains(netip.MustParseAddr("::1")) {
		t.Errorf("Networks: %v", n)
	}
	l, err := Load("", []string{"CALLBACKLINE_BITRIX24_ALLOW_NETWORKS=10.0.0.0/8, 192.168.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	if n := l.Bitrix24.Networks(); len(n) != 2 || n[1].String() != "192.168.0.0/16" {
		t.Errorf("from the environment: %v", n)
	}
}

// FuzzParseNetworks: what ParseNetworks accepts is a canonical network
// that prints and parses back to itself; it never panics.
func FuzzParseNetworks(f *testing.F) {
	for _, s := range []string{"127.0.0.0/8", "10.0.0.1/8", "::ffff:10.0.0.0/104", "fe80::1%eth0", "::1", "1.2.3.4", "0.0.0.0/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseNetworks(strings.Split(s, ","))
		if err != nil {
			return
		}
		for _, p := range got {
			if !p.IsValid() || p.Masked() != p || p.Addr().Is4In6() || p.Addr().Zone() != "" {
				t.Fatalf("%q gave %v", s, p)
			}
			back, err := ParseNetworks([]string{p.String()})
			if err != nil || back[0] != p {
				t.Fatalf("%v does not parse back: %v %v", p, back, err)
			}
		}
	})
}
