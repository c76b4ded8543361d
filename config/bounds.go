package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
)

// PortalLimits are the operator's bounds on what a portal's administrator
// may write in the portal's own lines (PortalLines): every number and
// duration of a line's policy, and the size of the lists. A key a
// portal's line leaves out takes defaults.policy, which is the operator's
// own and is not bounded here.
//
// The other policy keys need no bound: ring_mode is one of two values;
// skip_absent, require_workday, require_accept, announce and todo are
// switches that only change what happens inside a call the limits below
// already bound; hours only narrow when calls are made (their lists are
// bounded by the size of the text a portal may save), and a request left
// waiting by them still ends at max_age. caller_id is bounded by the
// numbers the operator assigned to the portal (Portals); target by its
// own rule.
type PortalLimits struct {
	// Lines is the most lines a portal may have.
	Lines int `yaml:"lines"`
	// Employees is the most employees on one line; 0 allows none (lines
	// ring the CRM responsible or a target).
	Employees int `yaml:"employees"`
	// EmployeeRingTimeout is the longest an employee's phone may ring.
	EmployeeRingTimeout time.Duration `yaml:"employee_ring_timeout"`
	// ClientRingTimeout is the longest the client's phone may ring.
	ClientRingTimeout time.Duration `yaml:"client_ring_timeout"`
	// ClientAttempts is the most calls to one client for one request.
	ClientAttempts int `yaml:"client_attempts"`
	// ClientRetryAfter is the least time between two calls to the client;
	// 0 sets no least.
	ClientRetryAfter time.Duration `yaml:"client_retry_after"`
	// EmployeeRounds is the most rounds over a line's employees.
	EmployeeRounds int `yaml:"employee_rounds"`
	// EmployeeRetryAfter is the least time between two rounds; 0 sets no
	// least.
	EmployeeRetryAfter time.Duration `yaml:"employee_retry_after"`
	// MaxAge is the longest a request may wait to be called.
	MaxAge time.Duration `yaml:"max_age"`
	// MaxCallLength is the longest a connected call may last.
	MaxCallLength time.Duration `yaml:"max_call_length"`
}

// Portal is what the operator grants one portal.
type Portal struct {
	// MemberID is the portal's Bitrix24 member_id; "*" grants every
	// portal.
	MemberID string `yaml:"member_id"`
	// CallerIDs are the numbers the portal's own lines may show to
	// clients (lines[].caller_id), written as a line writes them.
	CallerIDs []string `yaml:"caller_ids"`
}

// everyPortal is the member_id of a grant to every portal.
const everyPortal = "*"

// defaultPortalLimits are the bounds when the configuration sets none.
func defaultPortalLimits() PortalLimits {
	return PortalLimits{
		Lines:               20,
		Employees:           10,
		EmployeeRingTimeout: 2 * time.Minute,
		ClientRingTimeout:   2 * time.Minute,
		ClientAttempts:      5,
		ClientRetryAfter:    time.Minute,
		EmployeeRounds:      3,
		EmployeeRetryAfter:  time.Minute,
		MaxAge:              7 * 24 * time.Hour,
		MaxCallLength:       time.Hour,
	}
}

// checkPortals reports the problems of portal_limits and portals.
func (c *Config) checkPortals(sources map[string]string) []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, newError(key, source(sources, key), format, args))
	}
	l := c.PortalLimits
	for key, n := range map[string]int{"lines": l.Lines, "client_attempts": l.ClientAttempts, "employee_rounds": l.EmployeeRounds} {
		if n < 1 {
			bad("portal_limits."+key, "is %d; must be at least 1", n)
		}
	}
	if l.Employees < 0 {
		bad("portal_limits.employees", "is %d; must not be negative (0 allows no employees on a portal's lines)", l.Employees)
	}
	for key, d := range map[string]time.Duration{
		"employee_ring_timeout": l.EmployeeRingTimeout, "client_ring_timeout": l.ClientRingTimeout,
		"max_age": l.MaxAge, "max_call_length": l.MaxCallLength,
	} {
		if d <= 0 {
			bad("portal_limits."+key, "is %s; must be more than 0 (e.g. 2m, 168h)", formatDuration(d))
		}
	}
	for key, d := range map[string]time.Duration{"client_retry_after": l.ClientRetryAfter, "employee_retry_after": l.EmployeeRetryAfter} {
		if d < 0 {
			bad("portal_limits."+key, "is %s; must not be negative (0 sets no least time)", formatDuration(d))
		}
	}
	seen := map[string]int{}
	for i, p := range c.Portals {
		key := fmt.Sprintf("portals[%d]", i)
		switch j, dup := seen[p.MemberID]; {
		case strings.TrimSpace(p.MemberID) == "":
			bad(key+".member_id", "is empty; give the portal's member_id (the portal list of the API shows it) or \"*\" for every portal")
		case strings.TrimSpace(p.MemberID) != p.MemberID || strings.ContainsAny(p.MemberID, " \t\r\n"):
			bad(key+".member_id", "%q holds spaces; a member_id has none", p.MemberID)
		case dup:
			bad(key+".member_id", "is the member_id of portals[%d] too; list each portal once", j)
		}
		seen[p.MemberID] = i
		for _, n := range p.CallerIDs {
			if !callerNumber.MatchString(n) {
				bad(key+".caller_ids", "%q may hold only +, digits, letters and -._* (e.g. +4930123456)", n)
			}
		}
	}
	return errs
}

// callerIDs returns the numbers a portal's own lines may show: those the
// configuration assigns to it (portals, "*" included), those assigned
// outside it (assigned: over the operator API, its own SIP account's) and
// those its configured lines already show every portal (a line's
// caller_id, else the caller ID of the sip.lines entry of its number).
func (c *Config) callerIDs(memberID string, assigned []string) map[string]bool {
	ok := map[string]bool{}
	for _, n := range assigned {
		ok[n] = true
	}
	for _, p := range c.Portals {
		if p.MemberID == memberID || p.MemberID == everyPortal {
			for _, n := range p.CallerIDs {
				ok[n] = true
			}
		}
	}
	for _, l := range c.Lines {
		if l.CallerID != "" {
			ok[l.CallerID] = true
		} else if n, found := c.sipCallerID(l.Number); found {
			ok[n] = true
		}
	}
	return ok
}

// sipCallerID returns the number a call of the line number shows when
// sip.lines has an entry for it (its caller_id, else its number).
func (c *Config) sipCallerID(number string) (string, bool) {
	for _, s := range c.SIP.Lines {
		if s.Number == number {
			if s.CallerID.Number != "" {
				return s.CallerID.Number, true
			}
			return s.Number, true
		}
	}
	return "", false
}

// checkPortalLine reports through bad what in a portal's line l, at key
// (lines[0]), goes past portal_limits or shows a number the portal was
// not given.
func (c *Config) checkPortalLine(memberID string, assigned []string, key string, l Line, bad func(key, format string, args ...any)) {
	lim := c.PortalLimits
	if n := len(l.Employees); n > lim.Employees {
		bad(key+".employees", "are %d; at most %d per line (the operator's portal_limits.employees)", n, lim.Employees,
			with(CodeTooManyEmployees, n, lim.Employees))
	}
	p, k := l.Policy, key+".policy."
	atMost := func(name string, d *time.Duration, most time.Duration) {
		if d != nil && *d > most {
			bad(k+name, "is %s; at most %s (the operator's portal_limits.%s)", formatDuration(*d), formatDuration(most), name,
				with(CodeLimitMost, formatDuration(*d), formatDuration(most)))
		}
	}
	atLeast := func(name string, d *time.Duration, least time.Duration) {
		if d != nil && *d > 0 && *d < least {
			bad(k+name, "is %s; at least %s (the operator's portal_limits.%s)", formatDuration(*d), formatDuration(least), name,
				with(CodeLimitLeast, formatDuration(*d), formatDuration(least)))
		}
	}
	atMost("employee_ring_timeout", p.EmployeeRingTimeout, lim.EmployeeRingTimeout)
	atMost("client_ring_timeout", p.ClientRingTimeout, lim.ClientRingTimeout)
	atMost("max_age", p.MaxAge, lim.MaxAge)
	atMost("max_call_length", p.MaxCallLength, lim.MaxCallLength)
	atLeast("client_retry_after", p.ClientRetryAfter, lim.ClientRetryAfter)
	atLeast("employee_retry_after", p.EmployeeRetryAfter, lim.EmployeeRetryAfter)
	if p.ClientAttempts != nil && *p.ClientAttempts > lim.ClientAttempts {
		bad(k+"client_attempts", "is %d; at most %d (the operator's portal_limits.client_attempts)", *p.ClientAttempts, lim.ClientAttempts,
			with(CodeLimitMost, *p.ClientAttempts, lim.ClientAttempts))
	}
	if p.EmployeeRounds != nil && *p.EmployeeRounds > lim.EmployeeRounds {
		bad(k+"employee_rounds", "is %d; at most %d (the operator's portal_limits.employee_rounds)", *p.EmployeeRounds, lim.EmployeeRounds,
			with(CodeLimitMost, *p.EmployeeRounds, lim.EmployeeRounds))
	}
	// A wait past max_age only keeps a job that will find its request
	// stale: the longest wait is the line's max_age.
	age := *fullPolicy(callbackline.DefaultPolicy()).Merge(c.Defaults.Policy).Merge(p).MaxAge
	for _, w := range []struct {
		name string
		d    *time.Duration
	}{{"client_retry_after", p.ClientRetryAfter}, {"employee_retry_after", p.EmployeeRetryAfter}} {
		if w.d != nil && *w.d > age && age > 0 {
			bad(k+w.name, "is %s, longer than the line's max_age %s: the request would be too old to call by then", formatDuration(*w.d), formatDuration(age),
				with(CodeRetryPastAge, formatDuration(*w.d), formatDuration(age)))
		}
	}
	c.checkCallerID(c.callerIDs(memberID, assigned), memberID, key, l, bad)
}

// checkCallerID reports a number l would show that the portal was not
// given: its caller_id, or, without one, that of the sip.lines entry its
// number names; ok are the numbers the portal may show (callerIDs). The
// numbers themselves are not written in the message.
func (c *Config) checkCallerID(ok map[string]bool, memberID, key string, l Line, bad func(key, format string, args ...any)) {
	if l.CallerID != "" && !ok[l.CallerID] {
		bad(key+".caller_id", "is not a number the operator assigned to this portal; leave caller_id out to show "+
			"the line's usual number, write one assigned to this portal, or ask the operator to assign it "+
			"(portals: [{member_id: …, caller_ids: […]}] in callbackline.yaml, or /api/v1/portals/{member_id}/caller_ids)", with(CodeCallerIDNotGiven))
		return
	}
	for _, s := range c.SIP.Lines {
		if t := c.SIP.Trunks; s.Number == l.Number && s.Trunk != "" && len(t) > 0 {
			if tr := findTrunk(t, s.Trunk); tr != nil && !c.SIP.Serves(tr, memberID) {
				bad(key+".number", "%q names one of the operator's SIP lines (sip.lines) whose trunk is not granted to this portal; "+
					"choose another number for the line", l.Number, with(CodeSIPLineNotGiven, l.Number))
				return
			}
		}
	}
	if n, found := c.sipCallerID(l.Number); found && l.CallerID == "" && !ok[n] {
		bad(key+".number", "%q names one of the operator's SIP lines (sip.lines), whose number is not assigned to this portal; "+
			"choose another number for the line, or ask the operator to assign that caller ID to this portal", l.Number, with(CodeSIPLineNotGiven, l.Number))
	}
}

// PortalBound is the longest line a portal's own settings can make: the
// queue's job timeout and stuck-job rescue must allow for it. A key a
// portal's line leaves out takes defaults.policy, so each bound is the
// larger of portal_limits and defaults.policy.
func (c *Config) PortalBound() callbackline.Line {
	lim := c.PortalLimits
	d := fullPolicy(callbackline.DefaultPolicy()).Merge(c.Defaults.Policy)
	p := callbackline.DefaultPolicy()
	p.EmployeeRingTimeout = max(lim.EmployeeRingTimeout, *d.EmployeeRingTimeout)
	p.ClientRingTimeout = max(lim.ClientRingTimeout, *d.ClientRingTimeout)
	p.MaxCallLength = max(lim.MaxCallLength, *d.MaxCallLength)
	p.ClientAttempts = max(lim.ClientAttempts, *d.ClientAttempts)
	p.EmployeeRounds = max(lim.EmployeeRounds, *d.EmployeeRounds)
	p.MaxAge = max(lim.MaxAge, *d.MaxAge)
	return callbackline.Line{Number: "portal bound", Employees: make([]int64, lim.Employees), Policy: p}
}

// findTrunk returns the trunk of that name, nil if there is none.
func findTrunk(ts []sip.Trunk, name string) *sip.Trunk {
	for i := range ts {
		if ts[i].Name == name {
			return &ts[i]
		}
	}
	return nil
}
