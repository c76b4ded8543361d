package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

const portalCols = `member_id, domain, client_endpoint, access_token, refresh_token, expires_at, application_token,
	user_id, scope, app_status, language, status, status_reason, installed_at, updated_at`

func validStatus(s callbackline.PortalStatus) bool {
	return slices.Contains([]callbackline.PortalStatus{callbackline.PortalInstalled, callbackline.PortalReinstall,
		callbackline.PortalUninstalled}, s)
}

// SavePortal inserts the portal or replaces the row with its MemberID,
// keeping InstalledAt from the first installation. An empty Status means
// PortalInstalled; a zero InstalledAt means now. On return p carries the
// stored Status, InstalledAt and UpdatedAt.
func (s *Store) SavePortal(ctx context.Context, p *callbackline.Portal) error {
	if p == nil || p.MemberID == "" {
		return callbackline.Errorf(callbackline.EINVALID, "portal: no member id")
	}
	status := p.Status
	if status == "" {
		status = callbackline.PortalInstalled
	}
	if !validStatus(status) {
		return callbackline.Errorf(callbackline.EINVALID, "portal: unknown status %q", status)
	}
	now := now()
	installed := callbackline.StoredTime(p.InstalledAt)
	if installed.IsZero() {
		installed = now
	}
	var inst, upd time.Time
	sec := s.opts.Secrets
	err := s.w.QueryRow(ctx, `INSERT INTO portals (`+portalCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (member_id) DO UPDATE SET
			domain = excluded.domain, client_endpoint = excluded.client_endpoint,
			access_token = excluded.access_token, refresh_token = excluded.refresh_token,
			expires_at = excluded.expires_at, application_token = excluded.application_token,
			user_id = excluded.user_id, scope = excluded.scope, app_status = excluded.app_status,
			language = excluded.language, status = excluded.status, status_reason = excluded.status_reason,
			updated_at = excluded.updated_at
		RETURNING installed_at, updated_at`,
		p.MemberID, p.Domain, p.ClientEndpoint, sec.Seal(p.MemberID, p.AccessToken), sec.Seal(p.MemberID, p.RefreshToken), p.ExpiresAt,
		sec.Seal(p.MemberID, p.ApplicationToken), p.UserID, p.Scope, p.AppStatus, p.Language, string(status), p.StatusReason,
		installed, now).Scan(&inst, &upd)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "%s: save portal", s.d.Name)
	}
	p.Status, p.InstalledAt, p.UpdatedAt = status, inst, upd
	return nil
}

// Portal returns the portal with the member id, or an ENOTFOUND error.
func (s *Store) Portal(ctx context.Context, memberID string) (*callbackline.Portal, error) {
	p, err := s.scanPortal(s.r.QueryRow(ctx, `SELECT `+portalCols+` FROM portals WHERE member_id = ?`, memberID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "portal %q is not installed", memberID)
	}
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "portal")
	}
	return p, nil
}

// Portals lists every portal, ordered by member id.
func (s *Store) Portals(ctx context.Context) ([]*callbackline.Portal, error) {
	list, err := collect(ctx, s.r, s.scanPortal, `SELECT `+portalCols+` FROM portals ORDER BY member_id`)
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "portals")
	}
	return list, nil
}

// SaveTokens stores a refreshed token pair for the portal. An empty
// ClientEndpoint or Domain keeps the stored one.
func (s *Store) SaveTokens(ctx context.Context, memberID string, t callbackline.Tokens) error {
	n, err := s.w.Exec(ctx, `UPDATE portals SET access_token = ?, refresh_token = ?, expires_at = ?,
			client_endpoint = CASE WHEN ? = '' THEN client_endpoint ELSE ? END,
			domain = CASE WHEN ? = '' THEN domain ELSE ? END,
			updated_at = ?
		WHERE member_id = ?`,
		s.opts.Secrets.Seal(memberID, t.AccessToken), s.opts.Secrets.Seal(memberID, t.RefreshToken), t.ExpiresAt,
		t.ClientEndpoint, t.ClientEndpoint, t.Domain, t.Domain, now(), memberID)
	return s.affected(n, err, "save tokens", memberID)
}

// SetPortalStatus changes the status and its reason.
func (s *Store) SetPortalStatus(ctx context.Context, memberID string, st callbackline.PortalStatus, reason string) error {
	if !validStatus(st) {
		return callbackline.Errorf(callbackline.EINVALID, "portal: unknown status %q", st)
	}
	n, err := s.w.Exec(ctx, `UPDATE portals SET status = ?, status_reason = ?, updated_at = ? WHERE member_id = ?`,
		string(st), reason, now(), memberID)
	return s.affected(n, err, "set portal status", memberID)
}

func (s *Store) affected(n int64, err error, what, memberID string) error {
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "%s: %s", s.d.Name, what)
	}
	if n == 0 {
		return callbackline.Errorf(callbackline.ENOTFOUND, "portal %q is not installed", memberID)
	}
	return nil
}

// DeletePortal removes the portal, its callbacks and their jobs that are
// not running (a running job finds its callback gone).
func (s *Store) DeletePortal(ctx context.Context, memberID string) error {
	err := s.w.Tx(ctx, func(tx DB) error {
		if s.d.LockPortal != nil {
			if err := s.d.LockPortal(ctx, tx, memberID); err != nil {
				return err
			}
		}
		for _, q := range []string{
			s.d.DeleteJobs,
			`DELETE FROM callbacks WHERE member_id = ?`,
			`DELETE FROM settings WHERE member_id = ?`,
			`DELETE FROM countries WHERE member_id = ?`,
			`DELETE FROM time_zones WHERE member_id = ?`,
			`DELETE FROM blocked_numbers WHERE member_id = ?`,
			`DELETE FROM audit_log WHERE member_id = ?`,
			`DELETE FROM notices WHERE member_id = ?`,
			`DELETE FROM caller_ids WHERE member_id = ?`,
			`DELETE FROM portal_trunks WHERE member_id = ?`,
			`DELETE FROM portals WHERE member_id = ?`,
		} {
			if _, err := tx.Exec(ctx, q, memberID); err != nil {
				return err
			}
		}
		return nil
	})
	return s.wrap(err, callbackline.EINTERNAL, "delete portal")
}

// scanPortal reads portalCols and opens the tokens (Options.Secrets)
// for the row's member_id: a token sealed for another portal fails with
// an error that wraps secret.ErrOpen; tokens stored in the clear are kept
// as they are.
func (s *Store) scanPortal(r Row) (*callbackline.Portal, error) {
	var (
		p      callbackline.Portal
		status string
	)
	err := r.Scan(&p.MemberID, &p.Domain, &p.ClientEndpoint, &p.AccessToken, &p.RefreshToken, &p.ExpiresAt,
		&p.ApplicationToken, &p.UserID, &p.Scope, &p.AppStatus, &p.Language, &status, &p.StatusReason,
		&p.InstalledAt, &p.UpdatedAt)
	if err != nil {
		return nil, err
	}
	p.Status = callbackline.PortalStatus(status)
	return &p, s.opts.Secrets.OpenAll(p.MemberID, &p.AccessToken, &p.RefreshToken, &p.ApplicationToken)
}

// Settings returns the portal's settings, or ENOTFOUND when it has none.
func (s *Store) Settings(ctx context.Context, memberID string) (*callbackline.Settings, error) {
	st := callbackline.Settings{MemberID: memberID}
	err := s.r.QueryRow(ctx, `SELECT lines, updated_at, updated_by FROM settings WHERE member_id = ?`, memberID).
		Scan(&st.Lines, &st.UpdatedAt, &st.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "portal %q has no settings of its own", memberID)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: settings", s.d.Name)
	}
	return &st, nil
}

// SaveSettings inserts or replaces the portal's settings.
func (s *Store) SaveSettings(ctx context.Context, st *callbackline.Settings) error {
	if st == nil || st.MemberID == "" {
		return callbackline.Errorf(callbackline.EINVALID, "settings: no member id")
	}
	if st.UpdatedAt.IsZero() {
		st.UpdatedAt = time.Now()
	}
	st.UpdatedAt = callbackline.StoredTime(st.UpdatedAt)
	st.Lines = callbackline.CleanText(st.Lines)
	// Only for an installed portal: the INSERT … SELECT finds no row else.
	n, err := s.execAudited(ctx, st.Audit, st.MemberID, callbackline.AuditLines, `INSERT INTO settings (member_id, lines, updated_at, updated_by)
		SELECT member_id, ?, ?, ? FROM portals WHERE member_id = ?
		ON CONFLICT (member_id) DO UPDATE SET lines = excluded.lines, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`,
		st.Lines, st.UpdatedAt, st.UpdatedBy, st.MemberID)
	return s.affected(n, err, "save settings", st.MemberID)
}

// Countries returns the portal's chosen countries, or ENOTFOUND when it
// chose none.
func (s *Store) Countries(ctx context.Context, memberID string) (*callbackline.Countries, error) {
	c := callbackline.Countries{MemberID: memberID, Codes: []string{}}
	var codes string
	err := s.r.QueryRow(ctx, `SELECT codes, updated_at, updated_by FROM countries WHERE member_id = ?`, memberID).
		Scan(&codes, &c.UpdatedAt, &c.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "portal %q chose no countries", memberID)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: countries", s.d.Name)
	}
	if codes != "" {
		c.Codes = strings.Split(codes, ",")
	}
	return &c, nil
}

// SaveCountries inserts or replaces the portal's countries.
func (s *Store) SaveCountries(ctx context.Context, c *callbackline.Countries) error {
	if c == nil || c.MemberID == "" {
		return callbackline.Errorf(callbackline.EINVALID, "countries: no member id")
	}
	for _, code := range c.Codes {
		if len(code) != 2 || strings.ToUpper(code) != code || strings.ContainsAny(code, ", ") {
			return callbackline.Errorf(callbackline.EINVALID, "countries: %q is not an upper-case ISO 3166 alpha-2 code", code)
		}
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = time.Now()
	}
	c.UpdatedAt = callbackline.StoredTime(c.UpdatedAt)
	// Only for an installed portal: the INSERT … SELECT finds no row else.
	n, err := s.execAudited(ctx, c.Audit, c.MemberID, callbackline.AuditCountries, `INSERT INTO countries (member_id, codes, updated_at, updated_by)
		SELECT member_id, ?, ?, ? FROM portals WHERE member_id = ?
		ON CONFLICT (member_id) DO UPDATE SET codes = excluded.codes, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`,
		strings.Join(c.Codes, ","), c.UpdatedAt, c.UpdatedBy, c.MemberID)
	return s.affected(n, err, "save countries", c.MemberID)
}

// guardInputsQuery reads the settings a portal's guard is made of, one
// column each, NULL where the portal has none.
const guardInputsQuery = `SELECT (SELECT lines FROM settings WHERE member_id = ?),
	(SELECT codes FROM countries WHERE member_id = ?),
	(SELECT numbers FROM caller_ids WHERE member_id = ?),
	(SELECT caller_ids FROM portal_trunks WHERE member_id = ?),
	(SELECT entries FROM blocked_numbers WHERE member_id = ?)`

// GuardInputs returns the portal's lines, countries, caller IDs, own
// account's caller IDs and blocked numbers as one value: each present
// one as its length and text, a missing one as "-".
func (s *Store) GuardInputs(ctx context.Context, memberID string) (string, error) {
	var cols [5]sql.NullString
	err := s.r.QueryRow(ctx, guardInputsQuery, memberID, memberID, memberID, memberID, memberID).
		Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4])
	if err != nil {
		return "", callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: the portal's guard settings", s.d.Name)
	}
	var b strings.Builder
	for _, c := range cols {
		if !c.Valid {
			b.WriteString("-;")
			continue
		}
		b.WriteString(strconv.Itoa(len(c.String)))
		b.WriteByte(':')
		b.WriteString(c.String)
		b.WriteByte(';')
	}
	return b.String(), nil
}

// maxCallerIDs bounds the numbers assigned to one portal over the API.
const maxCallerIDs = 100

// CallerIDs returns the caller IDs assigned to the portal over the API,
// or ENOTFOUND when none were.
func (s *Store) CallerIDs(ctx context.Context, memberID string) (*callbackline.CallerIDs, error) {
	c := callbackline.CallerIDs{MemberID: memberID, Numbers: []string{}}
	var numbers string
	err := s.r.QueryRow(ctx, `SELECT numbers, updated_at FROM caller_ids WHERE member_id = ?`, memberID).
		Scan(&numbers, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "portal %q was assigned no caller IDs", memberID)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: caller IDs", s.d.Name)
	}
	if numbers != "" {
		c.Numbers = strings.Split(numbers, ",")
	}
	return &c, nil
}

// SaveCallerIDs inserts or replaces the caller IDs assigned to the portal.
func (s *Store) SaveCallerIDs(ctx context.Context, c *callbackline.CallerIDs) error {
	if c == nil || c.MemberID == "" {
		return callbackline.Errorf(callbackline.EINVALID, "caller IDs: no member id")
	}
	if len(c.Numbers) > maxCallerIDs {
		return callbackline.Errorf(callbackline.EINVALID, "caller IDs: %d numbers; at most %d", len(c.Numbers), maxCallerIDs)
	}
	for _, n := range c.Numbers {
		if n == "" || len(n) > 64 || strings.ContainsAny(n, ", \t\r\n\x00") {
			return callbackline.Errorf(callbackline.EINVALID, "caller IDs: %q is not a number (no commas, spaces or line breaks, at most 64 characters)", strings.ToValidUTF8(n[:min(len(n), 20)], "?"))
		}
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = time.Now()
	}
	c.UpdatedAt = callbackline.StoredTime(c.UpdatedAt)
	// Only for an installed portal: the INSERT … SELECT finds no row else.
	n, err := s.execAudited(ctx, c.Audit, c.MemberID, callbackline.AuditCallerIDs, `INSERT INTO caller_ids (member_id, numbers, updated_at)
		SELECT member_id, ?, ? FROM portals WHERE member_id = ?
		ON CONFLICT (member_id) DO UPDATE SET numbers = excluded.numbers, updated_at = excluded.updated_at`,
		strings.Join(c.Numbers, ","), c.UpdatedAt, c.MemberID)
	return s.affected(n, err, "save caller IDs", c.MemberID)
}

// Reseal seals again, each for its portal, the tokens that are in the
// clear or sealed by version 1 without their owner (secret.Box.Stale), so
// that every token at rest opens only in its own portal's row. The
// backends run it when they open with Options.Secrets. A row changed
// meanwhile (a token refresh) is read again; a token that does not open
// (another key) is left as it is, and reading its portal fails as before.
// It returns how many portals it changed.
func (s *Store) Reseal(ctx context.Context) (int, error) {
	box := s.opts.Secrets
	if box == nil {
		return 0, nil
	}
	type tokens struct{ member, access, refresh, app string }
	scan := func(r Row) (t tokens, err error) {
		err = r.Scan(&t.member, &t.access, &t.refresh, &t.app)
		return t, err
	}
	changed := 0
	for range 3 { // a pass again only for rows changed under it
		list, err := collect(ctx, s.w, scan, `SELECT member_id, access_token, refresh_token, application_token FROM portals`)
		if err != nil {
			return changed, s.wrap(err, callbackline.EINTERNAL, "reseal tokens")
		}
		conflicts := 0
		for _, t := range list {
			if !box.Stale(t.access) && !box.Stale(t.refresh) && !box.Stale(t.app) {
				continue
			}
			vals, ok := []string{t.access, t.refresh, t.app}, true
			for i, v := range vals {
				if !box.Stale(v) {
					continue
				}
				plain, err := box.OpenLegacy(t.member, v)
				if err != nil {
					ok = false
					break
				}
				vals[i] = box.Seal(t.member, plain)
			}
			if !ok {
				continue
			}
			n, err := s.w.Exec(ctx, `UPDATE portals SET access_token = ?, refresh_token = ?, application_token = ?
				WHERE member_id = ? AND access_token = ? AND refresh_token = ? AND application_token = ?`,
				vals[0], vals[1], vals[2], t.member, t.access, t.refresh, t.app)
			if err != nil {
				return changed, s.wrap(err, callbackline.EINTERNAL, "reseal tokens")
			}
			changed += int(n)
			conflicts += 1 - int(n)
		}
		if conflicts == 0 {
			break
		}
	}
	return changed, nil
}

// TimeZone returns the portal's chosen time zone, or ENOTFOUND when it
// chose none.
func (s *Store) TimeZone(ctx context.Context, memberID string) (*callbackline.TimeZone, error) {
	z := callbackline.TimeZone{MemberID: memberID}
	err := s.r.QueryRow(ctx, `SELECT name, updated_at, updated_by FROM time_zones WHERE member_id = ?`, memberID).
		Scan(&z.Name, &z.UpdatedAt, &z.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "portal %q chose no time zone", memberID)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: time zone", s.d.Name)
	}
	return &z, nil
}

// SaveTimeZone inserts or replaces the portal's time zone.
func (s *Store) SaveTimeZone(ctx context.Context, z *callbackline.TimeZone) error {
	if z == nil || z.MemberID == "" {
		return callbackline.Errorf(callbackline.EINVALID, "time zone: no member id")
	}
	if _, err := callbackline.LoadZone(z.Name); err != nil {
		return err
	}
	if z.UpdatedAt.IsZero() {
		z.UpdatedAt = time.Now()
	}
	z.UpdatedAt = callbackline.StoredTime(z.UpdatedAt)
	// Only for an installed portal: the INSERT … SELECT finds no row else.
	n, err := s.execAudited(ctx, z.Audit, z.MemberID, callbackline.AuditTimeZone, `INSERT INTO time_zones (member_id, name, updated_at, updated_by)
		SELECT member_id, ?, ?, ? FROM portals WHERE member_id = ?
		ON CONFLICT (member_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`,
		z.Name, z.UpdatedAt, z.UpdatedBy, z.MemberID)
	return s.affected(n, err, "save time zone", z.MemberID)
}

// BlockedNumbers returns the portal's blocked numbers, or ENOTFOUND when
// it has none.
func (s *Store) BlockedNumbers(ctx context.Context, memberID string) (*callbackline.Blocked, error) {
	b := callbackline.Blocked{MemberID: memberID, Entries: []string{}}
	var entries string
	err := s.r.QueryRow(ctx, `SELECT entries, updated_at, updated_by FROM blocked_numbers WHERE member_id = ?`, memberID).
		Scan(&entries, &b.UpdatedAt, &b.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "portal %q blocked no numbers", memberID)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: blocked numbers", s.d.Name)
	}
	if entries != "" {
		b.Entries = strings.Split(entries, "\n")
	}
	return &b, nil
}

// SaveBlockedNumbers inserts or replaces the portal's blocked numbers.
func (s *Store) SaveBlockedNumbers(ctx context.Context, b *callbackline.Blocked) error {
	if b == nil || b.MemberID == "" {
		return callbackline.Errorf(callbackline.EINVALID, "blocked numbers: no member id")
	}
	for _, e := range b.Entries {
		if e == "" || strings.ContainsAny(e, "\n\r") {
			return callbackline.Errorf(callbackline.EINVALID, "blocked numbers: %q is not one entry", e)
		}
	}
	if b.UpdatedAt.IsZero() {
		b.UpdatedAt = time.Now()
	}
	b.UpdatedAt = callbackline.StoredTime(b.UpdatedAt)
	n, err := s.execAudited(ctx, b.Audit, b.MemberID, callbackline.AuditBlocked, `INSERT INTO blocked_numbers (member_id, entries, updated_at, updated_by)
		SELECT member_id, ?, ?, ? FROM portals WHERE member_id = ?
		ON CONFLICT (member_id) DO UPDATE SET entries = excluded.entries, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`,
		strings.Join(b.Entries, "\n"), b.UpdatedAt, b.UpdatedBy, b.MemberID)
	return s.affected(n, err, "save blocked numbers", b.MemberID)
}
