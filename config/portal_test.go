package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// A portal's own lines written as the page shows them come back as the
// same lines: FormatLines and PortalLines are each other's inverse.
func TestPortalLinesRoundTrip(t *testing.T) {
	c := loadCompany(t)
	want, err := c.DomainLines()
	if err != nil {
		t.Fatal(err)
	}
	text, err := FormatLines(c.Lines)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"number: sales", "employees: [12, 34]", "ring_mode: all", `target: "600"`, "announce: false"} {
		if !strings.Contains(text, s) {
			t.Errorf("formatted lines lack %q:\n%s", s, text)
		}
	}
	got, err := c.PortalLines(testMember, text)
	if err != nil {
		t.Fatalf("PortalLines(FormatLines(lines)): %v\n%s", err, text)
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		gl, wl := g.Policy.Hours.Location, w.Policy.Hours.Location
		g.Policy.Hours.Location, w.Policy.Hours.Location = nil, nil
		if !reflect.DeepEqual(g, w) || gl.String() != wl.String() {
			t.Errorf("line %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	// "lines:" written out is accepted too.
	if _, err := c.PortalLines(testMember, "lines:\n  - number: sales\n"); err != nil {
		t.Errorf("with lines: key: %v", err)
	}
}

// A portal's lines start from the service's defaults.policy, key by key.
func TestPortalLinesMergeDefaults(t *testing.T) {
	c := loadCompany(t)
	lines, err := c.PortalLines(testMember, "- number: north\n  name: North\n  employees: [7]\n  policy:\n    client_attempts: 2\n")
	if err != nil {
		t.Fatal(err)
	}
	p := lines[0].Policy
	if lines[0].Number != "north" || lines[0].Name != "North" || !reflect.DeepEqual(lines[0].Employees, []int64{7}) ||
		p.ClientAttempts != 2 || !p.SkipAbsent || p.Hours.Location == nil || p.Hours.Location.String() != "Europe/Berlin" {
		t.Errorf("line = %+v", lines[0])
	}
}

// Every problem names its key, and an administrator's lines cannot
// stretch a job past the service's bounds.
func TestPortalLinesErrors(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ text, key, problem string }{
		{"", "lines", "at least one line"},
		{"number: x", "lines", "must be a list"},
		{"- number: x\n  employes: [1]", "lines[0].employes", "did you mean"},
		{"- number: x\n- number: x", "lines[1].number", "unique"},
		{"- number: \"\"", "lines[0].number", "is empty"},
		{"- number: x\n  employees: [0]", "lines[0].employees", "more than 0"},
		{"- number: x\n  policy:\n    client_attempts: 0", "lines[0].policy.client_attempts", "at least 1"},
		{"- number: x\n  policy:\n    hours:\n      time_zone: Mars/Base", "lines[0].policy.hours.time_zone", "time zone"},
		{"- number: x\n  policy:\n    hours:\n      monday: [\"18:00-09:00\"]", "lines[0].policy.hours.monday", "HH:MM-HH:MM"},
		{"- number: x\n  policy:\n    employee_ring_timeout: 10m", "lines[0].policy.employee_ring_timeout", "at most 2m"},
		{"- number: x\n  policy:\n    max_call_length: 5h", "lines[0].policy.max_call_length", "at most 1h"},
		{"- number: x\n  employees: [1,2,3,4,5,6,7,8,9,10,11]", "lines[0].employees", "at most 10"},
		{"- number: x\n  target: \"600\"", "lines[0].target_user", "needs the Bitrix24 user id"},
		{"- [", "lines", "not valid YAML"},
	} {
		_, err := c.PortalLines(testMember, tc.text)
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%q: %v, want an *Error", tc.text, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.key) || !strings.Contains(err.Error(), tc.problem) {
			t.Errorf("%q: %v, want %s … %s", tc.text, err, tc.key, tc.problem)
		}
	}
	if got := c.PortalBound(); len(got.Employees) != c.PortalLimits.Employees || got.Policy.MaxCallLength != time.Hour {
		t.Errorf("PortalBound = %+v", got)
	}
}
