package sip

import (
	"strings"
	"testing"
)

// FuzzRender checks that no extension or number that passes validation can
// change anything in the address but its user part.
func FuzzRender(f *testing.F) {
	f.Add("sip:{extension}@pbx.example.com", "101", "+4930123456")
	f.Add("sips:{extension}@10.0.0.1:5061;transport=tls", "*99", "+14155550100")
	f.Add("sip:{extension}@pbx.example.com", "101@evil.com", "+4930123456;x=y")
	f.Add("sip:{extension}@[::1]:5060", "a.b-c_d", "+1234567")
	f.Fuzz(func(t *testing.T, tpl, ext, num string) {
		// The widest extension rule: every extension that fits a URI.
		tr := &Trunk{Employee: tpl, Client: strings.Replace(tpl, "{extension}", "{number}", 1), ExtensionPattern: ".*"}
		base, err := parseTemplate(tpl, "{extension}")
		if err != nil {
			return
		}
		want, err := base.render("probe")
		if err != nil {
			t.Fatalf("template %q accepted but probe does not render: %v", tpl, err)
		}
		if u, err := tr.employeeURI(ext); err == nil {
			if !ValidExtension(ext) || u.User != ext || u.Host != want.Host || u.Port != want.Port || u.Scheme != want.Scheme {
				t.Fatalf("extension %q in %q gave %s", ext, tpl, u.String())
			}
		} else if ValidExtension(ext) {
			t.Fatalf("valid extension %q rejected in %q: %v", ext, tpl, err)
		}
		if u, err := tr.clientURI(num); err == nil {
			if !ValidE164(num) || u.User != num || u.Host != want.Host {
				t.Fatalf("number %q in %q gave %s", num, tpl, u.String())
			}
		}
	})
}
