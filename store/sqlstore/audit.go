package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/callbackline/callbackline"
)

// execAudited runs a statement that changes the portal memberID's
// settings and, when it changed a row and audit is set, writes audit to
// the portal's audit log in the same transaction (what names the setting
// when audit.What is empty). It returns how many rows the statement
// changed.
func (s *Store) execAudited(ctx context.Context, audit *callbackline.Change, memberID, what, q string, args ...any) (int64, error) {
	if audit == nil {
		return s.w.Exec(ctx, q, args...)
	}
	var n int64
	err := s.w.Tx(ctx, func(tx DB) error {
		var err error
		if n, err = tx.Exec(ctx, q, args...); err != nil || n == 0 {
			return err
		}
		return s.insertChange(ctx, tx, audit, memberID, what)
	})
	return n, err
}

// insertChange writes one audit log entry and sets its ID, MemberID, At:
// its summary's English, and its code with its arguments (JSON) when it
// has a code.
func (s *Store) insertChange(ctx context.Context, tx DB, c *callbackline.Change, memberID, what string) error {
	c.MemberID = memberID
	if c.What == "" {
		c.What = what
	}
	c.Clean(now())
	var args []byte
	if c.Said.Code != "" && len(c.Said.Args) > 0 {
		var err error
		if args, err = json.Marshal(c.Said.Args); err != nil {
			return err
		}
	}
	return tx.QueryRow(ctx, `INSERT INTO audit_log (member_id, at, user_id, user_name, what, change, change_code, change_args)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.MemberID, c.At, c.UserID, c.UserName, c.What, c.Summary, c.Said.Code, callbackline.CleanText(string(args))).Scan(&c.ID)
}

// AuditLog returns a page of the portal's audit log, newest first.
func (s *Store) AuditLog(ctx context.Context, f callbackline.AuditFilter) ([]*callbackline.Change, error) {
	switch {
	case f.Limit < 0 || f.Limit > 1000 || f.BeforeID < 0:
		return nil, callbackline.Errorf(callbackline.EINVALID, "audit log: limit must be 0–1000 and before not negative")
	case f.Limit == 0:
		f.Limit = 50
	}
	before := f.BeforeID
	if before == 0 {
		before = 1 << 62
	}
	list, err := collect(ctx, s.r, scanChange, `SELECT id, member_id, at, user_id, user_name, what, change, change_code, change_args
		FROM audit_log WHERE member_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, f.MemberID, before, f.Limit)
	if err != nil {
		return nil, s.wrap(err, callbackline.EUNAVAILABLE, "audit log")
	}
	if list == nil {
		list = []*callbackline.Change{}
	}
	return list, nil
}

func scanChange(r Row) (*callbackline.Change, error) {
	var c callbackline.Change
	var args string
	err := r.Scan(&c.ID, &c.MemberID, &c.At, &c.UserID, &c.UserName, &c.What, &c.Summary, &c.Said.Code, &args)
	if err == nil && c.Said.Code != "" && args != "" {
		if jerr := json.Unmarshal([]byte(args), &c.Said.Args); jerr != nil {
			c.Said = callbackline.Note{} // said as its stored English
		}
	}
	return &c, err
}
