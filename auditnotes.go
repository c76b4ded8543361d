package callbackline

import "strings"

// auditEnglish are the English sentences of the audit log's summaries
// (Change.Said), merged into the notes' codes: what Change.Summary has
// always said. As with the history's codes, a code's arguments never
// change their order or meaning.
var auditEnglish = map[string]string{
	// Lists (countries, blocked numbers, caller IDs).
	"audit_added":     "added %s",
	"audit_removed":   "removed %s",
	"audit_reordered": "reordered",
	"audit_unchanged": "saved unchanged",

	// The time zone.
	"audit_zone":           "%s → %s",
	"audit_zone_unchanged": "%s (unchanged)",

	// A setting's change and its values.
	"audit_change": "%s %s → %s", // field, old, new
	"audit_none":   "none",
	"audit_on":     "on",
	"audit_off":    "off",

	// The portal's own SIP account.
	"audit_trunk":           "SIP account: %s",
	"audit_trunk_added":     "SIP account added: %s@%s", // user name, registrar
	"audit_trunk_removed":   "SIP account removed",
	"audit_trunk_unchanged": "SIP account saved unchanged",
	"audit_caller_ids":      "caller IDs: %s",
	"audit_password":        "password changed",
	"audit_f_registrar":     "registrar",
	"audit_f_proxy":         "proxy",
	"audit_f_username":      "user name",
	"audit_f_transport":     "transport",
	"audit_f_registration":  "registration",

	// The lines.
	"audit_line":              "line %s", // name or masked number
	"audit_line_added":        "%s: added",
	"audit_line_removed":      "%s: removed",
	"audit_line_changed":      "%s: %s", // line, its changes
	"audit_lines_unchanged":   "lines saved unchanged",
	"audit_lines_replaced":    "lines replaced (the previous lines no longer parse)",
	"audit_f_name":            "name",
	"audit_f_employees":       "employees",
	"audit_f_target":          "target",
	"audit_f_caller_id":       "caller ID",
	"audit_f_caller_name":     "caller name",
	"audit_f_language":        "language",
	"audit_f_dialer":          "dialer",
	"audit_f_from_line":       "from line",
	"audit_f_fallback":        "fallback",
	"audit_f_b24_voice":       "Bitrix24 voice",
	"audit_f_voice":           "voice",
	"audit_f_ring_mode":       "ring mode",
	"audit_f_employee_rings":  "employee rings",
	"audit_f_client_rings":    "client rings",
	"audit_f_client_calls":    "client calls",
	"audit_f_client_retry":    "between client calls",
	"audit_f_employee_rounds": "employee rounds",
	"audit_f_round_retry":     "between rounds",
	"audit_f_max_age":         "max age",
	"audit_f_max_call":        "max call length",
	"audit_f_skip_absent":     "skip absent",
	"audit_f_require_workday": "require workday",
	"audit_f_accept":          "accept by key",
	"audit_f_announce":        "announce",
	"audit_f_todo":            "to-do",
	"audit_f_hours":           "hours",
	"audit_announce":          "%s ×%s", // on or off, times

	// Working hours.
	"audit_always":         "always",
	"audit_closed":         "closed",
	"audit_days":           "%s–%s", // first day, last day
	"audit_hours_zone":     "%s (%s)",
	"audit_hours_holidays": "%s, holidays %s",
	"audit_day_0":          "Sun",
	"audit_day_1":          "Mon",
	"audit_day_2":          "Tue",
	"audit_day_3":          "Wed",
	"audit_day_4":          "Thu",
	"audit_day_5":          "Fri",
	"audit_day_6":          "Sat",
}

func init() {
	for k, v := range auditEnglish {
		noteEnglish[k] = v
	}
}

// AuditCodes are the codes of the audit log's sentences (among
// NoteCodes), sorted.
func AuditCodes() []string {
	var out []string
	for _, c := range NoteCodes() {
		if strings.HasPrefix(c, "audit_") {
			out = append(out, c)
		}
	}
	return out
}
