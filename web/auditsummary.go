package web

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/phone"
)

// The audit log's summaries of changes (callbackline.Change.Summary):
// short, readable, never a secret, phone numbers masked as the logs
// mask them.

// maskEntry is a number as the audit log shows it: a whole number
// masked (phone.Mask), a prefix ("+49900*") as written.
func maskEntry(s string) string {
	if strings.HasSuffix(s, "*") {
		return s
	}
	if m := phone.Mask(s); m != "" {
		return m
	}
	return s
}

// setDiff says which items were added and removed: "added A, B; removed
// C"; "" when none.
func setDiff(old, new []string, show func(string) string) string {
	var added, removed []string
	for _, n := range new {
		if !slices.Contains(old, n) {
			added = append(added, show(n))
		}
	}
	for _, o := range old {
		if !slices.Contains(new, o) {
			removed = append(removed, show(o))
		}
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+strings.Join(removed, ", "))
	}
	return strings.Join(parts, "; ")
}

// listSummary is setDiff, or "unchanged" (a save of the same list, or
// only its order changed).
func listSummary(old, new []string, show func(string) string) string {
	if d := setDiff(old, new, show); d != "" {
		return d
	}
	if !slices.Equal(old, new) {
		return "reordered"
	}
	return "saved unchanged"
}

func plain(s string) string { return s }

// countriesSummary: "added AT; removed CH".
func countriesSummary(old, new []string) string { return listSummary(old, new, plain) }

// blockedSummary: "added +49900*, +7495*****67; removed …".
func blockedSummary(old, new []string) string { return listSummary(old, new, maskEntry) }

// zoneSummary: "UTC → Europe/Berlin".
func zoneSummary(old, new string) string {
	if old == new {
		return new + " (unchanged)"
	}
	return old + " → " + new
}

// trunkSummary says what changed in a portal's own SIP account; old is
// nil when there was none. The password is only said to have changed.
func trunkSummary(old, new *callbackline.PortalTrunk) string {
	if new == nil {
		return "SIP account removed"
	}
	if old == nil {
		return "SIP account added: " + new.Username + "@" + new.Registrar
	}
	var parts []string
	field := func(name, a, b string) {
		if a != b {
			parts = append(parts, name+" "+orNone(a)+" → "+orNone(b))
		}
	}
	field("registrar", old.Registrar, new.Registrar)
	field("proxy", old.Proxy, new.Proxy)
	field("user name", old.Username, new.Username)
	field("transport", old.Transport, new.Transport)
	field("registration", onOff(old.Register), onOff(new.Register))
	if d := setDiff(old.CallerIDs, new.CallerIDs, maskEntry); d != "" {
		parts = append(parts, "caller IDs: "+d)
	}
	if old.Password != new.Password {
		parts = append(parts, "password changed")
	}
	if len(parts) == 0 {
		return "SIP account saved unchanged"
	}
	return "SIP account: " + strings.Join(parts, "; ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// linesSummary says which lines were added and removed and, for a line
// kept (the same number), which of its settings changed: "line Sales:
// hours Mon–Fri 09:00-18:00 → Mon–Fri 08:00-18:00".
func linesSummary(old, new []callbackline.Line) string {
	var parts []string
	byNumber := func(ls []callbackline.Line, n string) *callbackline.Line {
		for i := range ls {
			if ls[i].Number == n {
				return &ls[i]
			}
		}
		return nil
	}
	for _, n := range new {
		o := byNumber(old, n.Number)
		if o == nil {
			parts = append(parts, auditLineName(n)+": added")
			continue
		}
		if d := lineDiff(*o, n); d != "" {
			parts = append(parts, auditLineName(n)+": "+d)
		}
	}
	for _, o := range old {
		if byNumber(new, o.Number) == nil {
			parts = append(parts, auditLineName(o)+": removed")
		}
	}
	if len(parts) == 0 {
		return "lines saved unchanged"
	}
	return strings.Join(parts, "; ")
}

// auditLineName is "line Sales", or "line 2" without a name.
func auditLineName(l callbackline.Line) string {
	if l.Name != "" {
		return "line " + l.Name
	}
	return "line " + maskEntry(l.Number)
}

// lineDiff lists the line's settings that changed, as "key old → new".
func lineDiff(a, b callbackline.Line) string {
	fa, fb := lineFields(a), lineFields(b)
	var parts []string
	for i := range fa {
		if fa[i][1] != fb[i][1] {
			parts = append(parts, fa[i][0]+" "+orNone(fa[i][1])+" → "+orNone(fb[i][1]))
		}
	}
	return strings.Join(parts, ", ")
}

// lineFields are a line's settings as the audit log names and shows
// them, in a fixed order.
func lineFields(l callbackline.Line) [][2]string {
	p := l.Policy
	ids := make([]string, len(l.Employees))
	for i, id := range l.Employees {
		ids[i] = strconv.FormatInt(id, 10)
	}
	return [][2]string{
		{"name", l.Name},
		{"employees", strings.Join(ids, ", ")},
		{"target", maskEntry(l.Target)},
		{"caller ID", maskEntry(l.CallerID)},
		{"caller name", l.CallerName},
		{"language", l.Language},
		{"dialer", string(l.Dialer)},
		{"from line", l.FromLine},
		{"fallback", onOff(l.Fallback)},
		{"Bitrix24 voice", l.Voice},
		{"voice", p.Voice},
		{"ring mode", string(p.RingMode)},
		{"employee rings", p.EmployeeRingTimeout.String()},
		{"client rings", p.ClientRingTimeout.String()},
		{"client calls", strconv.Itoa(p.ClientAttempts)},
		{"between client calls", p.ClientRetryAfter.String()},
		{"employee rounds", strconv.Itoa(p.EmployeeRounds)},
		{"between rounds", p.EmployeeRetryAfter.String()},
		{"max age", p.MaxAge.String()},
		{"max call length", p.MaxCallLength.String()},
		{"skip absent", onOff(p.SkipAbsent)},
		{"require workday", onOff(p.RequireWorkday)},
		{"accept by key", onOff(p.RequireAccept)},
		{"announce", fmt.Sprintf("%s ×%d", onOff(p.Announce), max(p.AnnounceRepeat, 1))},
		{"to-do", onOff(p.Todo)},
		{"hours", hoursText(p.Hours)},
	}
}

var dayNames = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// hoursText writes working hours shortly: "Mon–Fri 09:00-18:00, Sat
// 10:00-14:00 (Europe/Berlin), 2 holidays"; "always".
func hoursText(h callbackline.WorkingHours) string {
	if h.Always() {
		return "always"
	}
	spans := func(d time.Weekday) string {
		var s []string
		for _, sp := range h.Days[d] {
			s = append(s, sp.String())
		}
		return strings.Join(s, " ")
	}
	// Monday first; runs of days with the same hours are joined.
	order := []time.Weekday{1, 2, 3, 4, 5, 6, 0}
	var parts []string
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && spans(order[j+1]) == spans(order[i]) {
			j++
		}
		if sp := spans(order[i]); sp != "" {
			days := dayNames[order[i]]
			if j > i {
				days += "–" + dayNames[order[j]]
			}
			parts = append(parts, days+" "+sp)
		}
		i = j + 1
	}
	out := strings.Join(parts, ", ")
	if out == "" {
		out = "closed"
	}
	if h.Location != nil {
		out += " (" + h.Location.String() + ")"
	}
	if n := len(h.Holidays); n > 0 {
		days := make([]string, 0, n)
		for d := range h.Holidays {
			days = append(days, d)
		}
		sort.Strings(days)
		out += ", holidays " + strings.Join(days, " ")
	}
	return out
}
