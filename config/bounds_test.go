package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// testMember is the member_id of the portal whose lines the tests parse.
const testMember = "4f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c"

// otherMember is another portal of the same service.
const otherMember = "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f"

// A portal's administrator cannot write a line past the operator's
// portal_limits: each hostile value is refused under its own key, and a
// line at the bounds is accepted.
func TestPortalLimitsRefuse(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ policy, key, says string }{
		{"client_attempts: 100000", "client_attempts", "is 100000; at most 5 (the operator's portal_limits.client_attempts)"},
		{"client_retry_after: 1s", "client_retry_after", "is 1s; at least 1m (the operator's portal_limits.client_retry_after)"},
		{"employee_rounds: 1000000", "employee_rounds", "is 1000000; at most 3 (the operator's portal_limits.employee_rounds)"},
		{"employee_retry_after: 1ms", "employee_retry_after", "is 1ms; at least 1m"},
		{"max_age: 87600h", "max_age", "is 87600h; at most 168h (the operator's portal_limits.max_age)"},
		{"max_call_length: 5h", "max_call_length", "is 5h; at most 1h"},
		{"employee_ring_timeout: 10m", "employee_ring_timeout", "is 10m; at most 2m"},
		{"client_ring_timeout: 3m", "client_ring_timeout", "is 3m; at most 2m"},
		{"client_retry_after: 25h", "client_retry_after", "longer than the line's max_age 24h"},
		{"{employee_retry_after: 3h, max_age: 2h}", "employee_retry_after", "longer than the line's max_age 2h"},
	} {
		policy := tc.policy
		if !strings.HasPrefix(policy, "{") {
			policy = "{" + policy + "}"
		}
		text := "- number: x\n  policy: " + policy + "\n"
		_, err := c.PortalLines(testMember, text)
		hasProblem(t, err, "lines[0].policy."+tc.key, tc.says)
	}

	// Every hostile value at once: each named, none hiding another.
	_, err := c.PortalLines(testMember, `- number: x
  policy:
    client_attempts: 100000
    client_retry_after: 1s
    employee_rounds: 1000000
    max_age: 87600h
`)
	if n := len(problems(t, err)); n != 4 {
		t.Errorf("%d problems, want 4:\n%v", n, err)
	}

	long := "- number: x\n  employees: [1,2,3,4,5,6,7,8,9,10,11]\n"
	hasProblem(t, mustFail(t, c, long), "lines[0].employees", "are 11; at most 10 per line (the operator's portal_limits.employees)")
	many := ""
	for i := range 21 {
		many += fmt.Sprintf("- number: n%d\n", i)
	}
	hasProblem(t, mustFail(t, c, many), "lines", "are 21; at most 20 lines per portal (the operator's portal_limits.lines)")

	lines, err := c.PortalLines(testMember, `- number: x
  employees: [1,2,3,4,5,6,7,8,9,10]
  policy:
    client_attempts: 5
    client_retry_after: 1m
    employee_rounds: 3
    employee_retry_after: 1m
    max_age: 168h
    max_call_length: 1h
    employee_ring_timeout: 2m
    client_ring_timeout: 2m
`)
	if err != nil {
		t.Fatalf("a line at the bounds: %v", err)
	}
	if p := lines[0].Policy; p.ClientAttempts != 5 || p.EmployeeRounds != 3 || p.MaxAge != 168*time.Hour || p.ClientRetryAfter != time.Minute {
		t.Errorf("policy = %+v", p)
	}
}

func mustFail(t *testing.T, c *Config, text string) error {
	t.Helper()
	lines, err := c.PortalLines(testMember, text)
	if err == nil {
		t.Fatalf("accepted %q: %+v", text, lines)
	}
	return err
}

// The operator sets the bounds (file and environment); a portal's lines
// are checked against the bounds of the moment, so lines saved under
// looser bounds are refused when read back after the operator tightened
// them. What a line leaves out takes defaults.policy, the operator's own,
// whatever the bounds.
func TestPortalLimitsOperator(t *testing.T) {
	c, err := Load(write(t, `
portal_limits:
  client_attempts: 10
  max_age: 720h
defaults:
  policy:
    employee_rounds: 4
`), []string{"CALLBACKLINE_PORTAL_LIMITS_CLIENT_RETRY_AFTER=30s"})
	if err != nil {
		t.Fatal(err)
	}
	if l := c.PortalLimits; l.ClientAttempts != 10 || l.MaxAge != 720*time.Hour || l.ClientRetryAfter != 30*time.Second || l.EmployeeRounds != 3 {
		t.Fatalf("portal_limits = %+v", l)
	}
	saved := "- number: x\n  policy: {client_attempts: 8, client_retry_after: 30s, max_age: 500h}\n"
	lines, err := c.PortalLines(testMember, saved)
	if err != nil {
		t.Fatal(err)
	}
	if p := lines[0].Policy; p.ClientAttempts != 8 || p.EmployeeRounds != 4 {
		t.Errorf("policy = %+v: want the portal's 8 attempts and the operator's 4 rounds", p)
	}
	if _, err := c.PortalLines(testMember, "- number: x\n  policy: {employee_rounds: 4}\n"); err == nil {
		t.Error("a portal wrote employee_rounds 4 past portal_limits 3 (only the operator's defaults may)")
	}
	if b := c.PortalBound(); b.Policy.EmployeeRounds != 4 || b.Policy.ClientAttempts != 10 || len(b.Employees) != 10 {
		t.Errorf("PortalBound = %+v", b)
	}

	tight := *c
	tight.PortalLimits = defaultPortalLimits()
	err = mustFail(t, &tight, saved)
	hasProblem(t, err, "lines[0].policy.client_attempts", "at most 5")
	hasProblem(t, err, "lines[0].policy.client_retry_after", "at least 1m")
	hasProblem(t, err, "lines[0].policy.max_age", "at most 168h")
}

// Bad bounds stop the start, each naming its key and where it was set;
// portals is a list of mappings, set in the file only.
func TestPortalLimitsBad(t *testing.T) {
	for _, tc := range []struct{ key, value, says string }{
		{"portal_limits.lines", "0", "must be at least 1"},
		{"portal_limits.employees", "-1", "must not be negative"},
		{"portal_limits.employee_ring_timeout", "0s", "must be more than 0"},
		{"portal_limits.client_ring_timeout", "-1m", "must be more than 0"},
		{"portal_limits.client_attempts", "0", "must be at least 1"},
		{"portal_limits.client_retry_after", "-1s", "must not be negative"},
		{"portal_limits.employee_rounds", "0", "must be at least 1"},
		{"portal_limits.employee_retry_after", "soon", "is not a duration"},
		{"portal_limits.max_age", "0s", "must be more than 0"},
		{"portal_limits.max_call_length", "0s", "must be more than 0"},
	} {
		env := EnvName(tc.key) + "=" + tc.value
		_, err := Load("", []string{env})
		hasProblem(t, err, tc.key, tc.says)
		hasProblem(t, err, tc.key, "CALLBACKLINE_PORTAL_LIMITS_")
	}
	_, err := Load("", []string{"CALLBACKLINE_PORTALS=x"})
	hasProblem(t, err, "portals", "write it in the configuration file")

	_, err = Load(write(t, `
portals:
  - member_id: ""
  - member_id: "a b"
  - member_id: `+testMember+`
    caller_ids: ["+49 30 123"]
  - member_id: `+testMember+`
`), nil)
	hasProblem(t, err, "portals[0].member_id", "is empty")
	hasProblem(t, err, "portals[1].member_id", "holds spaces")
	hasProblem(t, err, "portals[2].caller_ids", "may hold only")
	hasProblem(t, err, "portals[3].member_id", "portals[2] too")
}

// A portal's line shows only numbers the operator gave that portal (or
// every portal, "*"), or those the configured lines show every portal
// anyway; never another portal's, never one nobody assigned, neither as
// caller_id nor through a number that names the operator's SIP line.
func TestPortalCallerIDs(t *testing.T) {
	c, err := Load(write(t, `
portals:
  - member_id: `+testMember+`
    caller_ids: ["+4930111111"]
  - member_id: `+otherMember+`
    caller_ids: ["+4930222222"]
  - member_id: "*"
    caller_ids: ["+4930333333"]
sip:
  lines:
    - number: other-sales
      caller_id: {number: "+4930222222"}
    - number: sales
      caller_id: {number: "+4930444444"}
lines:
  - number: sales
    name: Sales
  - number: support
    caller_id: "+4930555555"
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{
		"- number: x\n  caller_id: \"+4930111111\"\n", // its own
		"- number: x\n  caller_id: \"+4930333333\"\n", // every portal's
		"- number: x\n  caller_id: \"+4930555555\"\n", // a configured line's
		"- number: sales\n",                           // the configured line's SIP line
		"- number: x\n",                               // the trunk's
	} {
		if _, err := c.PortalLines(testMember, ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, tc := range []struct{ text, key string }{
		{"- number: x\n  caller_id: \"+4930222222\"\n", "lines[0].caller_id"}, // the other portal's
		{"- number: x\n  caller_id: \"+4930999999\"\n", "lines[0].caller_id"}, // nobody's
		{"- number: x\n- number: y\n  caller_id: \"+4930999999\"\n", "lines[1].caller_id"},
		{"- number: other-sales\n", "lines[0].number"}, // the other portal's SIP line
	} {
		err := mustFail(t, c, tc.text)
		hasProblem(t, err, tc.key, "assign")
		if strings.Contains(err.Error(), "+4930") {
			t.Errorf("the refusal writes the number out: %v", err)
		}
	}
	if _, err := c.PortalLines(otherMember, "- number: other-sales\n  caller_id: \"+4930222222\"\n"); err != nil {
		t.Errorf("the other portal's own number: %v", err)
	}
	if _, err := c.PortalLines(otherMember, "- number: x\n  caller_id: \"+4930111111\"\n"); err == nil {
		t.Error("the other portal may show the first portal's number")
	}
	// Numbers assigned outside the configuration (the operator API, the
	// portal's own SIP account) count beside the configuration's.
	assigned := []string{"+4930999999"}
	if _, err := c.PortalLinesFor(testMember, "- number: x\n  caller_id: \"+4930999999\"\n", assigned); err != nil {
		t.Errorf("an assigned number refused: %v", err)
	}
	if _, err := c.PortalLinesFor(testMember, "- number: x\n  caller_id: \"+4930111111\"\n", assigned); err != nil {
		t.Errorf("the configuration's number refused beside an assigned one: %v", err)
	}
	if _, err := c.PortalLinesFor(testMember, "- number: x\n  caller_id: \"+4930888888\"\n", assigned); err == nil {
		t.Error("a number assigned to nobody accepted")
	}
}
