package web

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/phone"
)

// The audit log's summaries of changes (callbackline.Change.Said, its
// English the Summary): short, readable, never a secret, phone numbers
// masked as the logs mask them. Each is a note (codes audit_*), so that
// the app page says it in its language; values (numbers, names, times)
// are texts said as they are.

// newNote is callbackline.NewNote.
var newNote = callbackline.NewNote

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
// C"; ok false when none.
func setDiff(old, new []string, show func(string) string) (callbackline.Note, bool) {
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
	var parts []callbackline.Note
	if len(added) > 0 {
		parts = append(parts, newNote("audit_added", callbackline.NoteList(added)))
	}
	if len(removed) > 0 {
		parts = append(parts, newNote("audit_removed", callbackline.NoteList(removed)))
	}
	return callbackline.NoteParts(parts), len(parts) > 0
}

// listSummary is setDiff, or "unchanged" (a save of the same list, or
// only its order changed).
func listSummary(old, new []string, show func(string) string) callbackline.Note {
	if d, ok := setDiff(old, new, show); ok {
		return d
	}
	if !slices.Equal(old, new) {
		return newNote("audit_reordered")
	}
	return newNote("audit_unchanged")
}

func plain(s string) string { return s }

// countriesSummary: "added AT; removed CH".
func countriesSummary(old, new []string) callbackline.Note { return listSummary(old, new, plain) }

// blockedSummary: "added +49900*, +7495*****67; removed …".
func blockedSummary(old, new []string) callbackline.Note {
	return listSummary(old, new, maskEntry)
}

// zoneSummary: "UTC → Europe/Berlin".
func zoneSummary(old, new string) callbackline.Note {
	if old == new {
		return newNote("audit_zone_unchanged", new)
	}
	return newNote("audit_zone", old, new)
}

// auditChange is "field old → new", the field named by its code.
func auditChange(field string, a, b callbackline.Note) callbackline.Note {
	return newNote("audit_change", newNote(field), a, b)
}

// trunkSummary says what changed in a portal's own SIP account; old is
// nil when there was none. The password is only said to have changed.
func trunkSummary(old, new *callbackline.PortalTrunk) callbackline.Note {
	if new == nil {
		return newNote("audit_trunk_removed")
	}
	if old == nil {
		return newNote("audit_trunk_added", new.Username, new.Registrar)
	}
	var parts []callbackline.Note
	field := func(name string, a, b callbackline.Note) {
		if a.English() != b.English() {
			parts = append(parts, auditChange(name, a, b))
		}
	}
	field("audit_f_registrar", orNone(old.Registrar), orNone(new.Registrar))
	field("audit_f_proxy", orNone(old.Proxy), orNone(new.Proxy))
	field("audit_f_username", orNone(old.Username), orNone(new.Username))
	field("audit_f_transport", orNone(old.Transport), orNone(new.Transport))
	field("audit_f_registration", onOff(old.Register), onOff(new.Register))
	if d, ok := setDiff(old.CallerIDs, new.CallerIDs, maskEntry); ok {
		parts = append(parts, newNote("audit_caller_ids", d))
	}
	if old.Password != new.Password {
		parts = append(parts, newNote("audit_password"))
	}
	if len(parts) == 0 {
		return newNote("audit_trunk_unchanged")
	}
	return newNote("audit_trunk", callbackline.NoteParts(parts))
}

// orNone is s as a value, or "none".
func orNone(s string) callbackline.Note {
	if s == "" {
		return newNote("audit_none")
	}
	return callbackline.Plain(s)
}

func onOff(b bool) callbackline.Note {
	if b {
		return newNote("audit_on")
	}
	return newNote("audit_off")
}

// linesSummary says which lines were added and removed and, for a line
// kept (the same number), which of its settings changed: "line Sales:
// hours Mon–Fri 09:00-18:00 → Mon–Fri 08:00-18:00".
func linesSummary(old, new []callbackline.Line) callbackline.Note {
	var parts []callbackline.Note
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
			parts = append(parts, newNote("audit_line_added", auditLineName(n)))
			continue
		}
		if d, ok := lineDiff(*o, n); ok {
			parts = append(parts, newNote("audit_line_changed", auditLineName(n), d))
		}
	}
	for _, o := range old {
		if byNumber(new, o.Number) == nil {
			parts = append(parts, newNote("audit_line_removed", auditLineName(o)))
		}
	}
	if len(parts) == 0 {
		return newNote("audit_lines_unchanged")
	}
	return callbackline.NoteParts(parts)
}

// auditLineName is "line Sales", or "line 2" without a name.
func auditLineName(l callbackline.Line) callbackline.Note {
	if l.Name != "" {
		return newNote("audit_line", l.Name)
	}
	return newNote("audit_line", maskEntry(l.Number))
}

// lineDiff lists the line's settings that changed, as "key old → new";
// ok false when none did.
func lineDiff(a, b callbackline.Line) (callbackline.Note, bool) {
	fa, fb := lineFields(a), lineFields(b)
	var parts []callbackline.Note
	for i := range fa {
		if fa[i].value.English() != fb[i].value.English() {
			parts = append(parts, auditChange(fa[i].code, fa[i].value, fb[i].value))
		}
	}
	return callbackline.NoteList(parts), len(parts) > 0
}

// auditField is a line's setting as the audit log names (its code) and
// shows it.
type auditField struct {
	code  string
	value callbackline.Note
}

// lineFields are a line's settings as the audit log names and shows
// them, in a fixed order.
func lineFields(l callbackline.Line) []auditField {
	p := l.Policy
	ids := make([]string, len(l.Employees))
	for i, id := range l.Employees {
		ids[i] = strconv.FormatInt(id, 10)
	}
	text := func(s string) callbackline.Note { return orNone(s) }
	return []auditField{
		{"audit_f_name", text(l.Name)},
		{"audit_f_employees", text(strings.Join(ids, ", "))},
		{"audit_f_target", text(maskEntry(l.Target))},
		{"audit_f_caller_id", text(maskEntry(l.CallerID))},
		{"audit_f_caller_name", text(l.CallerName)},
		{"audit_f_language", text(l.Language)},
		{"audit_f_dialer", text(string(l.Dialer))},
		{"audit_f_from_line", text(l.FromLine)},
		{"audit_f_fallback", onOff(l.Fallback)},
		{"audit_f_b24_voice", text(l.Voice)},
		{"audit_f_voice", text(p.Voice)},
		{"audit_f_ring_mode", text(string(p.RingMode))},
		{"audit_f_employee_rings", text(p.EmployeeRingTimeout.String())},
		{"audit_f_client_rings", text(p.ClientRingTimeout.String())},
		{"audit_f_client_calls", text(strconv.Itoa(p.ClientAttempts))},
		{"audit_f_client_retry", text(p.ClientRetryAfter.String())},
		{"audit_f_employee_rounds", text(strconv.Itoa(p.EmployeeRounds))},
		{"audit_f_round_retry", text(p.EmployeeRetryAfter.String())},
		{"audit_f_max_age", text(p.MaxAge.String())},
		{"audit_f_max_call", text(p.MaxCallLength.String())},
		{"audit_f_skip_absent", onOff(p.SkipAbsent)},
		{"audit_f_require_workday", onOff(p.RequireWorkday)},
		{"audit_f_accept", onOff(p.RequireAccept)},
		{"audit_f_announce", newNote("audit_announce", onOff(p.Announce), max(p.AnnounceRepeat, 1))},
		{"audit_f_todo", onOff(p.Todo)},
		{"audit_f_hours", hoursText(p.Hours)},
	}
}

// hoursText writes working hours shortly: "Mon–Fri 09:00-18:00, Sat
// 10:00-14:00 (Europe/Berlin), holidays 2026-12-25"; "always".
func hoursText(h callbackline.WorkingHours) callbackline.Note {
	if h.Always() {
		return newNote("audit_always")
	}
	spans := func(d time.Weekday) string {
		var s []string
		for _, sp := range h.Days[d] {
			s = append(s, sp.String())
		}
		return strings.Join(s, " ")
	}
	day := func(d time.Weekday) callbackline.Note { return newNote("audit_day_" + strconv.Itoa(int(d))) }
	// Monday first; runs of days with the same hours are joined.
	order := []time.Weekday{1, 2, 3, 4, 5, 6, 0}
	var parts []callbackline.Note
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && spans(order[j+1]) == spans(order[i]) {
			j++
		}
		if sp := spans(order[i]); sp != "" {
			days := day(order[i])
			if j > i {
				days = newNote("audit_days", day(order[i]), day(order[j]))
			}
			parts = append(parts, callbackline.NewNote("", days, sp))
		}
		i = j + 1
	}
	out := callbackline.NoteList(parts)
	if len(parts) == 0 {
		out = newNote("audit_closed")
	}
	if h.Location != nil {
		out = newNote("audit_hours_zone", out, h.Location.String())
	}
	if n := len(h.Holidays); n > 0 {
		days := make([]string, 0, n)
		for d := range h.Holidays {
			days = append(days, d)
		}
		sort.Strings(days)
		out = newNote("audit_hours_holidays", out, strings.Join(days, " "))
	}
	return out
}
