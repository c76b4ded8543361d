package sip

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzExtensionRule checks the extension rule for any pattern and
// extension: compiling never panics; what a rule allows fits a SIP URI's
// user part and renders as exactly that user part; a pattern matches the
// whole extension or not at all; and the default rule allows only 2–6
// digits without a leading 0.
func FuzzExtensionRule(f *testing.F) {
	for _, s := range [][2]string{
		{"", "101"}, {"", "0090012345678"}, {"", "*8101"}, {"", "+4930123456"}, {"", "12#"}, {"", "0"},
		{`\*8[0-9]{3}`, "*8101"}, {`[0-9]+`, "101@evil.example.com"}, {`a|ab`, "ab"}, {`^6[0-9]{2}$`, "600"},
		{`(?m)^1$`, "1"}, {`.*`, "x;y=z"}, {`[`, "1"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, ext string) {
		if def := (ExtensionRule{}); def.Allows(ext) {
			if len(ext) < 2 || len(ext) > 6 || ext[0] == '0' || strings.Trim(ext, "0123456789") != "" {
				t.Fatalf("default rule allows %q", ext)
			}
		}
		rule, err := CompileExtensionRule(pattern)
		if err != nil {
			return
		}
		ok := rule.Allows(ext)
		if (rule.Check("plan.employees", ext) == nil) != ok {
			t.Fatalf("Check and Allows disagree on %q under %q", ext, pattern)
		}
		if !ok {
			return
		}
		if !ValidExtension(ext) {
			t.Fatalf("%q allows %q, which does not fit a SIP URI", pattern, ext)
		}
		if pattern != "" {
			// Leftmost-longest finds the whole extension exactly when
			// some match of the pattern covers it.
			raw, err := regexp.Compile(pattern)
			if err != nil {
				t.Fatalf("%q compiled anchored only: %v", pattern, err)
			}
			raw.Longest()
			if m := raw.FindStringIndex(ext); m == nil || m[0] != 0 || m[1] != len(ext) {
				t.Fatalf("%q allows %q without matching all of it (%v)", pattern, ext, m)
			}
		}
		tr := &Trunk{Employee: "sip:{extension}@pbx.example.com", ExtensionPattern: pattern}
		u, err := tr.employeeURI(ext)
		if err != nil || u.User != ext || u.Host != "pbx.example.com" {
			t.Fatalf("%q allowed under %q renders as %v (%v)", ext, pattern, u.String(), err)
		}
	})
}
