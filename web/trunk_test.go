package web

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/callbackline/callbackline/sip"
)

func trunkForm(kv ...string) url.Values {
	f := url.Values{fieldRegistrar: {"sip.example.com"}, fieldUsername: {"acme"}, fieldPassword: {"pw"}, fieldCallerIDs: {"+4930123456"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// TestTrunkFormHostile: what an administrator (or anyone posting the
// form) may not enter: internal addresses, URIs smuggled into a host,
// header injection in the password, numbers that are no E.164, too many.
func TestTrunkFormHostile(t *testing.T) {
	for _, c := range []struct{ field, value string }{
		{fieldRegistrar, ""},
		{fieldRegistrar, "127.0.0.1"},
		{fieldRegistrar, "10.0.0.5:5060"},
		{fieldRegistrar, "[::1]:5060"},
		{fieldRegistrar, "169.254.169.254"},
		{fieldRegistrar, "0.0.0.0"},
		{fieldRegistrar, "sip.example.com;transport=tcp"},
		{fieldRegistrar, "evil@sip.example.com"},
		{fieldRegistrar, "sip.example.com:99999"},
		{fieldProxy, "192.168.1.1"},
		{fieldUsername, ""},
		{fieldUsername, "a b"},
		{fieldUsername, "a\r\nVia: x"},
		{fieldPassword, ""},
		{fieldPassword, "pw\r\nContact: <sip:x@evil>"},
		{fieldCallerIDs, ""},
		{fieldCallerIDs, "*8101"},
		{fieldCallerIDs, "0090012345678"},
		{fieldCallerIDs, strings.Repeat("+4930123456,", 11)},
		{fieldTransport, "ws"},
	} {
		if _, err := parseTrunkForm(trunkForm(c.field, c.value), nil); sip.KindOf(err) != sip.KindInvalid {
			t.Errorf("%s=%q: %v", c.field, c.value, err)
		} else if strings.Contains(err.Error(), "pw") && c.field == fieldPassword {
			t.Errorf("the password is in the error: %v", err)
		}
	}
	a, err := parseTrunkForm(trunkForm(fieldCallerIDs, "+49 30 123456, +49 (30) 654-321\n", fieldTransport, "TCP", fieldCheck, "options"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.CallerIDs) != 2 || a.CallerIDs[1] != "+4930654321" || a.Transport != "tcp" || a.Register {
		t.Errorf("account %+v", a)
	}
	if tr := a.Trunk(); tr.Employee != "sip:{extension}@sip.example.com;transport=tcp" || tr.CallerID.Number != "+4930123456" {
		t.Errorf("trunk %+v", tr)
	}
	// Loopback only where the operator allows it (the tests' PBX).
	if _, err := parseTrunkForm(trunkForm(fieldRegistrar, "127.0.0.1:5080"), []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}); err != nil {
		t.Errorf("allowed loopback: %v", err)
	}
}

// FuzzTrunkForm: whatever is posted, an accepted account passes the
// dialer's own trunk check, holds no line break, shows only E.164
// numbers and names no internal address.
func FuzzTrunkForm(f *testing.F) {
	f.Add("sip.example.com", "", "acme", "pw", "+4930123456", "udp", "")
	f.Add("203.0.113.5:5060", "proxy.example.com:5061", "acme-1", "p w", "+4930123456, +4940123456", "TLS", "options")
	f.Add("127.0.0.1", "", "a", "b", "+4930123456", "", "")
	f.Add("[2001:db8::1]:5060", "", "a", "b", "+4930123456", "tcp", "")
	f.Fuzz(func(t *testing.T, registrar, proxy, user, password, callerIDs, transport, check string) {
		a, err := parseTrunkForm(url.Values{fieldRegistrar: {registrar}, fieldProxy: {proxy}, fieldUsername: {user},
			fieldPassword: {password}, fieldCallerIDs: {callerIDs}, fieldTransport: {transport}, fieldCheck: {check}}, nil)
		if err != nil {
			if sip.KindOf(err) != sip.KindInvalid {
				t.Fatalf("error of kind %s: %v", sip.KindOf(err), err)
			}
			return
		}
		tr := a.Trunk()
		tr.Name = "own"
		c := sip.Config{Listen: "127.0.0.1:0", Trunks: []sip.Trunk{tr}}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted %+v, but the dialer refuses its trunk: %v", a, err)
		}
		for _, v := range []string{a.Registrar, a.Proxy, a.Username, a.Password, tr.Employee, tr.Client, tr.Registrar} {
			if strings.ContainsAny(v, "\r\n\x00") {
				t.Fatalf("a line break in %q", v)
			}
		}
		if len(a.CallerIDs) == 0 || len(a.CallerIDs) > 10 {
			t.Fatalf("%d caller IDs", len(a.CallerIDs))
		}
		for _, n := range a.CallerIDs {
			if !sip.ValidE164(n) {
				t.Fatalf("caller ID %q", n)
			}
		}
		for _, h := range []string{a.Registrar, a.Proxy} {
			if ip, err := netip.ParseAddr(strings.Trim(strings.Split(h, "]")[0], "[")); err == nil && (ip.IsLoopback() || ip.IsPrivate() || !ip.IsGlobalUnicast()) {
				t.Fatalf("internal address %q accepted", h)
			}
		}
	})
}
