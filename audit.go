package callbackline

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Change is one entry of a portal's audit log: who changed which of its
// settings, when, and a short readable summary of the change. A store
// writes it in the same transaction as the change it describes (the
// Audit field of Settings, Countries, TimeZone, Blocked, CallerIDs and
// PortalTrunk, and DeletePortalTrunk's argument). The summary never holds
// a secret (a password is "changed") nor a whole phone number (masked as
// the logs mask them).
type Change struct {
	ID       int64
	MemberID string
	At       time.Time
	// UserID is the Bitrix24 user who made the change on the app page; 0
	// for the operator over the API (or a user the portal did not name).
	UserID int64
	// UserName is the user's name as the portal gave it (user.current),
	// or "operator".
	UserName string
	// What is the setting: one of the Audit* constants.
	What string
	// Summary is what changed, at most ChangeSummaryMax characters, in
	// English: what the API shows.
	Summary string
	// Said is the summary as a note (codes audit_*, AuditCodes) that the
	// app page says in its language; code "" for entries stored before
	// codes were kept, which are shown by their Summary.
	Said Note
}

// The settings an audit log entry names (Change.What).
const (
	AuditLines     = "lines"
	AuditTrunk     = "trunk"
	AuditCountries = "countries"
	AuditBlocked   = "blocked_numbers"
	AuditTimeZone  = "time_zone"
	AuditCallerIDs = "caller_ids"
)

// OperatorName is Change.UserName of a change made over the operator API.
const OperatorName = "operator"

// ChangeSummaryMax bounds Change.Summary and ChangeNameMax
// Change.UserName, in characters.
const (
	ChangeSummaryMax = 500
	ChangeNameMax    = 100
)

// Clean makes c fit for the store: valid UTF-8 without NUL, the summary
// (Said's English when empty) and the name cut to their bounds (an
// ellipsis marks a cut), the time as stores keep it (now when zero).
func (c *Change) Clean(now time.Time) {
	if c.Summary == "" && c.Said.Code != "" {
		c.Summary = c.Said.English()
	}
	c.Summary = Shorten(CleanText(c.Summary), ChangeSummaryMax)
	c.UserName = Shorten(CleanText(c.UserName), ChangeNameMax)
	c.What = Shorten(CleanText(c.What), 40)
	if c.At.IsZero() {
		c.At = now
	}
	c.At = StoredTime(c.At)
}

// Shorten cuts s to at most n characters, the last one an ellipsis when
// it was cut.
func Shorten(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// AuditFilter selects a page of a portal's audit log, newest first.
type AuditFilter struct {
	MemberID string
	BeforeID int64 // only entries with a smaller id; 0: from the newest
	Limit    int   // at most this many; 0 means 50, at most 1000
}

// AuditStore keeps the portals' audit logs. DeletePortal deletes a
// portal's log; Prune deletes entries older than Retention.History.
type AuditStore interface {
	// AuditLog returns a page of the portal's log, newest first.
	AuditLog(ctx context.Context, f AuditFilter) ([]*Change, error)
}
