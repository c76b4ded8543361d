package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/callbackline/callbackline"
)

var _ callbackline.WorkStore = (*Store)(nil)

// maxClientID is River's limit on a client id's length.
const maxClientID = 100

// ClientID is id as the queue client uses it (see Options.ID): ASCII
// letters, digits, '_', '-', '.' and ':' are kept, every other byte
// becomes '_', and the result is cut to 100 bytes.
func ClientID(id string) string {
	b := []byte(id)
	if len(b) > maxClientID {
		b = b[:maxClientID]
	}
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == '-', c == '.', c == ':':
		default:
			b[i] = '_'
		}
	}
	return string(b)
}

// Advance saves the callback's work fields (State, Reason, NextAt,
// ClientAttempts, EmployeeRounds, UpdatedAt) and appends a history entry
// at UpdatedAt (now when zero; cb.UpdatedAt is set to what was stored),
// in one transaction. ENOTFOUND when the callback, or the attempt
// attemptID (when not 0), is not there.
func (s *Store) Advance(ctx context.Context, cb *callbackline.Callback, attemptID int64, note string) error {
	if cb == nil || !cb.State.Valid() {
		return callbackline.Errorf(callbackline.EINVALID, "advance: a callback with a known state is needed")
	}
	if cb.ClientAttempts < 0 || cb.EmployeeRounds < 0 {
		return callbackline.Errorf(callbackline.EINVALID, "advance: negative attempt counts")
	}
	at := callbackline.StoredTime(cb.UpdatedAt)
	if at.IsZero() {
		at = callbackline.StoredTime(time.Now())
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: advance callback %d", cb.ID)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE callbacks SET state = ?, reason = ?, next_at = ?,
		client_attempts = ?, employee_rounds = ?, updated_at = ? WHERE id = ?`,
		string(cb.State), callbackline.CleanText(cb.Reason), micros(cb.NextAt), cb.ClientAttempts, cb.EmployeeRounds,
		at.UnixMicro(), cb.ID)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: advance callback %d", cb.ID)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return callbackline.Errorf(callbackline.ENOTFOUND, "advance: callback %d not found", cb.ID)
	}
	var attempt any
	if attemptID != 0 {
		attempt = attemptID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO history (callback_id, attempt_id, at, state, note) VALUES (?, ?, ?, ?, ?)`,
		cb.ID, attempt, at.UnixMicro(), string(cb.State), callbackline.CleanText(note))
	if isForeignKeyError(err) {
		return callbackline.Errorf(callbackline.ENOTFOUND, "advance: attempt %d not found", attemptID)
	}
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: advance callback %d", cb.ID)
	}
	if err := tx.Commit(); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "sqlite: advance callback %d: commit", cb.ID)
	}
	cb.UpdatedAt, cb.NextAt = at, callbackline.StoredTime(cb.NextAt)
	return nil
}

// History lists a callback's entries, oldest first; none for an unknown
// callback.
func (s *Store) History(ctx context.Context, callbackID int64) ([]callbackline.HistoryEntry, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, callback_id, coalesce(attempt_id, 0), at, state, note
		FROM history WHERE callback_id = ? ORDER BY id`, callbackID)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: history of callback %d", callbackID)
	}
	defer rows.Close()
	var list []callbackline.HistoryEntry
	for rows.Next() {
		var (
			h     callbackline.HistoryEntry
			at    int64
			state string
		)
		if err := rows.Scan(&h.ID, &h.CallbackID, &h.AttemptID, &at, &state, &h.Note); err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: history of callback %d", callbackID)
		}
		h.At, h.State = time.UnixMicro(at).UTC(), callbackline.State(state)
		list = append(list, h)
	}
	if err := rows.Err(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: history of callback %d", callbackID)
	}
	return list, nil
}

const attemptCols = `id, callback_id, number, coalesce(external_call_id, ''), call_id, user_id, extension,
	client_dialled, connected, status_code, reason, duration, finished_at, record_path, record_file_id,
	started_at, updated_at`

// SaveAttempt inserts a (ID 0: a.ID is set) or updates it. Times are
// stored at microsecond precision; a's are rounded to that. ENOTFOUND for
// an unknown ID or callback, ECONFLICT when another attempt has the same
// ExternalCallID or the same Number in the callback.
func (s *Store) SaveAttempt(ctx context.Context, a *callbackline.Attempt) error {
	if a == nil || a.CallbackID == 0 || a.Number <= 0 {
		return callbackline.Errorf(callbackline.EINVALID, "save attempt: a callback id and a number from 1 are needed")
	}
	for _, f := range []*string{&a.ExternalCallID, &a.CallID, &a.Extension, &a.StatusCode, &a.Reason, &a.RecordPath} {
		*f = callbackline.CleanText(*f)
	}
	a.FinishedAt, a.StartedAt, a.UpdatedAt = callbackline.StoredTime(a.FinishedAt), callbackline.StoredTime(a.StartedAt), callbackline.StoredTime(a.UpdatedAt)
	var ext any
	if a.ExternalCallID != "" {
		ext = a.ExternalCallID
	}
	args := []any{a.CallbackID, a.Number, ext, a.CallID, a.UserID, a.Extension, a.ClientDialled, a.Connected,
		a.StatusCode, a.Reason, a.Duration, micros(a.FinishedAt), a.RecordPath, a.RecordFileID,
		micros(a.StartedAt), micros(a.UpdatedAt)}
	var err error
	if a.ID == 0 {
		var id int64
		err = s.wdb.QueryRowContext(ctx, `INSERT INTO attempts (callback_id, number, external_call_id, call_id,
			user_id, extension, client_dialled, connected, status_code, reason, duration, finished_at, record_path,
			record_file_id, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`, args...).Scan(&id)
		if err == nil {
			a.ID = id
			return nil
		}
	} else {
		var res sql.Result
		res, err = s.wdb.ExecContext(ctx, `UPDATE attempts SET callback_id = ?, number = ?, external_call_id = ?,
			call_id = ?, user_id = ?, extension = ?, client_dialled = ?, connected = ?, status_code = ?, reason = ?,
			duration = ?, finished_at = ?, record_path = ?, record_file_id = ?, started_at = ?, updated_at = ?
			WHERE id = ?`, append(args, a.ID)...)
		if err == nil {
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return callbackline.Errorf(callbackline.ENOTFOUND, "save attempt: attempt %d not found", a.ID)
			}
			return nil
		}
	}
	return attemptError(err, a)
}

// attemptError maps a failed attempt write to a typed error.
func attemptError(err error, a *callbackline.Attempt) error {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return callbackline.Errorf(callbackline.ENOTFOUND, "save attempt: callback %d not found", a.CallbackID)
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return callbackline.Errorf(callbackline.ECONFLICT,
				"save attempt: attempt %d of callback %d or EXTERNAL_CALL_ID %q is already stored",
				a.Number, a.CallbackID, a.ExternalCallID)
		}
	}
	return callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: save attempt %d of callback %d", a.Number, a.CallbackID)
}

// Attempts lists a callback's attempts by Number; none for an unknown
// callback.
func (s *Store) Attempts(ctx context.Context, callbackID int64) ([]*callbackline.Attempt, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE callback_id = ? ORDER BY number`,
		callbackID)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: attempts of callback %d", callbackID)
	}
	defer rows.Close()
	var list []*callbackline.Attempt
	for rows.Next() {
		var (
			a                         callbackline.Attempt
			finished, started, update sql.NullInt64
		)
		err := rows.Scan(&a.ID, &a.CallbackID, &a.Number, &a.ExternalCallID, &a.CallID, &a.UserID, &a.Extension,
			&a.ClientDialled, &a.Connected, &a.StatusCode, &a.Reason, &a.Duration, &finished, &a.RecordPath,
			&a.RecordFileID, &started, &update)
		if err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: attempts of callback %d", callbackID)
		}
		a.FinishedAt, a.StartedAt, a.UpdatedAt = fromMicros(finished), fromMicros(started), fromMicros(update)
		list = append(list, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: attempts of callback %d", callbackID)
	}
	return list, nil
}

// sqlRecoverJobs makes the running jobs whose last attempt was by ?1
// available now. attempted_by is a JSON(B) array of client ids; the
// attempt count stays, so MaxAttempts still bounds the retries. Times are
// in River's SQLite format, which its queries compare as text.
const sqlRecoverJobs = `UPDATE river_job
SET state = 'available', scheduled_at = ?2,
	metadata = CASE WHEN typeof(metadata) = 'text' AND NOT json_valid(metadata) THEN metadata
		ELSE jsonb_set(coalesce(metadata, jsonb('{}')), '$."callbackline:recovered_from"', ?1) END
WHERE state = 'running'
	AND attempted_by IS NOT NULL
	AND NOT (typeof(attempted_by) = 'text' AND NOT json_valid(attempted_by))
	AND json_extract(attempted_by, '$[#-1]') = ?1`

// riverTime formats t as River's SQLite driver stores times.
func riverTime(t time.Time) string {
	return t.UTC().Round(time.Millisecond).Format("2006-01-02 15:04:05.000")
}

// RecoverJobs makes the jobs that the queue client clientID was running
// when its process died available again, to run at once, and returns how
// many. clientID is the Options.ID of the dead process (ClientID is
// applied to it). Call it at start, before StartQueue: a job of a client
// that still runs would be run twice. The jobs keep their attempt count
// and get "callbackline:recovered_from" in their metadata.
func (s *Store) RecoverJobs(ctx context.Context, clientID string) (int, error) {
	id := ClientID(clientID)
	if id == "" {
		return 0, callbackline.Errorf(callbackline.EINVALID, "recover jobs: no client id; set the store's Options.ID")
	}
	res, err := s.wdb.ExecContext(ctx, sqlRecoverJobs, id, riverTime(time.Now()))
	if err != nil {
		return 0, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: recover the jobs of client %q", id)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: recover the jobs of client %q", id)
	}
	return int(n), nil
}
