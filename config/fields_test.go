package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The fields of lines written back as text are the same lines: what the
// YAML view shows, the form shows, and saving either gives the other.
func TestFieldsRoundTrip(t *testing.T) {
	text := `- number: north
  name: "Sales: North"
  employees: [1269, 1272]
  policy:
    client_attempts: 2
    client_retry_after: 5m
    ring_mode: all
    require_accept: false
    voice: eurgermanfemale
    hours:
      time_zone: Europe/Berlin
      monday: ["09:00-13:00", "14:00-18:00"]
      holidays: ["2026-12-25"]
- number: "0123"
  name: "null"
  dialer: bitrix24
  from_line: reg1
`
	fields, err := FieldsOf(text)
	if err != nil {
		t.Fatal(err)
	}
	want := LineFields{"number": {"north"}, "name": {"Sales: North"}, "employees[]": {"1269", "1272"},
		"policy.client_attempts": {"2"}, "policy.client_retry_after": {"5m"}, "policy.ring_mode": {"all"},
		"policy.require_accept": {"false"}, "policy.voice": {"eurgermanfemale"}, "policy.hours.time_zone": {"Europe/Berlin"},
		"policy.hours.monday[]": {"09:00-13:00", "14:00-18:00"}, "policy.hours.holidays[]": {"2026-12-25"}}
	if !reflect.DeepEqual(fields[0], want) {
		t.Errorf("fields\n%v\nwant\n%v", fields[0], want)
	}
	back, err := FieldsText(fields)
	if err != nil {
		t.Fatal(err)
	}
	c := Default()
	a, errA := c.PortalLines("m", text)
	b, errB := c.PortalLines("m", back)
	if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("the text of the fields reads differently:\n%s\n%v %v", back, errA, errB)
	}
	if !strings.Contains(back, `name: "null"`) || !strings.Contains(back, `number: "0123"`) || !strings.Contains(back, "client_attempts: 2\n") {
		t.Errorf("text:\n%s", back)
	}
}

// Empty values and unknown keys are left out; a value that is not valid
// is written as typed, for PortalLines to name.
func TestFieldsText(t *testing.T) {
	text, err := FieldsText([]LineFields{{"number": {" east "}, "name": {""}, "employees[]": {"", "7", ""},
		"policy.client_attempts": {"abc"}, "bogus": {"1"}, "policy.hours.tuesday[]": {""}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "- number: east\n  employees: [7]\n  policy:\n    client_attempts: abc\n"; text != want {
		t.Errorf("text %q, want %q", text, want)
	}
	_, err = Default().PortalLines("m", text)
	var found bool
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		if i, k, p := FieldKey(e); i == 0 && k == "policy.client_attempts" && strings.Contains(p, "abc") {
			found = true
		}
	}
	if !found {
		t.Errorf("no error names policy.client_attempts: %v", err)
	}
}

func TestFieldKey(t *testing.T) {
	for key, want := range map[string]struct {
		i int
		k string
	}{
		"lines[0].policy.client_attempts": {0, "policy.client_attempts"}, "lines[12].employees[2]": {12, "employees[]"},
		"lines[1].policy.hours.monday[0]": {1, "policy.hours.monday[]"}, "lines": {-1, ""}, "lines[x].name": {-1, ""},
		"lines[3]": {3, ""}, "lines[0].policy.hours.monday": {0, "policy.hours.monday[]"}, "lines[0].employees": {0, "employees[]"},
	} {
		if i, k, _ := FieldKey(&Error{Key: key}); i != want.i || k != want.k {
			t.Errorf("%s: %d %q", key, i, k)
		}
	}
	if i, _, _ := FieldKey(errors.New("x")); i != -1 {
		t.Error("a plain error has a line")
	}
}
