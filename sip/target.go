package sip

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	sipgo "github.com/emiago/sipgo/sip"
)

var (
	reExtension = regexp.MustCompile(`^[0-9A-Za-z*][0-9A-Za-z*._-]{0,31}$`)
	reE164      = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	reUser      = regexp.MustCompile(`^\+?[0-9A-Za-z*._-]{1,32}$`)
	reToken     = regexp.MustCompile(`^[0-9A-Za-z._-]{1,64}$`)
	reHost      = regexp.MustCompile(`^[0-9A-Za-z]([0-9A-Za-z-]{0,62}[0-9A-Za-z])?(\.[0-9A-Za-z]([0-9A-Za-z-]{0,62}[0-9A-Za-z])?)*$`)
)

// ValidExtension reports whether s is an acceptable employee extension:
// 1–32 letters, digits and *._- (no SIP URI syntax).
func ValidExtension(s string) bool { return reExtension.MatchString(s) }

// ValidE164 reports whether s is an E.164 number: "+", then 7–15 digits.
func ValidE164(s string) bool { return reE164.MatchString(s) }

func validUser(s string) bool  { return reUser.MatchString(s) }
func validToken(s string) bool { return reToken.MatchString(s) }

func validHost(h string) bool {
	if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil {
		return true
	}
	return len(h) <= 253 && reHost.MatchString(h)
}

// template is a parsed address template: a SIP URI whose user part is one
// placeholder.
type template struct {
	raw    string
	holder string // the placeholder found
}

const probe = "probe0123456789"

// parseTemplate checks that s is a sip: or sips: URI whose user part is
// exactly one of the placeholders and whose other parts are fixed.
func parseTemplate(s string, holders ...string) (template, error) {
	if s == "" {
		return template{}, fmt.Errorf("address template is empty: set it like sip:%s@pbx.example.com", holders[0])
	}
	var found string
	for _, h := range holders {
		if n := strings.Count(s, h); n == 1 && found == "" {
			found = h
		} else if n > 0 {
			return template{}, fmt.Errorf("%q must contain exactly one of %s", s, strings.Join(holders, ", "))
		}
	}
	if found == "" {
		return template{}, fmt.Errorf("%q must contain %s", s, strings.Join(holders, " or "))
	}
	var u sipgo.Uri
	if err := sipgo.ParseUri(strings.Replace(s, found, probe, 1), &u); err != nil {
		return template{}, fmt.Errorf("%q is not a SIP URI: %v", s, err)
	}
	if u.Scheme != "sip" && u.Scheme != "sips" {
		return template{}, fmt.Errorf("%q must start with sip: or sips:", s)
	}
	if u.User != probe || u.Password != "" {
		return template{}, fmt.Errorf("%q: %s must be the whole user part (before @)", s, found)
	}
	if u.Host == "" || !validHost(u.Host) {
		return template{}, fmt.Errorf("%q has no valid host", s)
	}
	if u.Headers != nil && u.Headers.Length() > 0 {
		return template{}, fmt.Errorf("%q must not carry URI headers (?...)", s)
	}
	return template{raw: s, holder: found}, nil
}

// render puts a validated value into the template and parses the result,
// checking that the value ended up as the whole user part and nothing else.
func (t template) render(value string) (sipgo.Uri, error) {
	user := value
	if t.holder == "{digits}" {
		user = strings.TrimPrefix(value, "+")
	}
	var u sipgo.Uri
	if err := sipgo.ParseUri(strings.Replace(t.raw, t.holder, user, 1), &u); err != nil {
		return sipgo.Uri{}, err
	}
	if u.User != user {
		return sipgo.Uri{}, fmt.Errorf("value does not form the user part")
	}
	return u, nil
}

// employeeURI renders the employee address of extension ext on trunk t,
// which must pass the trunk's extension rule: this is the last check
// before the INVITE.
func (t *Trunk) employeeURI(ext string) (sipgo.Uri, error) {
	rule, err := CompileExtensionRule(t.ExtensionPattern)
	if err != nil {
		return sipgo.Uri{}, invalid("trunk.extension_pattern", "%v", err)
	}
	if err := rule.Check("plan.employees", ext); err != nil {
		return sipgo.Uri{}, err
	}
	tpl, err := parseTemplate(t.Employee, "{extension}")
	if err != nil {
		return sipgo.Uri{}, invalid("trunk.employee", "%v", err)
	}
	u, err := tpl.render(ext)
	if err != nil {
		return sipgo.Uri{}, invalid("plan.employees", "extension %q: %v", MaskExtension(ext), err)
	}
	return u, nil
}

// clientURI renders the client address of E.164 number n on trunk t.
func (t *Trunk) clientURI(n string) (sipgo.Uri, error) {
	if !ValidE164(n) {
		return sipgo.Uri{}, invalid("plan.client", "the client number must be E.164 (+ and 7–15 digits); normalise it first")
	}
	tpl, err := parseTemplate(t.Client, "{number}", "{digits}")
	if err != nil {
		return sipgo.Uri{}, invalid("trunk.client", "%v", err)
	}
	u, err := tpl.render(n)
	if err != nil {
		return sipgo.Uri{}, invalid("plan.client", "%v", err)
	}
	return u, nil
}

// registrar returns the REGISTER target of the trunk.
func (t *Trunk) registrar() (sipgo.Uri, error) {
	s := t.Registrar
	if s == "" {
		tpl, err := parseTemplate(t.Employee, "{extension}")
		if err != nil {
			return sipgo.Uri{}, err
		}
		u, _ := tpl.render("x")
		return sipgo.Uri{Scheme: u.Scheme, Host: u.Host, Port: u.Port, UriParams: u.UriParams, Headers: sipgo.NewParams()}, nil
	}
	var u sipgo.Uri
	if err := sipgo.ParseUri(s, &u); err != nil || (u.Scheme != "sip" && u.Scheme != "sips") || !validHost(u.Host) {
		return sipgo.Uri{}, fmt.Errorf("%q is not a SIP URI like sip:pbx.example.com", s)
	}
	return u, nil
}

// proxyURI turns "host[:port]" or a SIP URI into a loose-routing URI for a
// Route header.
func proxyURI(s string) (sipgo.Uri, error) {
	if !strings.HasPrefix(s, "sip:") && !strings.HasPrefix(s, "sips:") {
		s = "sip:" + s
	}
	var u sipgo.Uri
	if err := sipgo.ParseUri(s, &u); err != nil || u.User != "" || !validHost(u.Host) {
		return sipgo.Uri{}, fmt.Errorf("%q is not host[:port] or sip:host[:port]", s)
	}
	if u.UriParams == nil {
		u.UriParams = sipgo.NewParams()
	}
	if _, ok := u.UriParams.Get("lr"); !ok {
		u.UriParams.Add("lr", "")
	}
	return u, nil
}

// mask hides all but the last two characters of a number for logs.
func mask(s string) string {
	if len(s) <= 4 {
		return strings.Repeat("*", len(s))
	}
	return s[:1] + strings.Repeat("*", len(s)-3) + s[len(s)-2:]
}

func itoa(i int) string { return strconv.Itoa(i) }
