package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// CallbackCols are the columns ScanCallback reads, in its order.
const CallbackCols = `id, member_id, kind, phone, phone_raw, text, voice, crm_entity_type, crm_entity_id,
	line_number, call_id, user_id, state, reason, duplicates, last_duplicate_at, event_at, created_at, updated_at,
	next_at, client_attempts, employee_rounds, dial_now_by`

// ScanCallback reads CallbackCols, after the extra columns given.
func ScanCallback(r Row, extra ...any) (*callbackline.Callback, error) {
	var (
		cb          callbackline.Callback
		kind, state string
	)
	err := r.Scan(append(extra, &cb.ID, &cb.MemberID, &kind, &cb.Phone, &cb.PhoneRaw, &cb.Text, &cb.Voice,
		&cb.CRMEntityType, &cb.CRMEntityID, &cb.LineNumber, &cb.CallID, &cb.UserID, &state, &cb.Reason,
		&cb.Duplicates, &cb.LastDuplicateAt, &cb.EventAt, &cb.CreatedAt, &cb.UpdatedAt, &cb.NextAt,
		&cb.ClientAttempts, &cb.EmployeeRounds, &cb.DialNowBy)...)
	if err != nil {
		return nil, err
	}
	cb.Kind, cb.State = callbackline.Kind(kind), callbackline.State(state)
	return &cb, nil
}

// Callback returns one callback, or an ENOTFOUND error.
func (s *Store) Callback(ctx context.Context, id int64) (*callbackline.Callback, error) {
	cb, err := ScanCallback(s.r.QueryRow(ctx, `SELECT `+CallbackCols+` FROM callbacks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "callback %d not found", id)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "%s: callback %d", s.d.Name, id)
	}
	return cb, nil
}

// Callbacks lists callbacks, newest (highest id) first.
func (s *Store) Callbacks(ctx context.Context, f callbackline.CallbackFilter) ([]*callbackline.Callback, error) {
	var (
		where []string
		args  []any
	)
	if f.MemberID != "" {
		where, args = append(where, "member_id = ?"), append(args, f.MemberID)
	}
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, string(f.State))
	}
	if f.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT ` + CallbackCols + ` FROM callbacks`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	list, err := collect(ctx, s.r, func(r Row) (*callbackline.Callback, error) { return ScanCallback(r) }, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "list callbacks")
	}
	if list == nil {
		list = []*callbackline.Callback{}
	}
	return list, nil
}

// CallbackCounts counts callbacks by state; every known state is present,
// zero when it has none.
func (s *Store) CallbackCounts(ctx context.Context) (map[callbackline.State]int, error) {
	counts := make(map[callbackline.State]int, 11)
	for _, st := range callbackline.States() {
		counts[st] = 0
	}
	_, err := collect(ctx, s.r, func(r Row) (n int, err error) {
		var st string
		err = r.Scan(&st, &n)
		counts[callbackline.State(st)] = n
		return n, err
	}, `SELECT state, count(*) FROM callbacks GROUP BY state`)
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "count callbacks")
	}
	return counts, nil
}

// now is the current time as stores keep it.
func now() time.Time { return callbackline.StoredTime(time.Now()) }

var _ callbackline.WorkStore = (*Store)(nil)

// Advance saves the callback's work fields (State, Reason, NextAt,
// ClientAttempts, EmployeeRounds, DialNowBy, UpdatedAt) and appends a
// history entry at UpdatedAt (now when zero; cb.UpdatedAt is set to what
// was stored), in one transaction; under a lease (callbackline.WithLease)
// only while the lease owns the callback, else ErrFenced. A callback an
// administrator cancelled is not written (ErrCancelled). ENOTFOUND when
// the callback, or the attempt attemptID (when not 0), is not there.
func (s *Store) Advance(ctx context.Context, cb *callbackline.Callback, attemptID int64, note callbackline.Note) error {
	if cb == nil || !cb.State.Valid() {
		return callbackline.Errorf(callbackline.EINVALID, "advance: a callback with a known state is needed")
	}
	if cb.ClientAttempts < 0 || cb.EmployeeRounds < 0 {
		return callbackline.Errorf(callbackline.EINVALID, "advance: negative attempt counts")
	}
	at := callbackline.StoredTime(cb.UpdatedAt)
	if at.IsZero() {
		at = now()
	}
	var attempt any
	if attemptID != 0 {
		attempt = attemptID
	}
	err := s.w.Tx(ctx, func(tx DB) error {
		if err := s.fence(ctx, tx, cb.ID); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `UPDATE callbacks SET state = ?, reason = ?, next_at = ?,
			client_attempts = ?, employee_rounds = ?, dial_now_by = ?, updated_at = ? WHERE id = ?
			AND NOT (state = 'failed' AND reason LIKE 'cancelled:%')`,
			string(cb.State), callbackline.CleanText(cb.Reason), cb.NextAt, cb.ClientAttempts, cb.EmployeeRounds,
			callbackline.CleanText(cb.DialNowBy), at, cb.ID)
		if err == nil && n == 0 {
			return s.notAdvanced(ctx, tx, cb.ID)
		}
		if err != nil {
			return err
		}
		err = insertHistory(ctx, tx, cb.ID, attempt, at, cb.State, note)
		if errors.Is(err, ErrForeignKey) {
			return callbackline.Errorf(callbackline.ENOTFOUND, "advance: attempt %d not found", attemptID)
		}
		return err
	})
	if err != nil {
		return s.wrap(err, callbackline.EINTERNAL, "advance callback %d", cb.ID)
	}
	cb.UpdatedAt, cb.NextAt = at, callbackline.StoredTime(cb.NextAt)
	return nil
}

// History lists a callback's entries, oldest first; none for an unknown
// callback.
func (s *Store) History(ctx context.Context, callbackID int64) ([]callbackline.HistoryEntry, error) {
	list, err := collect(ctx, s.r, func(r Row) (h callbackline.HistoryEntry, err error) {
		var state string
		var args string
		err = r.Scan(&h.ID, &h.CallbackID, &h.AttemptID, &h.At, &state, &h.Note, &h.Said.Code, &args)
		h.State = callbackline.State(state)
		if err == nil && h.Said.Code != "" && args != "" {
			if jerr := json.Unmarshal([]byte(args), &h.Said.Args); jerr != nil {
				h.Said = callbackline.Note{} // said as its stored English
			}
		}
		return h, err
	}, `SELECT id, callback_id, coalesce(attempt_id, 0), at, state, note, note_code, note_args FROM history WHERE callback_id = ? ORDER BY id`,
		callbackID)
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "history of callback %d", callbackID)
	}
	return list, nil
}

// insertHistory appends a history entry: its note's English, and its
// code with its arguments (JSON) when it has a code.
func insertHistory(ctx context.Context, tx DB, id int64, attempt any, at time.Time, st callbackline.State, note callbackline.Note) error {
	var args []byte
	if note.Code != "" && len(note.Args) > 0 {
		var err error
		if args, err = json.Marshal(note.Args); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO history (callback_id, attempt_id, at, state, note, note_code, note_args) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, attempt, at, string(st), callbackline.CleanText(note.English()), note.Code, callbackline.CleanText(string(args)))
	return err
}

const attemptCols = `callback_id, number, external_call_id, call_id, user_id, extension, client_dialled, connected,
	status_code, reason, duration, finished_at, record_path, record_file_id, started_at, updated_at, dialer`

// SaveAttempt inserts a (ID 0: a.ID is set) or updates it; its PlacedAt
// is PlaceAttempt's alone. Under a lease (callbackline.WithLease) the
// write is made only while the lease owns the callback, else ErrFenced. Times are stored at microsecond precision; a's
// are rounded to that. ENOTFOUND for an unknown ID or callback, ECONFLICT
// when another attempt has the same ExternalCallID or the same Number in
// the callback.
func (s *Store) SaveAttempt(ctx context.Context, a *callbackline.Attempt) error {
	if a == nil || a.CallbackID == 0 || a.Number <= 0 {
		return callbackline.Errorf(callbackline.EINVALID, "save attempt: a callback id and a number from 1 are needed")
	}
	if _, ok := callbackline.LeaseFrom(ctx); !ok {
		return s.wrap(s.saveAttempt(ctx, s.w, a), callbackline.EINTERNAL, "save attempt %d of callback %d", a.Number, a.CallbackID)
	}
	inserted := a.ID == 0
	err := s.w.Tx(ctx, func(tx DB) error {
		if err := s.fence(ctx, tx, a.CallbackID); err != nil {
			return err
		}
		return s.saveAttempt(ctx, tx, a)
	})
	if err != nil && inserted { // rolled back: the attempt is not stored
		a.ID = 0
	}
	return s.wrap(err, callbackline.EINTERNAL, "save attempt %d of callback %d", a.Number, a.CallbackID)
}

// saveAttempt is SaveAttempt on db (the pool or a transaction).
func (s *Store) saveAttempt(ctx context.Context, db DB, a *callbackline.Attempt) error {
	for _, f := range []*string{&a.ExternalCallID, &a.CallID, &a.Extension, &a.StatusCode, &a.Reason, &a.RecordPath} {
		*f = callbackline.CleanText(*f)
	}
	a.FinishedAt, a.StartedAt, a.UpdatedAt = callbackline.StoredTime(a.FinishedAt), callbackline.StoredTime(a.StartedAt), callbackline.StoredTime(a.UpdatedAt)
	args := []any{a.CallbackID, a.Number, a.ExternalCallID, a.CallID, a.UserID, a.Extension, a.ClientDialled, a.Connected,
		a.StatusCode, a.Reason, a.Duration, a.FinishedAt, a.RecordPath, a.RecordFileID, a.StartedAt, a.UpdatedAt, string(a.Dialer)}
	var err error
	if a.ID == 0 {
		err = db.QueryRow(ctx, `INSERT INTO attempts (`+attemptCols+`)
			VALUES (?, ?, nullif(?, ''), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&a.ID)
	} else {
		var n int64
		n, err = db.Exec(ctx, `UPDATE attempts SET callback_id = ?, number = ?, external_call_id = nullif(?, ''),
			call_id = ?, user_id = ?, extension = ?, client_dialled = ?, connected = ?, status_code = ?, reason = ?,
			duration = ?, finished_at = ?, record_path = ?, record_file_id = ?, started_at = ?, updated_at = ?, dialer = ?
			WHERE id = ?`, append(args, a.ID)...)
		if err == nil && n == 0 {
			return callbackline.Errorf(callbackline.ENOTFOUND, "save attempt: attempt %d not found", a.ID)
		}
	}
	switch {
	case errors.Is(err, ErrForeignKey):
		return callbackline.Errorf(callbackline.ENOTFOUND, "save attempt: callback %d not found", a.CallbackID)
	case errors.Is(err, ErrUnique):
		return callbackline.Errorf(callbackline.ECONFLICT,
			"save attempt: attempt %d of callback %d or EXTERNAL_CALL_ID %q is already stored",
			a.Number, a.CallbackID, a.ExternalCallID)
	}
	return err
}

// Attempts lists a callback's attempts by Number; none for an unknown
// callback.
func (s *Store) Attempts(ctx context.Context, callbackID int64) ([]*callbackline.Attempt, error) {
	list, err := collect(ctx, s.r, func(r Row) (*callbackline.Attempt, error) {
		var a callbackline.Attempt
		var dialer string
		err := r.Scan(&a.ID, &a.CallbackID, &a.Number, &a.ExternalCallID, &a.CallID, &a.UserID, &a.Extension,
			&a.ClientDialled, &a.Connected, &a.StatusCode, &a.Reason, &a.Duration, &a.FinishedAt, &a.RecordPath,
			&a.RecordFileID, &a.StartedAt, &a.UpdatedAt, &dialer, &a.PlacedAt)
		a.Dialer = callbackline.Dialer(dialer)
		return &a, err
	}, `SELECT id, `+attemptColsRead+`, placed_at FROM attempts WHERE callback_id = ? ORDER BY number`, callbackID)
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "attempts of callback %d", callbackID)
	}
	return list, nil
}

// attemptColsRead are attemptCols with a NULL external_call_id read as "".
var attemptColsRead = `callback_id, number, coalesce(external_call_id, ''),` + attemptCols[len("callback_id, number, external_call_id,"):]
