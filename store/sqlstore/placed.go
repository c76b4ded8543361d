package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/callbackline/callbackline"
)

// EndPlaced stores the outcome of a call the portal's callback placed
// through Bitrix24's telephony and returns its callback's id; ENOTFOUND
// (nothing stored) for any other CALL_ID, or when the outcome is stored
// already.
func (s *Store) EndPlaced(ctx context.Context, memberID, callID string, end callbackline.PlacedEnd) (int64, error) {
	if callID == "" {
		return 0, callbackline.Errorf(callbackline.ENOTFOUND, "no CALL_ID")
	}
	at := callbackline.StoredTime(end.At)
	if at.IsZero() {
		at = now()
	}
	var id int64
	err := s.w.QueryRow(ctx, `UPDATE attempts SET status_code = ?, duration = ?, reason = ?, connected = ?,
		finished_at = ?, updated_at = ?
		WHERE dialer = ? AND call_id = ? AND finished_at IS NULL
		AND callback_id IN (SELECT id FROM callbacks WHERE member_id = ?)
		RETURNING callback_id`,
		callbackline.CleanText(end.Code), max(end.Duration, 0), callbackline.CleanText(end.Reason), end.Code == "200",
		at, at, string(callbackline.DialerBitrix24), callID, memberID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, callbackline.Errorf(callbackline.ENOTFOUND, "no call %s placed through Bitrix24 is waiting for its outcome", callID)
	}
	if err != nil {
		return 0, s.wrap(err, callbackline.EINTERNAL, "storing the outcome of a call placed through Bitrix24")
	}
	return id, nil
}

// FoldRefired folds a request into the portal's callback for the same
// number that is handing (StatePlaced), or handed since since, a call to
// Bitrix24's telephony; ENOTFOUND when there is none.
//
// Every callback request asks this, and almost none finds one: the
// question is first asked of the read pool, outside any transaction (on
// SQLite the write connection is the group committer's), and only a
// match is folded in a write transaction that asks again.
func (s *Store) FoldRefired(ctx context.Context, memberID, phone string, since, at time.Time) (*callbackline.Callback, error) {
	if phone == "" {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "no number")
	}
	if _, _, err := refiredInto(ctx, s.r, memberID, phone, since); err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "looking for a callback that handed the number to Bitrix24")
	}
	at = callbackline.StoredTime(at)
	var cb *callbackline.Callback
	err := s.w.Tx(ctx, func(tx DB) error {
		id, state, err := refiredInto(ctx, tx, memberID, phone, since)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE callbacks SET duplicates = duplicates + 1, last_duplicate_at = ? WHERE id = ?`, at, id); err != nil {
			return err
		}
		if err := insertHistory(ctx, tx, id, nil, at, callbackline.State(state), callbackline.NewNote("folded")); err != nil {
			return err
		}
		cb, err = ScanCallback(tx.QueryRow(ctx, `SELECT `+CallbackCols+` FROM callbacks WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "folding a re-fired request")
	}
	return cb, nil
}

// refiredQuery finds the callback FoldRefired folds into. The order is by
// c.id + 0 so that the planner looks the number up in
// callbacks_phone_state instead of walking the portal's callbacks newest
// first (SQLite did, for every request: the intake slowed down as a
// portal's callbacks grew). The kind, state and dialer are constants of
// the code, written into the query: a bound value compared with an
// indexed column makes SQLite plan the query again at every run.
var refiredQuery = `SELECT c.id, c.state FROM callbacks c WHERE c.member_id = ? AND c.phone = ?
	AND c.kind = '` + string(callbackline.KindCallback) + `'
	AND (c.state = '` + string(callbackline.StatePlaced) + `' OR EXISTS (SELECT 1 FROM attempts a
		WHERE a.callback_id = c.id AND a.dialer = '` + string(callbackline.DialerBitrix24) + `' AND a.started_at >= ?))
	ORDER BY c.id + 0 DESC LIMIT 1`

// refiredInto finds the callback FoldRefired folds into (ENOTFOUND: none).
func refiredInto(ctx context.Context, db DB, memberID, phone string, since time.Time) (id int64, state string, err error) {
	err = db.QueryRow(ctx, refiredQuery, memberID, phone, callbackline.StoredTime(since)).Scan(&id, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", callbackline.Errorf(callbackline.ENOTFOUND, "no callback of this number handed a call to Bitrix24")
	}
	return id, state, err
}
