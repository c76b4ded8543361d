package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/callbackline/callbackline"
)

const noticeCols = `member_id, problem, open, failures, detail, told, pending, attempts, next_at, version, updated_at`

func scanNotice(r Row) (*callbackline.Notice, error) {
	var n callbackline.Notice
	var problem string
	err := r.Scan(&n.MemberID, &problem, &n.Open, &n.Failures, &n.Detail, &n.Told, &n.Pending, &n.Attempts, &n.NextAt,
		&n.Version, &n.UpdatedAt)
	n.Problem = callbackline.Problem(problem)
	return &n, err
}

// Notice returns the portal's notice of the problem, a zero one when none
// is stored.
func (s *Store) Notice(ctx context.Context, memberID string, p callbackline.Problem) (*callbackline.Notice, error) {
	n, err := scanNotice(s.w.QueryRow(ctx, `SELECT `+noticeCols+` FROM notices WHERE member_id = ? AND problem = ?`, memberID, string(p)))
	if errors.Is(err, sql.ErrNoRows) {
		return &callbackline.Notice{MemberID: memberID, Problem: p}, nil
	}
	if err != nil {
		return nil, s.wrap(err, callbackline.EUNAVAILABLE, "notice")
	}
	return n, nil
}

// SaveNotice stores n when its Version is still the stored one.
func (s *Store) SaveNotice(ctx context.Context, n *callbackline.Notice) (bool, error) {
	if n == nil || n.MemberID == "" || !slices.Contains(callbackline.Problems(), n.Problem) {
		return false, callbackline.Errorf(callbackline.EINVALID, "notice: no member id or an unknown problem")
	}
	n.Detail = callbackline.Shorten(callbackline.CleanText(n.Detail), 300)
	n.NextAt = callbackline.StoredTime(n.NextAt)
	now := now()
	args := []any{n.Open, n.Failures, n.Detail, n.Told, n.Pending, n.Attempts, n.NextAt, n.Version + 1, now, n.MemberID, string(n.Problem)}
	var (
		k   int64
		err error
	)
	if n.Version == 0 {
		// Only for an installed portal: the INSERT … SELECT finds no row
		// else; a row stored meanwhile is left alone.
		k, err = s.w.Exec(ctx, `INSERT INTO notices (open, failures, detail, told, pending, attempts, next_at, version, updated_at, member_id, problem)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, member_id, ? FROM portals WHERE member_id = ?
			ON CONFLICT (member_id, problem) DO NOTHING`, append(args[:9:9], string(n.Problem), n.MemberID)...)
		if err == nil && k == 0 {
			if _, perr := s.Portal(ctx, n.MemberID); callbackline.ErrorCode(perr) == callbackline.ENOTFOUND {
				return false, perr
			}
		}
	} else {
		k, err = s.w.Exec(ctx, `UPDATE notices SET open = ?, failures = ?, detail = ?, told = ?, pending = ?, attempts = ?,
			next_at = ?, version = ?, updated_at = ? WHERE member_id = ? AND problem = ? AND version = ?`, append(args, n.Version)...)
	}
	if err != nil {
		return false, s.wrap(err, callbackline.EUNAVAILABLE, "save notice")
	}
	if k == 0 {
		return false, nil
	}
	n.Version++
	n.UpdatedAt = now
	return true, nil
}

// DueNotices returns notices whose pending message is due at now.
func (s *Store) DueNotices(ctx context.Context, now time.Time, limit int) ([]*callbackline.Notice, error) {
	if limit <= 0 || limit > 1000 {
		return nil, callbackline.Errorf(callbackline.EINVALID, "due notices: limit must be 1–1000")
	}
	list, err := collect(ctx, s.r, scanNotice, `SELECT `+noticeCols+` FROM notices
		WHERE pending <> '' AND next_at <= ? ORDER BY next_at LIMIT ?`, now, limit)
	if err != nil {
		return nil, s.wrap(err, callbackline.EUNAVAILABLE, "due notices")
	}
	return list, nil
}
