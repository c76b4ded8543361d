package main

import (
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/sip"
)

// risk is one risky setting doctor warns about: the key and why.
type risk struct{ key, why string }

// risks returns the settings of cfg that leave the service open to abuse
// or loss, each with how to close it; doctor shows them as warnings.
func risks(cfg *config.Config) []risk {
	var out []risk
	if cfg.EncryptionKey == "" {
		why := "not set: the portals' tokens are stored in the clear, and portals cannot keep SIP accounts of their own (their passwords are never stored in the clear)"
		if n := trunkPasswords(cfg); n > 0 {
			why += fmt.Sprintf("; %d trunk password(s) of this configuration would be stored in the clear for portals", n)
		}
		out = append(out, risk{"encryption_key", why + "; set 32 random bytes (base64), e.g. openssl rand -base64 32"})
	}
	if len(cfg.Intake.AllowedCountries) == 0 {
		out = append(out, risk{"intake.allowed_countries", "empty: no country limit; a portal's administrator may allow calls to any country on the trunks' bill; list the countries the service may call (e.g. [DE, AT, CH])"})
	}
	if cfg.MetricsToken == "" && publicListen(cfg.Listen) {
		out = append(out, risk{"metrics_token", fmt.Sprintf("not set while listen %q is reachable from other hosts: anyone can read /metrics (portals, call volumes); set metrics_token or listen on 127.0.0.1", cfg.Listen)})
	}
	for i, t := range cfg.SIP.Trunks {
		if what := wideExtensions(t.ExtensionPattern); what != "" {
			out = append(out, risk{fmt.Sprintf("sip.trunks[%d].extension_pattern", i),
				fmt.Sprintf("%q allows %s: an employee's extension could reach the public network or the PBX's feature codes; allow only your internal numbers (default %s)",
					t.ExtensionPattern, what, sip.DefaultExtensionPattern)})
		}
	}
	return out
}

// trunkPasswords counts the configured trunks with a password.
func trunkPasswords(cfg *config.Config) int {
	n := 0
	for _, t := range cfg.SIP.Trunks {
		if t.Password != "" {
			n++
		}
	}
	return n
}

// publicListen reports whether the HTTP listen address host:port is
// reachable from other hosts: every interface, or an address that is not
// loopback.
func publicListen(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return true
	}
	switch {
	case host == "":
		return true // every interface
	case strings.EqualFold(host, "localhost"):
		return false
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return true // a name: it may resolve to anything
	}
	return !a.IsLoopback()
}

// wideExtensions names what an extension pattern matches beyond internal
// numbers (*, #, +, a leading 0, more than 6 digits), "" when nothing. The
// pattern is judged by itself, anchored as sip.CompileExtensionRule
// anchors it: what it says is allowed is what the operator meant, even
// where the dialer refuses a character anyway.
func wideExtensions(pattern string) string {
	if pattern == "" {
		return ""
	}
	rule, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return ""
	}
	var what []string
	for _, p := range extensionProbes {
		if slices.ContainsFunc(p.exts, rule.MatchString) {
			what = append(what, p.name)
		}
	}
	return strings.Join(what, ", ")
}

// extensionProbes are extensions no internal number looks like, by what
// makes them dangerous: a feature code, a public number, a long one.
var extensionProbes = func() []struct {
	name string
	exts []string
} {
	var digits []string // "", "1", "12", … "123456789"
	for i := range 10 {
		digits = append(digits, "123456789"[:i])
	}
	around := func(c string) []string {
		var out []string
		for _, d := range digits[:7] {
			out = append(out, c+d, d+c, "1"+c+d)
		}
		return out
	}
	var lead, long []string
	for _, d := range digits[:7] {
		lead = append(lead, "0"+d, "00"+d)
	}
	for _, d := range digits[7:] {
		long = append(long, d, "4930"+d)
	}
	return []struct {
		name string
		exts []string
	}{
		{"*", around("*")},
		{"#", around("#")},
		{"+", around("+")},
		{"a leading 0", append(lead, "0090012345678")},
		{"more than 6 digits", append(long, "1234567", "123456789012345")},
	}
}()
