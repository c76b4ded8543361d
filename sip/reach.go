package sip

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"

	sipgosip "github.com/emiago/sipgo/sip"

	"github.com/callbackline/callbackline/netpolicy"
)

// A portal's own SIP account names its servers itself, so they are held
// to the same rule as a portal's REST address (netpolicy): the host the
// requests are sent to (the outbound proxy, else the registrar) is
// resolved, and every address it resolves to must be public or in
// sip.portal_networks. It is checked when the account is saved
// (Account.CheckAddrs) and again before every REGISTER, OPTIONS and call
// (Dialer.reach), and the request is sent to the address that was checked,
// never to a second resolution: a name that later resolves elsewhere (DNS
// rebinding) gains nothing.

// Lookup resolves a host name to its addresses (netpolicy.Resolve).
type Lookup func(ctx context.Context, host string) ([]netip.Addr, error)

// connectField is the account field naming the host its requests are
// sent to, and that host[:port].
func (a *Account) connectField() (field, hostport string) {
	if a.Proxy != "" {
		return "proxy", a.Proxy
	}
	return "registrar", a.Registrar
}

// CheckAddrs resolves the host the account's requests are sent to (the
// proxy, else the registrar) and checks that every address is public or
// in allow. The error is an *Error of KindInvalid naming the field
// ("registrar") that says what to fix. lookup nil is netpolicy.Resolve.
func (a *Account) CheckAddrs(ctx context.Context, allow []netip.Prefix, lookup Lookup) error {
	field, hp := a.connectField()
	host := hp
	if h, _, err := net.SplitHostPort(hp); err == nil {
		host = h
	}
	if _, err := checkAddrs(ctx, field, host, allow, lookup); err != nil {
		return err
	}
	return nil
}

// checkAddrs resolves host and checks every address; it returns the first.
func checkAddrs(ctx context.Context, field, host string, allow []netip.Prefix, lookup Lookup) (netip.Addr, *Error) {
	if lookup == nil {
		lookup = netpolicy.Resolve
	}
	addrs, err := lookup(ctx, strings.Trim(host, "[]"))
	if err != nil || len(addrs) == 0 {
		return netip.Addr{}, (&Error{Kind: KindUnreachable, Field: field,
			Reason: strconv.Quote(clipHost(host)) + " does not resolve: check the server's name"}).coded("sip_no_resolve", clipHost(host))
	}
	for _, ad := range addrs {
		if netpolicy.Networks(allow).Allows(ad) {
			continue
		}
		if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
			return netip.Addr{}, invalid(field, "%s is an internal address; only public servers may be used", ad.WithZone("")).coded("sip_internal", ad.WithZone("").String())
		}
		return netip.Addr{}, invalid(field, "%s resolves to %s, an internal address; only public servers may be used", clipHost(host), ad.WithZone("")).
			coded("sip_resolves_internal", clipHost(host), ad.WithZone("").String())
	}
	return addrs[0].WithZone("").Unmap(), nil
}

// clipHost shortens a host for a message.
func clipHost(h string) string {
	if len(h) > 64 {
		return h[:64] + "…"
	}
	return h
}

// reach resolves the host a portal's own trunk t sends its requests to
// (its outbound proxy, else its registrar), checks every address against
// sip.portal_networks, and returns the loose route to the first: the
// requests are sent there. The error is an *Error of KindInvalid (an
// internal address) or KindUnreachable (no address).
func (d *Dialer) reach(ctx context.Context, t *Trunk) (sipgosip.Uri, *Error) {
	field, u := "trunk.outbound_proxy", sipgosip.Uri{}
	var err error
	if t.OutboundProxy != "" {
		u, err = proxyURI(t.OutboundProxy)
	} else {
		field = "trunk.registrar"
		u, err = t.registrar()
	}
	if err != nil {
		return sipgosip.Uri{}, invalid(field, "%v", err)
	}
	allow, _ := d.cfg.Networks() // checked by New
	ip, e := checkAddrs(ctx, field, u.Host, allow, d.lookup)
	if e != nil {
		e.Reason = "the portal's SIP account: " + e.Reason
		return sipgosip.Uri{}, e
	}
	host := ip.String()
	if ip.Is6() {
		host = "[" + host + "]"
	}
	params := sipgosip.NewParams()
	if tr, ok := u.UriParams.Get("transport"); ok {
		params.Add("transport", tr)
	}
	params.Add("lr", "")
	return sipgosip.Uri{Scheme: u.Scheme, Host: host, Port: u.Port, UriParams: params, Headers: sipgosip.NewParams()}, nil
}

// destination is the host:port a request sent along route r goes to.
func destination(r sipgosip.Uri, transport string) string {
	port := r.Port
	if port == 0 {
		port = 5060
		if strings.EqualFold(transport, "tls") || r.Scheme == "sips" {
			port = 5061
		}
	}
	return net.JoinHostPort(strings.Trim(r.Host, "[]"), strconv.Itoa(port))
}
