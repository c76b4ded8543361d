// Package netpolicy says which network addresses callbackline may connect
// to on behalf of a portal: the public internet, and the networks the
// operator allows. A portal's REST address (bitrix24) and a portal's own
// SIP account (sip) are both names a portal chose, so both are held to it:
// a name is resolved, every address it resolves to must pass, and the
// address actually connected to is checked again as the connection is made.
package netpolicy

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"
)

// nonPublic are the IPv4 and IPv6 networks that are not the public
// internet, besides what netip.Addr's own predicates find (loopback,
// private, link-local, multicast, unspecified).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated), ::, ::1
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo, ORCHID, …)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
	netip.MustParsePrefix("3fff::/20"),       // documentation
}

// embedded are IPv6 networks that carry an IPv4 address: the embedded
// address is what counts.
var embedded = []struct {
	prefix netip.Prefix
	at     int // byte offset of the IPv4 address
}{
	{netip.MustParsePrefix("64:ff9b::/96"), 12}, // NAT64
	{netip.MustParsePrefix("2002::/16"), 2},     // 6to4
}

// Public reports whether a is an address of the public internet: not
// loopback, private, link-local, shared (CGNAT), multicast, unspecified,
// documentation or reserved, in IPv4 or hidden in IPv6 (IPv4-mapped,
// NAT64, 6to4).
func Public(a netip.Addr) bool {
	a = a.WithZone("").Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, e := range embedded {
		if e.prefix.Contains(a) {
			b := a.As16()
			return Public(netip.AddrFrom4([4]byte(b[e.at : e.at+4])))
		}
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// Networks are the networks the operator allows besides the public
// internet (a self-hosted Bitrix24 or PBX, tests on loopback).
type Networks []netip.Prefix

// Contains reports whether a lies in one of the networks.
func (n Networks) Contains(a netip.Addr) bool {
	a = a.WithZone("").Unmap()
	for _, p := range n {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Allows reports whether a may be connected to: a public address, or one
// in the networks.
func (n Networks) Allows(a netip.Addr) bool { return n.Contains(a) || Public(a) }

// lookupTimeout bounds one resolution.
const lookupTimeout = 10 * time.Second

// Resolve returns the addresses of host, an IP address itself (brackets
// and a zone are allowed) or a name, resolved with the system resolver
// within 10 s. A name with no address is an error.
func Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no address")
	}
	return addrs, err
}
