package config

import (
	"strings"
	"testing"
)

// refusedTargets are extensions the default rule must refuse: the public
// network (a leading 0 or 00, 7 digits and more, +), feature codes (*, #)
// and a single digit.
var refusedTargets = []string{"0090012345678", "*8101", "+4930123456", "12#", "0", "1234567", "0100", "1"}

// A line's target is saved only when the trunk's extension rule allows
// it: in the configuration file and in a portal's own lines.
func TestTargetRule(t *testing.T) {
	c := Default()
	for _, target := range refusedTargets {
		path := write(t, "lines: [{number: a, target: \""+target+"\", target_user: 1}]\n")
		_, err := Load(path, nil)
		hasProblem(t, err, "lines[0].target", "is not an extension the trunk allows")
		_, err = c.PortalLines(testMember, "- number: a\n  target: \""+target+"\"\n  target_user: 1\n")
		if err == nil || !strings.Contains(err.Error(), "lines[0].target:") || !strings.Contains(err.Error(), "extension_pattern") {
			t.Errorf("portal line with target %q: %v", target, err)
		}
		if err != nil && strings.Contains(target, "0090012345678") && strings.Contains(err.Error(), target) {
			t.Errorf("the whole number is in the message: %v", err)
		}
	}
	for _, target := range []string{"10", "600", "999999"} {
		if _, err := c.PortalLines(testMember, "- number: a\n  target: \""+target+"\"\n  target_user: 1\n"); err != nil {
			t.Errorf("target %q refused: %v", target, err)
		}
	}
}

// An operator's own pattern replaces the default, for the trunk of the
// line: the sip.lines entry of its number, else the first trunk.
func TestTargetCustomPattern(t *testing.T) {
	const trunks = "sip:\n  trunks:\n" +
		"    - name: pbx\n      employee: \"sip:{extension}@pbx.example.com\"\n      client: \"sip:{number}@pbx.example.com\"\n" +
		"      extension_pattern: \"[1-9][0-9]{1,5}|\\\\*8[0-9]{3}\"\n" +
		"    - name: strict\n      employee: \"sip:{extension}@pbx.example.com\"\n      client: \"sip:{number}@pbx.example.com\"\n" +
		"      extension_pattern: \"^6[0-9]{2}$\"\n" +
		"  lines:\n    - number: queue\n      trunk: strict\n"
	c, err := Load(write(t, trunks+"lines:\n  - {number: a, target: \"*8101\", target_user: 1}\n  - {number: queue, target: \"600\", target_user: 1}\n"), nil)
	if err != nil {
		t.Fatalf("a target the custom pattern allows: %v", err)
	}
	if _, err := c.DomainLines(); err != nil {
		t.Fatal(err)
	}
	_, err = Load(write(t, trunks+"lines:\n  - {number: queue, target: \"101\", target_user: 1}\n"), nil)
	hasProblem(t, err, "lines[0].target", `extension_pattern "^6[0-9]{2}$"`)
	if _, err := c.PortalLines(testMember, "- number: queue\n  target: \"*8101\"\n  target_user: 1\n"); err == nil {
		t.Error("the strict trunk's line took *8101")
	}
	// The pattern matches the whole extension although it is written
	// unanchored.
	if _, err := c.PortalLines(testMember, "- number: a\n  target: \"*81011\"\n  target_user: 1\n"); err == nil {
		t.Error("an unanchored pattern matched a part of the extension")
	}
}

// A pattern that does not compile stops the load, naming the key.
func TestExtensionPatternProblems(t *testing.T) {
	for pattern, says := range map[string]string{
		"[0-9":                      "is not a regular expression",
		"(":                         "is not a regular expression",
		strings.Repeat("[0-9]", 60): "at most 256",
	} {
		path := write(t, "sip:\n  trunks:\n    - name: pbx\n      employee: \"sip:{extension}@h\"\n      client: \"sip:{number}@h\"\n      extension_pattern: \""+pattern+"\"\n")
		_, err := Load(path, nil)
		hasProblem(t, err, "sip.trunks[0].extension_pattern", says)
	}
}
