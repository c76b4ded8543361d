package sip_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// refused are extensions the default rule refuses: the public network
// (0…, 00…, 7 digits and more, +), feature codes (*, #), a single digit,
// and what is no extension at all.
var refused = []string{"0090012345678", "*8101", "+4930123456", "12#", "0", "1234567", "0100", "1", "", "10 1", "101@evil.example.com", "abc"}

func TestDefaultExtensionRule(t *testing.T) {
	var rule sip.ExtensionRule
	for _, ext := range refused {
		if rule.Allows(ext) {
			t.Errorf("default rule allows %q", ext)
		}
		e := rule.Check("plan.employees", ext)
		if e == nil || e.Kind != sip.KindInvalid || e.Field != "plan.employees" {
			t.Errorf("Check(%q) = %v", ext, e)
		}
	}
	for _, ext := range []string{"10", "101", "600", "999999"} {
		if !rule.Allows(ext) || rule.Check("plan.employees", ext) != nil {
			t.Errorf("default rule refuses %q", ext)
		}
	}
	if r, err := sip.CompileExtensionRule(""); err != nil || r.String() != sip.DefaultExtensionPattern {
		t.Errorf("empty pattern = %v, %v", r, err)
	}
}

// A custom pattern is anchored, and cannot widen what fits a SIP URI's
// user part.
func TestCustomExtensionRule(t *testing.T) {
	rule, err := sip.CompileExtensionRule(`[1-9][0-9]{1,5}|\*8[0-9]{3}|sales.*`)
	if err != nil {
		t.Fatal(err)
	}
	for ext, ok := range map[string]bool{"101": true, "*8101": true, "sales.1": true, "*81011": false, "x101": false, "1011234": false, "sales@evil": false, "sales 1": false} {
		if rule.Allows(ext) != ok {
			t.Errorf("Allows(%q) = %v", ext, !ok)
		}
	}
	for _, bad := range []string{"[0-9", "(", "a{2,1}", strings.Repeat("x", 257)} {
		if _, err := sip.CompileExtensionRule(bad); err == nil {
			t.Errorf("pattern %q compiled", bad)
		}
	}
}

// The rule is the trunk's of the line: the sip.lines entry of its number,
// else the first trunk; a bad pattern is an error naming its key.
func TestExtensionRuleOfLine(t *testing.T) {
	c := sip.Config{
		Trunks: []sip.Trunk{
			{Name: "main", Employee: "sip:{extension}@pbx.example.com", Client: "sip:{number}@pbx.example.com"},
			{Name: "codes", Employee: "sip:{extension}@pbx.example.com", Client: "sip:{number}@pbx.example.com", ExtensionPattern: `\*8[0-9]{3}`},
		},
		Lines: []sip.Line{{Number: "+4930123456", Trunk: "codes"}},
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string]string{"+4930123456": "*8101", "sales": "101", "": "101"} {
		rule, err := c.ExtensionRule(line)
		if err != nil || !rule.Allows(want) {
			t.Errorf("line %q: rule %v (%v) refuses %q", line, rule, err, want)
		}
		other := map[string]string{"*8101": "101", "101": "*8101"}[want]
		if rule.Allows(other) {
			t.Errorf("line %q: rule %v allows %q", line, rule, other)
		}
	}
	c.Trunks[1].ExtensionPattern = "[0-9"
	var e *sip.Error
	if err := c.Validate(); !errors.As(err, &e) || e.Field != "sip.trunks[1].extension_pattern" {
		t.Errorf("bad pattern: %v", err)
	}
	var none sip.Config
	if r, err := none.ExtensionRule("x"); err != nil || r.String() != sip.DefaultExtensionPattern {
		t.Errorf("no trunk: %v %v", r, err)
	}
}

func TestMaskExtension(t *testing.T) {
	for ext, want := range map[string]string{"101": "101", "*8101": "*8101", "123456": "123456",
		"0090012345678": "***********78", "+4930123456": "*********56", strings.Repeat("1", 40): strings.Repeat("*", 12) + "11"} {
		if got := sip.MaskExtension(ext); got != want {
			t.Errorf("MaskExtension(%q) = %q, want %q", ext, got, want)
		}
	}
}

// An extension the trunk's rule refuses is refused before any INVITE: the
// listening phone sees nothing, for a plan with only such extensions or
// with one among allowed ones; then an allowed one reaches it.
func TestExtensionRefusedBeforeInvite(t *testing.T) {
	r := newRig(t)
	for _, ext := range refused {
		r.phone.Set(ext, siptest.Behavior{Action: siptest.Busy})
	}
	r.phone.Set("101", siptest.Behavior{Action: siptest.Busy})
	plans := [][]string{{"101", "*8101"}}
	for _, ext := range refused {
		plans = append(plans, []string{ext})
	}
	for _, exts := range plans {
		for _, all := range []bool{false, true} {
			res := r.d.Callback(context.Background(), sip.Plan{Employees: exts, RingAll: all, Client: clientNumber, Timeouts: short})
			if sip.KindOf(res.Err) != sip.KindInvalid || res.Outcome != sip.OutcomeFailed {
				t.Errorf("%q: outcome %s err %v", exts, res.Outcome, res.Err)
			}
			if res.Err != nil && strings.Contains(res.Err.Error(), "0090012345678") {
				t.Errorf("the whole number is in the error: %v", res.Err)
			}
		}
		if err := r.d.CheckExtension("", "", exts[len(exts)-1]); sip.KindOf(err) != sip.KindInvalid {
			t.Errorf("CheckExtension(%q) = %v", exts[len(exts)-1], err)
		}
	}
	// Callback returns only once every leg it placed has ended, and the
	// phone records an INVITE as it arrives.
	if calls := r.phone.Calls(); len(calls) != 0 {
		t.Fatalf("INVITEs reached the phone: %+v", calls)
	}
	res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"101"}, Client: clientNumber, Timeouts: short})
	if res.Outcome != sip.OutcomeEmployeeFailed || res.StatusCode != "486" {
		t.Errorf("allowed extension: outcome %s status %s err %v", res.Outcome, res.StatusCode, res.Err)
	}
	if calls := r.phone.Calls(); len(calls) != 1 || calls[0].User != "101" {
		t.Errorf("the allowed extension's INVITE: %+v", calls)
	}
	if err := r.d.CheckExtension("", "", "101"); err != nil {
		t.Errorf("CheckExtension(101) = %v", err)
	}
}
