package callbackline

import (
	"context"
	"time"
)

// Settings are one portal's own lines, written by its administrator on
// the app page. While a portal has none it uses the lines of the
// service's configuration; once saved they replace them for that portal
// only: numbers, names, employees, fixed targets and each line's policy
// (working hours, ring timeouts, redials, …).
type Settings struct {
	MemberID string
	// Lines is the portal's `lines:` list in YAML, with the keys of
	// callbackline.yaml's `lines:` (number, name, employees, policy, …).
	// It is stored as written so the page shows it back as it was saved.
	Lines     string
	UpdatedAt time.Time
	UpdatedBy int64 // the Bitrix24 user who saved them
	// Audit, when set on a save, is written to the portal's audit log
	// in the same transaction as the change (reads leave it nil).
	Audit *Change
}

// SettingsStore keeps portals' settings.
type SettingsStore interface {
	// Settings returns the portal's settings, or an ENOTFOUND error when
	// it has none (it uses the configured lines).
	Settings(ctx context.Context, memberID string) (*Settings, error)
	// SaveSettings inserts or replaces the portal's settings; ENOTFOUND
	// when the portal is not installed. DeletePortal deletes them too.
	SaveSettings(ctx context.Context, s *Settings) error
	// Countries returns the countries the portal's administrator (or the
	// operator for it) allowed, or an ENOTFOUND error when none were
	// chosen (the portal dials its own country only).
	Countries(ctx context.Context, memberID string) (*Countries, error)
	// SaveCountries inserts or replaces the portal's countries; ENOTFOUND
	// when the portal is not installed. DeletePortal deletes them too.
	SaveCountries(ctx context.Context, c *Countries) error
	// TimeZone returns the time zone the portal's administrator chose,
	// or an ENOTFOUND error when none was chosen (its first line's is
	// used).
	TimeZone(ctx context.Context, memberID string) (*TimeZone, error)
	// SaveTimeZone inserts or replaces the portal's time zone; ENOTFOUND
	// when the portal is not installed, EINVALID for a name that is not a
	// known IANA zone. DeletePortal deletes it too.
	SaveTimeZone(ctx context.Context, z *TimeZone) error
	// BlockedNumbers returns the numbers the portal's administrator
	// blocked, or an ENOTFOUND error when none were.
	BlockedNumbers(ctx context.Context, memberID string) (*Blocked, error)
	// SaveBlockedNumbers inserts or replaces the portal's blocked
	// numbers; ENOTFOUND when the portal is not installed. DeletePortal
	// deletes them too.
	SaveBlockedNumbers(ctx context.Context, b *Blocked) error
	// CallerIDs returns the caller IDs the operator assigned to the portal
	// over the API, or an ENOTFOUND error when it assigned none.
	CallerIDs(ctx context.Context, memberID string) (*CallerIDs, error)
	// SaveCallerIDs inserts or replaces them; ENOTFOUND when the portal is
	// not installed, EINVALID for a malformed number. DeletePortal deletes
	// them too.
	SaveCallerIDs(ctx context.Context, c *CallerIDs) error
	// GuardInputs returns, in one read, what a portal's toll-fraud guard
	// is made of: its own lines, chosen countries, assigned caller IDs,
	// its own SIP account's caller IDs and blocked numbers, as one opaque
	// value that differs whenever any of them differs (a missing setting
	// and an empty one too). A guard built from the settings is reused
	// while this value stays the same.
	GuardInputs(ctx context.Context, memberID string) (string, error)
}

// TimeZone is the time zone a portal's app page and dashboard show times
// in, chosen by its administrator. Bitrix24 does not tell a portal's
// time zone; without a choice the page uses its first line's
// hours.time_zone, else UTC.
type TimeZone struct {
	MemberID  string
	Name      string // an IANA name: Europe/Berlin
	UpdatedAt time.Time
	UpdatedBy int64 // the Bitrix24 user who saved it
	// Audit, when set on a save, is written to the portal's audit log
	// in the same transaction as the change (reads leave it nil).
	Audit *Change
}

// CallerIDs are numbers the operator assigned to one portal over the API
// (/api/v1/portals/{member_id}/caller_ids): the portal's own lines may
// show them to clients, as they may the numbers the configuration assigns
// (portals: [{member_id, caller_ids}]) and those of the portal's own SIP
// account. Both the configuration's and these count.
type CallerIDs struct {
	MemberID  string
	Numbers   []string // as a line's caller_id writes them (+4930123456)
	UpdatedAt time.Time
	// Audit, when set on a save, is written to the portal's audit log
	// in the same transaction as the change (reads leave it nil).
	Audit *Change
}

// AssignedCallerIDs returns the numbers a portal's own lines may show
// beyond those the configuration assigns: the operator's over the API,
// then its own SIP account's. None is an empty list, not an error.
func AssignedCallerIDs(ctx context.Context, st interface {
	SettingsStore
	TrunkStore
}, memberID string) ([]string, error) {
	var out []string
	c, err := st.CallerIDs(ctx, memberID)
	switch {
	case err == nil:
		out = append(out, c.Numbers...)
	case ErrorCode(err) != ENOTFOUND:
		return nil, err
	}
	t, err := st.PortalTrunk(ctx, memberID)
	switch {
	case err == nil:
		out = append(out, t.CallerIDs...)
	case ErrorCode(err) != ENOTFOUND:
		return nil, err
	}
	return out, nil
}

// Countries are the countries one portal may dial, chosen by its
// administrator on the app page or by the operator over the API, always
// within the operator's intake.allowed_countries.
type Countries struct {
	MemberID  string
	Codes     []string // ISO 3166 alpha-2, upper case
	UpdatedAt time.Time
	UpdatedBy int64 // the Bitrix24 user who saved them; 0 = the operator
	// Audit, when set on a save, is written to the portal's audit log
	// in the same transaction as the change (reads leave it nil).
	Audit *Change
}

// Blocked are the numbers a portal never calls (abusers, competitors),
// kept by its administrator on the app page: checked at intake and again
// right before dialling (Reason number_blocked).
type Blocked struct {
	MemberID string
	// Entries are E.164 numbers, or prefixes ending in "*" (+49900*), as
	// phone.ParseBlocked writes them.
	Entries   []string
	UpdatedAt time.Time
	UpdatedBy int64 // the Bitrix24 user who saved them
	// Audit, when set on a save, is written to the portal's audit log
	// in the same transaction as the change (reads leave it nil).
	Audit *Change
}
