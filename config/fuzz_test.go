package config

import (
	"os"
	"path/filepath"
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
// within the portal bounds, or *Errors; it never panics, and accepted
// lines written back by FormatLines parse to the same lines.
func FuzzPortalLines(f *testing.F) {
	c := Default()
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
	f.Fuzz(func(t *testing.T, text string) {
		lines, err := c.PortalLines(text)
		if err != nil {
			problems(t, err)
			return
		}
		if len(lines) == 0 || len(lines) > MaxPortalLines {
			t.Fatalf("%d lines accepted", len(lines))
		}
		for _, l := range lines {
			if len(l.Employees) > MaxPortalEmployees || l.Policy.EmployeeRingTimeout > MaxPortalRing ||
				l.Policy.ClientRingTimeout > MaxPortalRing || l.Policy.MaxCallLength > c.PortalBound().Policy.MaxCallLength {
				t.Fatalf("a line past the bounds was accepted: %+v", l)
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
