package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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

// PostgreSQL error codes the work store maps.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
)

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
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
	var attempt *int64
	if attemptID != 0 {
		attempt = &attemptID
	}
	// One statement, so one round trip and its own transaction: the
	// history row is inserted only when the update found the callback.
	var id int64
	err := s.pool.QueryRow(ctx, `WITH upd AS (
		UPDATE callbacks SET state = $1, reason = $2, next_at = $3, client_attempts = $4, employee_rounds = $5,
			updated_at = $6 WHERE id = $7 RETURNING id
	)
	INSERT INTO history (callback_id, attempt_id, at, state, note)
	SELECT id, $8, $6, $1, $9 FROM upd RETURNING id`,
		string(cb.State), callbackline.CleanText(cb.Reason), nullTime(cb.NextAt), cb.ClientAttempts, cb.EmployeeRounds,
		at, cb.ID, attempt, callbackline.CleanText(note)).Scan(&id)
	switch {
	case isNoRows(err):
		return callbackline.Errorf(callbackline.ENOTFOUND, "advance: callback %d not found", cb.ID)
	case pgCode(err) == pgForeignKeyViolation:
		return callbackline.Errorf(callbackline.ENOTFOUND, "advance: attempt %d not found", attemptID)
	case err != nil:
		return callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: advance callback %d", cb.ID)
	}
	cb.UpdatedAt, cb.NextAt = at, callbackline.StoredTime(cb.NextAt)
	return nil
}

// History lists a callback's entries, oldest first; none for an unknown
// callback.
func (s *Store) History(ctx context.Context, callbackID int64) ([]callbackline.HistoryEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, callback_id, coalesce(attempt_id, 0), at, state, note
		FROM history WHERE callback_id = $1 ORDER BY id`, callbackID)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: history of callback %d", callbackID)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (callbackline.HistoryEntry, error) {
		var (
			h     callbackline.HistoryEntry
			state string
		)
		err := r.Scan(&h.ID, &h.CallbackID, &h.AttemptID, &h.At, &state, &h.Note)
		h.At, h.State = h.At.UTC(), callbackline.State(state)
		return h, err
	})
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: history of callback %d", callbackID)
	}
	if len(list) == 0 {
		return nil, nil
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
	var ext *string
	if a.ExternalCallID != "" {
		ext = &a.ExternalCallID
	}
	args := []any{a.CallbackID, a.Number, ext, a.CallID, a.UserID, a.Extension, a.ClientDialled, a.Connected,
		a.StatusCode, a.Reason, a.Duration, nullTime(a.FinishedAt), a.RecordPath, a.RecordFileID,
		nullTime(a.StartedAt), nullTime(a.UpdatedAt)}
	var err error
	if a.ID == 0 {
		var id int64
		err = s.pool.QueryRow(ctx, `INSERT INTO attempts (callback_id, number, external_call_id, call_id,
			user_id, extension, client_dialled, connected, status_code, reason, duration, finished_at, record_path,
			record_file_id, started_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
			args...).Scan(&id)
		if err == nil {
			a.ID = id
			return nil
		}
	} else {
		var tag pgconn.CommandTag
		tag, err = s.pool.Exec(ctx, `UPDATE attempts SET callback_id = $1, number = $2, external_call_id = $3,
			call_id = $4, user_id = $5, extension = $6, client_dialled = $7, connected = $8, status_code = $9,
			reason = $10, duration = $11, finished_at = $12, record_path = $13, record_file_id = $14,
			started_at = $15, updated_at = $16 WHERE id = $17`, append(args, a.ID)...)
		if err == nil {
			if tag.RowsAffected() == 0 {
				return callbackline.Errorf(callbackline.ENOTFOUND, "save attempt: attempt %d not found", a.ID)
			}
			return nil
		}
	}
	switch pgCode(err) {
	case pgForeignKeyViolation:
		return callbackline.Errorf(callbackline.ENOTFOUND, "save attempt: callback %d not found", a.CallbackID)
	case pgUniqueViolation:
		return callbackline.Errorf(callbackline.ECONFLICT,
			"save attempt: attempt %d of callback %d or EXTERNAL_CALL_ID %q is already stored",
			a.Number, a.CallbackID, a.ExternalCallID)
	}
	return callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: save attempt %d of callback %d", a.Number, a.CallbackID)
}

// Attempts lists a callback's attempts by Number; none for an unknown
// callback.
func (s *Store) Attempts(ctx context.Context, callbackID int64) ([]*callbackline.Attempt, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+attemptCols+` FROM attempts WHERE callback_id = $1 ORDER BY number`,
		callbackID)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: attempts of callback %d", callbackID)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*callbackline.Attempt, error) {
		var (
			a                          callbackline.Attempt
			finished, started, updated *time.Time
		)
		err := r.Scan(&a.ID, &a.CallbackID, &a.Number, &a.ExternalCallID, &a.CallID, &a.UserID, &a.Extension,
			&a.ClientDialled, &a.Connected, &a.StatusCode, &a.Reason, &a.Duration, &finished, &a.RecordPath,
			&a.RecordFileID, &started, &updated)
		a.FinishedAt, a.StartedAt, a.UpdatedAt = fromNull(finished), fromNull(started), fromNull(updated)
		return &a, err
	})
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: attempts of callback %d", callbackID)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// RecoverJobs makes the jobs that the queue client clientID was running
// when its process died available again, to run at once, and returns how
// many: the jobs in state running whose last attempted_by entry is
// ClientID(clientID). clientID is the Options.ID of the dead process.
// Call it at start, before StartQueue, with this process's own stable id:
// a job of a client that still runs would be run twice. The jobs keep
// their attempt count and get "callbackline:recovered_from" in their
// metadata.
func (s *Store) RecoverJobs(ctx context.Context, clientID string) (int, error) {
	id := ClientID(clientID)
	if id == "" {
		return 0, callbackline.Errorf(callbackline.EINVALID, "recover jobs: no client id; set the store's Options.ID")
	}
	tag, err := s.pool.Exec(ctx, `UPDATE river_job
		SET state = 'available', scheduled_at = now(),
			metadata = metadata || jsonb_build_object('callbackline:recovered_from', $1::text)
		WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $1::text`, id)
	if err != nil {
		return 0, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: recover the jobs of client %q", id)
	}
	return int(tag.RowsAffected()), nil
}
