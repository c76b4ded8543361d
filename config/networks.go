package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// ParseNetworks reads a list of networks, each in CIDR form ("10.0.0.0/8",
// "fd00::/8") or a single address ("192.168.1.20", a /32 or /128). A
// network with bits set beyond its prefix ("10.0.0.1/8") is refused: it
// names the network it means. IPv4-mapped IPv6 forms become IPv4.
func ParseNetworks(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		p, err := parseNetwork(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func parseNetwork(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("%q is not a network (e.g. 10.0.0.0/8) or an address", s)
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a network (e.g. 10.0.0.0/8)", s)
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fmt.Errorf("%q has bits set beyond its prefix; the network is %s", s, m)
	}
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, fmt.Errorf("%q is wider than the IPv4-mapped range; write the IPv4 network", s)
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p, nil
}

// Networks returns AllowNetworks parsed (see ParseNetworks); a
// configuration that validated parses without error.
func (b *Bitrix24) Networks() []netip.Prefix {
	p, err := ParseNetworks(b.AllowNetworks)
	if err != nil {
		return nil
	}
	return p
}
