package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary files to Load: it returns a configuration that
// validates, or *Errors; it never panics.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"callbackline.example.yaml", "callbackline.company.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("sip: {trunks: x}\nlines: [{policy: {hours: {monday: [[1]]}}}]\n"))
	f.Add([]byte("defaults: {policy: {client_attempts: ~, hours: {time_zone: &z UTC, holidays: [*z]}}}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path, nil)
		if err != nil {
			problems(t, err)
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Load returned a configuration that does not validate: %v", err)
		}
		if _, err := c.DomainLines(); err != nil {
			t.Fatalf("DomainLines of a loaded configuration: %v", err)
		}
		_ = c.String()
	})
}

// FuzzPortalLines feeds arbitrary text to PortalLines (a portal
// administrator's input on the app page and the API): it returns lines
// within portal_limits that show only the portal's numbers, or *Errors;
// it never panics.
func FuzzPortalLines(f *testing.F) {
	c := Default()
	c.Portals = []Portal{{MemberID: testMember, CallerIDs: []string{"+4930123456"}}, {MemberID: "other", CallerIDs: []string{"+4930999999"}}}
	text, err := FormatLines(loadCompanyF(f).Lines)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(text)
	f.Add("- number: sales\n  employees: [1, 2]\n  policy: {ring_mode: ALL, hours: {monday: [\"09:00-18:00\"]}}\n")
	f.Add("lines:\n  - number: x\n    target: \"600\"\n    target_user: 1\n")
	f.Add("- number: x\n  policy: {max_call_length: 5h, employee_ring_timeout: 10m}\n")
	f.Add("- &a {number: x}\n- *a\n")
	f.Add("[")
	ok := c.callerIDs(testMember, nil)
	lim := c.PortalLimits
	f.Fuzz(func(t *testing.T, text string) {
		lines, err := c.PortalLines(testMember, text)
		if err != nil {
			problems(t, err)
			return
		}
		if len(lines) == 0 || len(lines) > lim.Lines {
			t.Fatalf("%d lines accepted", len(lines))
		}
		for _, l := range lines {
			p := l.Policy
			if len(l.Employees) > lim.Employees || p.EmployeeRingTimeout > lim.EmployeeRingTimeout ||
				p.ClientRingTimeout > lim.ClientRingTimeout || p.MaxCallLength > lim.MaxCallLength ||
				p.ClientAttempts > lim.ClientAttempts || p.EmployeeRounds > lim.EmployeeRounds || p.MaxAge > lim.MaxAge ||
				p.ClientRetryAfter < lim.ClientRetryAfter || p.EmployeeRetryAfter < lim.EmployeeRetryAfter ||
				p.ClientRetryAfter > p.MaxAge || p.EmployeeRetryAfter > p.MaxAge {
				t.Fatalf("a line past the bounds was accepted: %+v", l)
			}
			if l.CallerID != "" && !ok[l.CallerID] {
				t.Fatalf("a line shows a number not given to the portal: %+v", l)
			}
		}
	})
}

// loadCompanyF loads the company example for a fuzz target.
func loadCompanyF(f *testing.F) *Config {
	c, err := Load("callbackline.company.yaml", []string{"CALLBACKLINE_BITRIX24_CLIENT_SECRET=" + secretClient})
	if err != nil {
		f.Fatal(err)
	}
	return c
}

// FuzzFieldsText feeds arbitrary values of the app page's form to
// FieldsText: the text it writes reads back (FieldsOf) to the same
// values, trimmed, for every key that is text; or PortalLines names the
// problem. It never panics.
func FuzzFieldsText(f *testing.F) {
	f.Add("north", "Sales: North", "09:00-18:00", "2")
	f.Add("0123", "null", "", "abc")
	f.Add("- x", "[a, b]", "{a: 1}", "~")
	f.Add("a\nb", "#x", "'q'", "\"")
	c := Default()
	f.Fuzz(func(t *testing.T, number, name, span, attempts string) {
		in := []LineFields{{"number": {number}, "name": {name}, "policy.hours.monday[]": {span},
			"policy.client_attempts": {attempts}}}
		text, err := FieldsText(in)
		if err != nil {
			return // not valid UTF-8
		}
		if _, err := c.PortalLines(testMember, text); err != nil {
			problems(t, err)
		}
		back, err := FieldsOf(text)
		if err != nil {
			return // a value PortalLines refuses (client_attempts: abc)
		}
		if len(back) != 1 {
			t.Fatalf("%d lines back from %q", len(back), text)
		}
		for key, v := range map[string]string{"number": number, "name": name} {
			if got := strings.Join(back[0][key], ""); got != strings.TrimSpace(v) {
				t.Fatalf("%s %q came back %q through\n%s", key, v, got, text)
			}
		}
	})
}
