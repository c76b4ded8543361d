package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

const trunkCols = `member_id, registrar, proxy, username, password, caller_ids, transport, register, updated_at, updated_by`

// scanTrunk reads trunkCols and opens the password for the row's
// member_id: one sealed for another portal fails (secret.ErrOpen).
func (s *Store) scanTrunk(r Row) (*callbackline.PortalTrunk, error) {
	var t callbackline.PortalTrunk
	var ids string
	if err := r.Scan(&t.MemberID, &t.Registrar, &t.Proxy, &t.Username, &t.Password, &ids, &t.Transport, &t.Register,
		&t.UpdatedAt, &t.UpdatedBy); err != nil {
		return nil, err
	}
	if ids != "" {
		t.CallerIDs = strings.Split(ids, ",")
	}
	pw, err := s.opts.Secrets.Open(t.MemberID, t.Password)
	if err != nil {
		return nil, err
	}
	t.Password = pw
	return &t, nil
}

// PortalTrunk returns the portal's own SIP account, ENOTFOUND when it has
// none.
func (s *Store) PortalTrunk(ctx context.Context, memberID string) (*callbackline.PortalTrunk, error) {
	t, err := s.scanTrunk(s.r.QueryRow(ctx, `SELECT `+trunkCols+` FROM portal_trunks WHERE member_id = ?`, memberID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "portal %q has no SIP account of its own", memberID)
	}
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "portal trunk")
	}
	return t, nil
}

// PortalTrunks returns every portal's own SIP account.
func (s *Store) PortalTrunks(ctx context.Context) ([]*callbackline.PortalTrunk, error) {
	list, err := collect(ctx, s.r, s.scanTrunk, `SELECT `+trunkCols+` FROM portal_trunks ORDER BY member_id`)
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "portal trunks")
	}
	return list, nil
}

// SavePortalTrunk inserts or replaces the portal's own SIP account, its
// password sealed for the portal. Without an encryption key it stores
// nothing: a password is never kept in the clear.
func (s *Store) SavePortalTrunk(ctx context.Context, t *callbackline.PortalTrunk) error {
	switch {
	case t == nil || t.MemberID == "":
		return callbackline.Errorf(callbackline.EINVALID, "portal trunk: no member id")
	case s.opts.Secrets == nil:
		return callbackline.Errorf(callbackline.EINVALID, "a portal's SIP password is stored only encrypted: the operator sets encryption_key first")
	case strings.ContainsRune(strings.Join(t.CallerIDs, ""), ','):
		return callbackline.Errorf(callbackline.EINVALID, "portal trunk: a caller ID holds a comma")
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = time.Now()
	}
	t.UpdatedAt = callbackline.StoredTime(t.UpdatedAt)
	// Only for an installed portal: the INSERT … SELECT finds no row else.
	n, err := s.execAudited(ctx, t.Audit, t.MemberID, callbackline.AuditTrunk, `INSERT INTO portal_trunks (`+trunkCols+`)
		SELECT member_id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM portals WHERE member_id = ?
		ON CONFLICT (member_id) DO UPDATE SET registrar = excluded.registrar, proxy = excluded.proxy,
			username = excluded.username, password = excluded.password, caller_ids = excluded.caller_ids,
			transport = excluded.transport, register = excluded.register, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`,
		callbackline.CleanText(t.Registrar), callbackline.CleanText(t.Proxy), callbackline.CleanText(t.Username),
		s.opts.Secrets.Seal(t.MemberID, t.Password), callbackline.CleanText(strings.Join(t.CallerIDs, ",")),
		callbackline.CleanText(t.Transport), t.Register, t.UpdatedAt, t.UpdatedBy, t.MemberID)
	return s.affected(n, err, "save portal trunk", t.MemberID)
}

// DeletePortalTrunk removes the portal's own SIP account; none is no
// error. When it removed one and audit is set, audit goes to the
// portal's audit log in the same transaction.
func (s *Store) DeletePortalTrunk(ctx context.Context, memberID string, audit *callbackline.Change) error {
	_, err := s.execAudited(ctx, audit, memberID, callbackline.AuditTrunk, `DELETE FROM portal_trunks WHERE member_id = ?`, memberID)
	return s.wrap(err, callbackline.EINTERNAL, "delete portal trunk")
}
