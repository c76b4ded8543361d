package sip

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/callbackline/callbackline/netpolicy"
)

// Account is a portal's own SIP account as its administrator enters it
// on the application page: where to register, as whom, and which numbers
// it may show. Trunk turns it into the trunk the dialer learns
// (Dialer.AddTrunk).
type Account struct {
	Registrar string   // host[:port] of the registrar or proxy the calls go to
	Proxy     string   // optional outbound proxy, host[:port]
	Username  string   // the account's user name
	Password  string   // its password (a secret: stored encrypted, never shown)
	CallerIDs []string // the numbers it may show clients, E.164; the first is the default
	Transport string   // udp (default), tcp or tls
	Register  bool     // keep a registration; false: tested with OPTIONS only
}

// Limits of an Account.
const (
	maxAccountCallerIDs = 10
	maxAccountField     = 128
)

// Validate checks the account; allow are the networks its hosts may be
// in besides the public internet (loopback for tests, a self-hosted
// PBX). A host given as a name is not resolved here: CheckAddrs does. The error is an
// *Error of KindInvalid whose Field names the form field ("registrar").
func (a *Account) Validate(allow []netip.Prefix) error {
	if err := checkHostPort("registrar", a.Registrar, true, allow); err != nil {
		return err
	}
	if err := checkHostPort("proxy", a.Proxy, false, allow); err != nil {
		return err
	}
	switch {
	case a.Username == "" || len(a.Username) > maxAccountField || !validUser(a.Username):
		return invalid("username", "give the account's user name (letters, digits and -._+*, at most %d)", maxAccountField).
			coded("sip_username", strconv.Itoa(maxAccountField))
	case a.Password == "":
		return invalid("password", "give the account's password").coded("sip_password_needed")
	case len(a.Password) > maxAccountField || strings.ContainsAny(a.Password, "\x00\r\n"):
		return invalid("password", "must be at most %d characters on one line", maxAccountField).coded("sip_password_long", strconv.Itoa(maxAccountField))
	case len(a.CallerIDs) == 0:
		return invalid("caller_ids", "give at least one number of the account, E.164 (+4930123456)").coded("sip_caller_ids_needed")
	case len(a.CallerIDs) > maxAccountCallerIDs:
		return invalid("caller_ids", "are %d; at most %d", len(a.CallerIDs), maxAccountCallerIDs).
			coded("sip_caller_ids_many", strconv.Itoa(len(a.CallerIDs)), strconv.Itoa(maxAccountCallerIDs))
	}
	for _, n := range a.CallerIDs {
		if !ValidE164(n) {
			return invalid("caller_ids", "%q is not E.164 (+ and 7–15 digits, e.g. +4930123456)", maskNumber(n)).coded("sip_caller_id_e164", maskNumber(n))
		}
	}
	switch a.Transport {
	case "", "udp", "tcp", "tls":
	default:
		return invalid("transport", "is udp, tcp or tls").coded("sip_transport")
	}
	return nil
}

// maskNumber shortens what was typed for an error message.
func maskNumber(s string) string {
	if len(s) > 20 {
		s = s[:20] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// checkHostPort checks a host[:port] field: a host name or an IP address
// that is public or in allow.
func checkHostPort(field, v string, required bool, allow []netip.Prefix) error {
	if v == "" {
		if required {
			return invalid(field, "give the host of the account's server (sip.example.com or sip.example.com:5060)").coded("sip_host_needed")
		}
		return nil
	}
	host := v
	if h, p, err := net.SplitHostPort(v); err == nil {
		n, perr := strconv.Atoi(p)
		if perr != nil || n < 1 || n > 65535 {
			return invalid(field, "the port is not 1–65535").coded("sip_port")
		}
		host = h
	}
	if len(v) > maxAccountField || !validHost(host) || strings.ContainsAny(host, "@;?/ ") {
		return invalid(field, "is not a host name or IP address with an optional port").coded("sip_host")
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil && !netpolicy.Networks(allow).Allows(ip) {
		return invalid(field, "is an internal address; only public servers may be used").coded("sip_internal_host")
	}
	return nil
}

// Trunk is the account as a trunk: employees and clients are called at
// the registrar (through the proxy, when given), over its transport.
func (a *Account) Trunk() Trunk {
	params := ""
	if a.Transport != "" && a.Transport != "udp" {
		params = ";transport=" + a.Transport
	}
	t := Trunk{
		Employee:  "sip:{extension}@" + a.Registrar + params,
		Client:    "sip:{number}@" + a.Registrar + params,
		Username:  a.Username,
		Password:  a.Password,
		Register:  a.Register,
		Registrar: "sip:" + a.Registrar + params,
		portal:    true,
	}
	if a.Proxy != "" {
		t.OutboundProxy = a.Proxy
	}
	if len(a.CallerIDs) > 0 {
		t.CallerID.Number = a.CallerIDs[0]
	}
	return t
}

// String describes the account without its password.
func (a Account) String() string {
	return fmt.Sprintf("%s@%s (%s)", a.Username, a.Registrar, a.Transport)
}
