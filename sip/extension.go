package sip

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultExtensionPattern is the extension rule of a trunk that sets
// none: 2–6 digits without a leading 0. It lets through the extensions of
// an office PBX and nothing a PBX would route elsewhere: no public number
// (7 digits and more, or a leading 0 or 00), no feature code (*, #) and
// no international prefix (+).
const DefaultExtensionPattern = `^[1-9][0-9]{1,5}$`

// maxPatternLen bounds an extension pattern.
const maxPatternLen = 256

// ExtensionRule is a trunk's rule for the employee side: which extensions
// may be dialled through it. The same rule is checked when lines are saved
// (a line's fixed target), when employees are chosen (their
// UF_PHONE_INNER) and right before the INVITE. An extension must also fit
// a SIP URI's user part ([ValidExtension]), whatever the pattern says. The
// zero ExtensionRule is the default rule.
type ExtensionRule struct {
	re      *regexp.Regexp
	pattern string // as written
}

var defaultRule = regexp.MustCompile(DefaultExtensionPattern)

// CompileExtensionRule compiles a trunk's extension_pattern, "" for
// [DefaultExtensionPattern]. The pattern (Go regexp syntax) must match the
// whole extension: it is anchored whether it is written with ^…$ or not.
func CompileExtensionRule(pattern string) (ExtensionRule, error) {
	if pattern == "" {
		return ExtensionRule{}, nil
	}
	if len(pattern) > maxPatternLen {
		return ExtensionRule{}, fmt.Errorf("is %d characters long; at most %d", len(pattern), maxPatternLen)
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return ExtensionRule{}, fmt.Errorf("%q is not a regular expression: %v", pattern, err)
	}
	return ExtensionRule{re: re, pattern: pattern}, nil
}

// String is the rule's pattern as written.
func (r ExtensionRule) String() string {
	if r.re == nil {
		return DefaultExtensionPattern
	}
	return r.pattern
}

// Allows reports whether ext may be dialled under the rule.
func (r ExtensionRule) Allows(ext string) bool {
	re := r.re
	if re == nil {
		re = defaultRule
	}
	return ValidExtension(ext) && re.MatchString(ext)
}

// Check returns nil when ext may be dialled under the rule, else an
// *Error of KindInvalid for field, whose text shows the extension only
// masked when it could be a phone number (see MaskExtension).
func (r ExtensionRule) Check(field, ext string) *Error {
	if r.Allows(ext) {
		return nil
	}
	return invalid(field, "extension %q breaks the trunk's extension rule %q", MaskExtension(ext), r.String())
}

// MaskExtension returns ext fit for logs and history: as it is when it
// holds at most 6 digits, else with all but its last two characters
// starred, since it could be a phone number. It is cut to 32 characters.
func MaskExtension(ext string) string {
	digits := 0
	for _, c := range ext {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	if len(ext) > 32 {
		ext = ext[:32]
	}
	if digits > 6 {
		ext = strings.Repeat("*", min(len(ext)-2, 12)) + ext[len(ext)-2:]
	}
	return strings.ToValidUTF8(ext, "?")
}

// ExtensionRule returns the extension rule of the trunk a call of the
// line number goes out through: the trunk of the sip line of that number,
// else the first trunk; the default rule when there is no trunk. The
// error is that trunk's bad extension_pattern (Validate reports it too).
func (c *Config) ExtensionRule(line string) (ExtensionRule, error) {
	if len(c.Trunks) == 0 {
		return ExtensionRule{}, nil
	}
	name := ""
	for _, l := range c.Lines {
		if l.Number == line && name == "" {
			name = l.Trunk // as Plan.Line resolves it
		}
	}
	t := c.trunk(name)
	if t == nil {
		t = &c.Trunks[0]
	}
	return CompileExtensionRule(t.ExtensionPattern)
}
