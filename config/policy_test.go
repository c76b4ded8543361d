package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

func TestDomainLinesDefaults(t *testing.T) {
	lines, err := Default().DomainLines()
	if err != nil {
		t.Fatal(err)
	}
	want := callbackline.DefaultPolicy()
	want.Hours.Location = time.UTC
	if len(lines) != 1 || lines[0].Number != "callbackline" || !reflect.DeepEqual(lines[0].Policy, want) {
		t.Errorf("DomainLines() = %+v, want one line with %+v", lines, want)
	}
	if !lines[0].Policy.Hours.Always() {
		t.Error("default hours are not always open")
	}
}

// TestDomainLinesMerge: callbackline.DefaultPolicy < defaults.policy <
// the line's policy, key by key, the days of hours too.
func TestDomainLinesMerge(t *testing.T) {
	c, err := Load(write(t, `
defaults:
  policy:
    client_attempts: 5
    ring_mode: all
    todo: true
    hours:
      time_zone: Europe/Berlin
      monday: ["09:00-18:00"]
      friday: ["09:00-13:00", "14:00-17:00"]
      holidays: ["2026-12-25"]
lines:
  - number: sales
    name: Sales
    caller_id: "+4930123456"
    caller_name: Example Sales
    employees: [12, 34]
    policy:
      client_attempts: 2
      employee_ring_timeout: 45s
      announce: false
      hours:
        saturday: ["10:00-14:00"]
        friday: []
  - number: queue
    target: "600"
    target_user: 1
    policy:
      ring_mode: Sequential
      hours:
        time_zone: America/New_York
        holidays: []
`), []string{"CALLBACKLINE_DEFAULTS_POLICY_MAX_AGE=12h"})
	if err != nil {
		t.Fatal(err)
	}
	lines, err := c.DomainLines()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	sales, queue := lines[0], lines[1]
	if sales.Number != "sales" || sales.Name != "Sales" || sales.CallerID != "+4930123456" || sales.CallerName != "Example Sales" ||
		!reflect.DeepEqual(sales.Employees, []int64{12, 34}) || sales.Target != "" {
		t.Errorf("sales = %+v", sales)
	}
	if queue.Target != "600" || queue.TargetUser != 1 || len(queue.Employees) != 0 {
		t.Errorf("queue = %+v", queue)
	}
	p := sales.Policy
	checks := map[string]bool{
		"line's client_attempts":       p.ClientAttempts == 2,
		"line's employee_ring_timeout": p.EmployeeRingTimeout == 45*time.Second,
		"line's announce":              !p.Announce,
		"defaults' ring_mode":          p.RingMode == callbackline.RingAll,
		"defaults' todo":               p.Todo,
		"env's max_age":                p.MaxAge == 12*time.Hour,
		"built-in client_ring_timeout": p.ClientRingTimeout == 30*time.Second,
		"built-in max_call_length":     p.MaxCallLength == time.Hour,
		"queue: defaults' attempts":    queue.Policy.ClientAttempts == 5,
		"queue: line's ring_mode":      queue.Policy.RingMode == callbackline.RingSequential,
		"queue: announce default":      queue.Policy.Announce,
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("%s is wrong: %+v", what, p)
		}
	}

	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(loc *time.Location, s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	h := p.Hours
	if h.Location.String() != "Europe/Berlin" {
		t.Errorf("sales zone = %v", h.Location)
	}
	// 2026-12-07 is a Monday, 2026-12-11 a Friday, 2026-12-12 a Saturday.
	open := map[string]bool{
		"2026-12-07 09:00": true,  // monday from the defaults
		"2026-12-07 08:59": false, // before opening
		"2026-12-07 18:00": false, // the end is exclusive
		"2026-12-08 10:00": false, // tuesday: no span anywhere, closed since other days are set
		"2026-12-11 10:00": false, // friday: emptied by the line
		"2026-12-12 11:00": true,  // saturday: added by the line
		"2026-12-12 14:30": false,
		"2026-12-21 10:00": true,  // a later monday
		"2026-12-28 10:00": true,  // monday after christmas
		"2026-12-25 10:00": false, // friday and a holiday (closed twice)
	}
	for s, want := range open {
		if got := h.Open(at(berlin, s)); got != want {
			t.Errorf("sales open at %s Berlin = %v, want %v", s, got, want)
		}
	}
	if next := h.Next(at(berlin, "2026-12-08 10:00")); !next.Equal(at(berlin, "2026-12-12 10:00")) {
		t.Errorf("next opening after Tuesday = %v, want Saturday 10:00", next)
	}

	// The queue keeps the defaults' days in its own zone, without holidays.
	q := queue.Policy.Hours
	ny, _ := time.LoadLocation("America/New_York")
	if q.Location.String() != "America/New_York" || len(q.Holidays) != 0 {
		t.Errorf("queue hours = %+v", q)
	}
	for s, want := range map[string]bool{
		"2026-12-25 12:00": true, // christmas, a friday: the line has no holidays
		"2026-12-11 13:30": false,
		"2026-12-11 14:00": true,
		"2026-12-11 17:00": false,
		"2026-12-12 11:00": false, // no saturday in the defaults
	} {
		if got := q.Open(at(ny, s)); got != want {
			t.Errorf("queue open at %s New York = %v, want %v", s, got, want)
		}
	}
	if want := []callbackline.Span{{From: 9 * time.Hour, To: 13 * time.Hour}, {From: 14 * time.Hour, To: 17 * time.Hour}}; !reflect.DeepEqual(q.Days[time.Friday], want) {
		t.Errorf("queue friday = %v", q.Days[time.Friday])
	}

	// The configuration itself is unchanged by the merge.
	if *c.Defaults.Policy.ClientAttempts != 5 || c.Defaults.Policy.Hours.Friday[0] != "09:00-13:00" || c.Lines[1].Policy.ClientAttempts != nil {
		t.Error("DomainLines changed the configuration")
	}
}

// TestHolidaysWithoutDays: no day set is always open, holidays still
// close.
func TestHolidaysWithoutDays(t *testing.T) {
	c, err := Load("", []string{"CALLBACKLINE_DEFAULTS_POLICY_HOURS_HOLIDAYS=2026-12-25", "CALLBACKLINE_DEFAULTS_POLICY_HOURS_TIME_ZONE=Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	lines, err := c.DomainLines()
	if err != nil {
		t.Fatal(err)
	}
	h := lines[0].Policy.Hours
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if h.Open(time.Date(2026, 12, 25, 12, 0, 0, 0, berlin)) || !h.Open(time.Date(2026, 12, 26, 3, 0, 0, 0, berlin)) ||
		!h.Open(time.Date(2026, 12, 24, 23, 59, 0, 0, berlin)) {
		t.Errorf("holiday-only hours: %+v", h)
	}
}

func TestLineProblems(t *testing.T) {
	cases := map[string]struct{ key, says string }{
		"lines: [{number: a, employees: [0]}]":                                  {"lines[0].employees", "Bitrix24 user ids are more than 0"},
		"lines: [{number: a, employees: [-3]}]":                                 {"lines[0].employees", "is -3"},
		"lines: [{number: a, employees: [5, 5]}]":                               {"lines[0].employees", "user 5 is listed twice"},
		"lines: [{number: a, employees: [x]}]":                                  {"lines[0].employees", `"x" is not a whole number`},
		"lines: [{number: a, target: \"600\"}]":                                 {"lines[0].target_user", "needs the Bitrix24 user id"},
		"lines: [{number: a, target_user: 3}]":                                  {"lines[0].target_user", "is set without target"},
		"lines: [{number: a, target: \"6 00\", target_user: 1}]":                {"lines[0].target", "is not an extension"},
		"lines: [{number: a, target: \"600\", target_user: 1, employees: [2]}]": {"lines[0].employees", "either a fixed target or employees"},
		"lines: [{number: a, caller_id: \"+49 30 123\"}]":                       {"lines[0].caller_id", "may hold only +, digits"},
		"lines: [{number: a, caller_name: \"A \\\"B\\\"\"}]":                    {"lines[0].caller_name", "without quotes"},
		"lines: [{number: a, language: fr}]":                                    {"lines[0].language", "use one of en, ru, uk, de, pl, es, pt"},
		"lines: [{number: a, policy: {client_attempts: 0}}]":                    {"lines[0].policy.client_attempts", "must be at least 1"},
		"lines: [{number: a, policy: {client_ring_timeout: 0s}}]":               {"lines[0].policy.client_ring_timeout", "must be more than 0"},
		"lines: [{number: a, policy: {ring_mode: round_robin}}]":                {"lines[0].policy.ring_mode", "is not sequential or all"},
		"lines: [{number: a, policy: {hours: {time_zone: Mars/Base}}}]":         {"lines[0].policy.hours.time_zone", "is not a known IANA time zone"},
		"lines: [{number: a, policy: {hours: {monday: [\"9:00\"]}}}]":           {"lines[0].policy.hours.monday", "is not HH:MM-HH:MM"},
		"lines: [{number: a, policy: {hours: {holidays: [tomorrow]}}}]":         {"lines[0].policy.hours.holidays", "is not a date"},
		"lines: [{number: a, policy: {hours: {monday: []}}}]":                   {"lines[0].policy.hours", "open on no day"},
		"lines: [{number: a, policy: {hourz: {}}}]":                             {"lines[0].policy.hourz", "did you mean lines[0].policy.hours?"},
		"lines: [{number: a}, {number: a}]":                                     {"lines[1].number", "must be unique"},
		"lines: [{number: " + strings.Repeat("x", 51) + "}]":                    {"lines[0].number", "at most 50"},
		"defaults: {policy: {hours: {monday: [], sunday: []}}}":                 {"defaults.policy.hours", "open on no day"},
	}
	for text, want := range cases {
		path := write(t, text+"\n")
		_, err := Load(path, nil)
		if err == nil {
			t.Errorf("%s loaded", text)
			continue
		}
		hasProblem(t, err, want.key, want.says)
		if want.key != "defaults.policy.hours" && want.key != "lines[0].policy.hours" {
			hasProblem(t, err, want.key, "(at "+path+":1)")
		}
	}
}

// TestDomainLinesReportsProblems: a configuration built in code gets the
// same checks from DomainLines as from Load.
func TestDomainLinesReportsProblems(t *testing.T) {
	cases := []struct {
		change func(c *Config)
		key    string
	}{
		{func(c *Config) { c.Lines[0].Policy.ClientAttempts = new(0) }, "lines[0].policy.client_attempts"},
		{func(c *Config) { c.Lines[0].Policy.Hours.TimeZone = new("Nowhere/City") }, "lines[0].policy.hours.time_zone"},
		{func(c *Config) { c.Lines[0].Policy.Hours.Tuesday = []string{"late"} }, "lines[0].policy.hours.tuesday"},
		{func(c *Config) { c.Defaults.Policy.MaxAge = new(time.Duration(0)) }, "defaults.policy.max_age"},
		{func(c *Config) { c.Lines[0].Employees = []int64{0} }, "lines[0].employees"},
	}
	for _, tc := range cases {
		c := Default()
		tc.change(c)
		_, err := c.DomainLines()
		hasProblem(t, err, tc.key, "")
		hasProblem(t, c.Validate(), tc.key, "")
	}
	// nil everywhere (a Config built in code) takes the built-in defaults.
	c := Default()
	c.Defaults.Policy = Policy{}
	lines, err := c.DomainLines()
	want := callbackline.DefaultPolicy()
	want.Hours.Location = time.UTC
	if err != nil || !reflect.DeepEqual(lines[0].Policy, want) {
		t.Errorf("empty defaults: %+v, %v", lines, err)
	}
}

// TestPolicyLoadsBack: String writes unset policy keys as null, so a line
// that sets nothing still inherits after a round trip.
func TestPolicyLoadsBack(t *testing.T) {
	env := []string{"CALLBACKLINE_BITRIX24_CLIENT_SECRET=x"}
	c, err := Load("callbackline.company.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Load(write(t, c.String()), env)
	if err != nil {
		t.Fatalf("%v\n%s", err, c)
	}
	c.SIP.Trunks[0].Password = redactedText
	if !reflect.DeepEqual(back, c) {
		t.Errorf("String loaded back differs:\n%s\nwant\n%s", back, c)
	}
}
