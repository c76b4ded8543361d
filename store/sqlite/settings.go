package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/callbackline/callbackline"
)

// Settings returns the portal's settings, or ENOTFOUND when it has none.
func (s *Store) Settings(ctx context.Context, memberID string) (*callbackline.Settings, error) {
	st := callbackline.Settings{MemberID: memberID}
	var upd int64
	err := s.rdb.QueryRowContext(ctx, `SELECT lines, updated_at, updated_by FROM settings WHERE member_id = ?`, memberID).
		Scan(&st.Lines, &upd, &st.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "portal %q has no settings of its own", memberID)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: settings")
	}
	st.UpdatedAt = time.UnixMicro(upd).UTC()
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
	res, err := s.wdb.ExecContext(ctx, `INSERT INTO settings (member_id, lines, updated_at, updated_by)
		SELECT member_id, ?, ?, ? FROM portals WHERE member_id = ?
		ON CONFLICT (member_id) DO UPDATE SET lines = excluded.lines, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`,
		st.Lines, st.UpdatedAt.UnixMicro(), st.UpdatedBy, st.MemberID)
	return affected(res, err, "save settings", st.MemberID)
}
