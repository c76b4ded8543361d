package callbackline

// noteEnglish are the English sentences of the history's note codes
// (Note), fmt formats with one verb per argument: what the history has
// always said. A code's arguments never change their order or meaning;
// a new sentence is a new code. The page says them in its language
// (words.Note), which has a sentence for each.
var noteEnglish = map[string]string{
	NoteTime:   "%s",
	NoteReason: "%s",

	// Who is rung, who answers.
	"employee":      "%s (extension %s)", // name, extension
	"extension":     "extension %s",
	"user":          "user %s",
	"named_user":    "%s (user %s)", // name, id
	"an_employee":   "an employee",
	"line_target":   "line target",
	"routing":       "choosing the employee",
	"registered":    "call card registered (%s); ringing %s", // CALL_ID, candidates
	"ringing":       "ringing %s",
	"click_ringing": "click-to-call: ringing %s",
	"answered":      "%s answered; speaking the request",
	"skipped": "%s is skipped: extension %q breaks the trunk's extension rule; " +
		"the portal's administrator should correct it (UF_PHONE_INNER, or the line's target)",
	"lookup_failed":   "user %s could not be looked up (%s)",
	"inactive":        "%s is not an active user",
	"no_extension":    "%s has no extension (UF_PHONE_INNER)",
	"absent":          "%s is absent until %s",
	"not_at_work":     "%s is not at work (working day %s)", // who, workday_* or Bitrix24's status
	"workday_closed":  "closed",
	"workday_paused":  "paused",
	"workday_expired": "expired",

	// The call.
	"calling_client":  "calling the client %s (call %s of %s)", // masked number, n, of
	"connected":       "the client answered: connected",
	"done":            "done: the employee and the client talked for %s s",
	"done_recovered":  "done: the client was connected before the restart",
	"done_click":      "done: click-to-call connected",
	"done_click_for":  "done: click-to-call, %s s",
	"done_placed":     "done: Bitrix24 connected the employee and the client for %s s",
	"recovering":      "recovering attempt %s after a restart",
	"finishing":       "writing the call to the CRM (status %s, %s s)",
	"finished":        "call finished in the CRM: status %s, %s s",
	"attached":        "recording attached to the call (file %s)",
	"scheduled":       "%s (%s)", // why, when
	"client_again":    "the client did not answer (status %s); calling again later",
	"employees_again": "%s; trying again later (round %s of %s)",
	"no_one_took":     "no employee took the call: %s",
	"nobody_to_call":  "nobody to call: no responsible or line employee is active, present and reachable",
	"shutdown":        "interrupted by a shutdown; continuing",
	"outside_hours":   "outside working hours: scheduled for the next opening",
	"dial_wait":       "%s; waiting for the next allowed call",

	// Bitrix24's telephony.
	"placing":             "handing call %s of %s to Bitrix24's telephony: line %s calls the client %s",
	"fallback":            "fallback to Bitrix24 (%s): %s",
	"sip_down":            "the SIP trunk is down: %s",
	"trunk_refused":       "the SIP trunk refused every INVITE: %s",
	"placed":              "Bitrix24 placed the call (%s); waiting for its outcome",
	"from_statistics":     "the end event did not come: the outcome was read from Bitrix24's call statistics",
	"found_in_statistics": "the call placed before the restart was found in Bitrix24's call statistics (%s)",
	"placed_again":        "Bitrix24 ended the call: %s (%s); calling again later",
	"busy":                "busy",
	"no_answer":           "no answer",
	"unavailable":         "unavailable",
	"declined":            "declined",
	"cancelled":           "cancelled",

	// The end.
	"failed":      "failed: %s",
	"failed_told": "failed: %s (user %s told)",
	"giving_up":   "giving up: %s",
	"closed":      "closed: %s",
	"called_in":   "the client called in at %s and was answered (Bitrix24 call %s)",
	"called_by":   "the client was called at %s by %s and answered (Bitrix24 call %s)",
	"notified":    "responsible user notified",
	"commented":   "comment added to the CRM timeline",
	"todo":        "to-do added for the responsible",

	// Reasons ("<code>: <details>", Callback.Reason).
	"reason_unreachable_max":    "client_unreachable: the client was called %s time(s), the most the line allows",
	"reason_unreachable":        "client_unreachable: the client could not be reached after %s call(s) (last status %s)",
	"reason_unreachable_placed": "client_unreachable: the client could not be reached after %s call(s) through Bitrix24 (last: %s, %s)",
	"reason_stale":              "stale: the request is older than %s and was not called",
	"reason_closed":             "closed: the line's working hours never open",
	"reason_no_employee_rounds": "no_employee: no employee took the call in %s round(s)",
	"reason_no_employee":        "no_employee: %s",
	"reason_guard":              "guard: %s",
	"reason_call_failed":        "call_failed: %s",
	"reason_no_trunk":           "no_trunk: nothing was dialled: %s",
	"reason_uninstalled":        "portal_uninstalled: the application was uninstalled from the portal",
	"reason_reinstall":          "reinstall: the portal must install the application again (%s)",
	"reason_error":              "error: the callback failed too often to go on (%s)",
	"reason_outcome_unknown": "outcome_unknown: Bitrix24 was asked to place the call, but its outcome could not be learnt " +
		"(no end event, not in the call statistics); check the portal's call history and call the client if needed",
	"reason_dial_rate":       ReasonDialRate + ": the calls allowed in an hour to this number (every portal) or by this portal were placed",
	"reason_dial_rate_age":   "%s; the next is allowed at %s, after the request's maximum age (%s)",
	"reason_dial_rate_at":    "%s; the next at %s",
	"reason_b24_balance":     "bitrix24_balance: the portal's Bitrix24 telephony balance is exhausted (402): top it up in Bitrix24 Telephony, then call the client",
	"reason_b24_refused":     "bitrix24_refused: Bitrix24 may not call this number from the line (%s): check the line's outgoing call settings in Bitrix24 Telephony",
	"reason_b24_unreachable": "invalid_number: Bitrix24 could not reach this number (%s)",
	"reason_b24_failed":      "call_failed: Bitrix24 ended the call with %s",
	"reason_already_called":  ReasonAlreadyCalled + ": %s",

	// By hand and by the store.
	"call_now": "call now asked by %s: dialled at once, even outside working hours",
	"cancel":   "cancelled by %s: nothing is dialled",
	"retry":    "retry asked by %s: a new round of calls starts",
	"folded": "the same request came again while its call was with Bitrix24's telephony " +
		"(ONEXTERNALCALLBACKSTART sent back): folded in, not called again",
}
