package bitrix24

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/callbackline/callbackline/netpolicy"
)

// Where callbackline sends a portal's requests. A portal's REST address
// (client_endpoint) comes from the OAuth server's answer, and everything
// sent there carries the portal's access token. The rule:
//
//   - https to a public address;
//   - an address in one of the operator's allowed networks (OAuth.AllowNetworks:
//     a self-hosted Bitrix24, tests on loopback), over https or plain http;
//   - nothing else: no loopback, private, link-local, shared (CGNAT),
//     multicast, unspecified, documentation or reserved address, in IPv4 or
//     hidden in IPv6 (IPv4-mapped, NAT64, 6to4).
//
// The rule is checked when the OAuth server names an endpoint (with the
// name resolved: every address must pass) and again when a connection is
// made, on the address actually dialled, so a name that resolves
// elsewhere later (DNS rebinding) gains nothing.

// EndpointError says that a portal's REST address is refused by the rule
// above: Endpoint is the address (a URL, or the ip:port of a connection
// refused as it was made), Reason why, in words.
type EndpointError struct {
	Endpoint string
	Reason   string
}

func (e *EndpointError) Error() string {
	return fmt.Sprintf("bitrix24: the portal's address %s is refused: %s", e.Endpoint, e.Reason)
}

// addrRule is the rule with the operator's allowed networks; which
// addresses are public is netpolicy's.
type addrRule []netip.Prefix

// check says why a may not be reached over https (tls) or plain http, or
// nil when it may.
func (r addrRule) check(a netip.Addr, tls bool) error {
	switch {
	case netpolicy.Networks(r).Contains(a):
		return nil
	case !tls:
		return fmt.Errorf("plain http is allowed only to the networks in bitrix24.allow_networks, and %s is not in them", a)
	case !netpolicy.Public(a):
		return fmt.Errorf("%s is not a public address (a self-hosted portal's network is allowed with bitrix24.allow_networks)", a)
	}
	return nil
}

// checkURL checks an endpoint URL: its scheme, and every address its host
// resolves to.
func (r addrRule) checkURL(ctx context.Context, endpoint string) error {
	refuse := func(format string, args ...any) error {
		return &EndpointError{Endpoint: endpoint, Reason: fmt.Sprintf(format, args...)}
	}
	if err := checkEndpoint(endpoint); err != nil {
		return refuse("%v", err)
	}
	u, _ := url.Parse(endpoint)
	addrs, err := netpolicy.Resolve(ctx, u.Hostname())
	if err != nil {
		return refuse("its host %s does not resolve", clip(u.Hostname(), 100))
	}
	for _, a := range addrs {
		if err := r.check(a, u.Scheme == "https"); err != nil {
			return refuse("%v", err)
		}
	}
	return nil
}

// transport returns an http.RoundTripper for a portal's requests that
// dials only addresses the rule allows: over https, public ones and the
// allowed networks; over plain http, only the allowed networks. The
// address is checked as the connection is made. No proxy is used (a proxy
// would hide the address from the check).
func (r addrRule) transport() http.RoundTripper {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.Proxy = nil
	dial := func(tls bool) func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second,
			Control: func(_, address string, _ syscall.RawConn) error {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return fmt.Errorf("bitrix24: dialling %q: not an address", address)
				}
				if err := r.check(ap.Addr(), tls); err != nil {
					return &EndpointError{Endpoint: address, Reason: err.Error()}
				}
				return nil
			}}
		return d.DialContext
	}
	secure, plain := base.Clone(), base.Clone()
	secure.DialContext, plain.DialContext = dial(true), dial(false)
	return schemeTransport{https: secure, http: plain}
}

// schemeTransport sends https and http requests through the transport
// of their scheme.
type schemeTransport struct{ https, http *http.Transport }

func (t schemeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.URL.Scheme {
	case "https":
		return t.https.RoundTrip(req)
	case "http":
		return t.http.RoundTrip(req)
	}
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, fmt.Errorf("bitrix24: the scheme %q is not http(s)", req.URL.Scheme)
}

// CloseIdleConnections closes both transports' idle connections.
func (t schemeTransport) CloseIdleConnections() {
	t.https.CloseIdleConnections()
	t.http.CloseIdleConnections()
}

// clip shortens text from elsewhere (a portal's or the OAuth server's
// answer) for an error message: printable characters only, at most n
// runes.
func clip(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if n == 0 {
			b.WriteString("…")
			break
		}
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || r == '\ufffd' {
			r = ' '
		}
		b.WriteRune(r)
		n--
	}
	return b.String()
}

// clipCode keeps what an error code may hold (letters, digits, _ . : -),
// at most 64 characters; anything else becomes "?".
func clipCode(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == ':', r == '-':
			return r
		}
		return '?'
	}, s)
}
