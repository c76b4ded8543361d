package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/store/sqlstore"
)

// intakeTx runs the calls in one write transaction (BEGIN IMMEDIATE: the
// write lock is taken before the first read), each with the prepared
// statements of the rule (sqlstore.Rule): fold into a duplicate, else
// count the recent callbacks and insert; then InsertManyFastTx queues
// the jobs (without RETURNING: they are not read back, and a new
// callback's job is never a duplicate) and COMMIT.
func (s *Store) intakeTx(calls []*sqlstore.Call) ([]sqlstore.Outcome, error) {
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: begin")
	}
	defer tx.Rollback() // after Commit, a no-op
	var st intakeStmts  // bound to tx, closed with it
	for i, p := range s.stmts {
		st[i] = tx.StmtContext(ctx, p)
	}
	outs := make([]sqlstore.Outcome, len(calls))
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i, c := range calls {
		if c.Fail {
			return nil, errors.New("intake: injected failure")
		}
		outs[i].Res, outs[i].Err = intakeOne(ctx, &st, c, now)
		if outs[i].Err != nil && callbackline.ErrorCode(outs[i].Err) != callbackline.ENOTFOUND {
			return nil, callbackline.WrapError(outs[i].Err, callbackline.EINTERNAL, "intake")
		}
	}
	if jobs := sqlstore.Jobs(outs); len(jobs) > 0 {
		if _, err := s.client.InsertManyFastTx(ctx, tx, jobs); err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "intake: queue jobs")
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: commit")
	}
	return outs, nil
}

// intakeOne handles one request inside the batch transaction. An
// ENOTFOUND error (the portal is not installed) fails the request alone:
// its statement failed, the transaction goes on.
func intakeOne(ctx context.Context, st *intakeStmts, c *sqlstore.Call, now time.Time) (callbackline.IntakeResult, error) {
	cb, r := c.CB, c.Rule()
	if !r.DedupAfter.IsZero() {
		prev, err := sqlstore.ScanCallback(dialect.Row(st[dedup].QueryRowContext(ctx, cb.CreatedAt.UnixMicro(), now.UnixMicro(),
			cb.MemberID, cb.DedupNumber(), cb.CRMEntityType, cb.CRMEntityID, r.DedupAfter.UnixMicro())))
		if err == nil {
			return callbackline.IntakeResult{Callback: prev, Duplicate: true}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return callbackline.IntakeResult{}, err
		}
	}
	if r.NumberLimit > 0 || r.PortalLimit > 0 {
		var nNum, nPortal int
		err := st[countRecent].QueryRowContext(ctx, cb.MemberID, cb.Phone, r.Since.UnixMicro(),
			r.NumberLimit, r.PortalLimit).Scan(&nNum, &nPortal)
		if err != nil {
			return callbackline.IntakeResult{}, err
		}
		r.Reject(&cb, nNum, nPortal)
	}
	cb.UpdatedAt = now
	err := st[insert].QueryRowContext(ctx, dialect.Encode([]any{cb.MemberID, string(cb.Kind), cb.Phone, cb.PhoneRaw,
		cb.DedupNumber(), cb.Text, cb.Voice, cb.CRMEntityType, cb.CRMEntityID, cb.LineNumber, cb.CallID, cb.UserID,
		string(cb.State), cb.Reason, cb.EventAt, cb.CreatedAt, now})...).Scan(&cb.ID)
	if errors.Is(driverError(err), sqlstore.ErrForeignKey) {
		return callbackline.IntakeResult{}, callbackline.Errorf(callbackline.ENOTFOUND,
			"intake: portal %q is not installed", cb.MemberID)
	}
	if err != nil {
		return callbackline.IntakeResult{}, err
	}
	return callbackline.IntakeResult{Callback: &cb, Queued: cb.NeedsJob()}, nil
}

const (
	sqlDedup = `UPDATE callbacks
	SET duplicates = duplicates + 1, last_duplicate_at = max(coalesce(last_duplicate_at, 0), ?1), updated_at = ?2
	WHERE id = (SELECT id FROM callbacks INDEXED BY callbacks_number
		WHERE member_id = ?3 AND number_key = ?4 AND created_at > ?7 AND crm_entity_type = ?5 AND crm_entity_id = ?6
		ORDER BY created_at DESC LIMIT 1)
	RETURNING ` + sqlstore.CallbackCols
	// sqlCountRecent counts the portal's callback requests (not
	// click-to-call) in the last hour for the number, and its accepted (not
	// rejected) ones, each only up to its limit (LIMIT 0: none).
	sqlCountRecent = `SELECT
		(SELECT count(*) FROM (SELECT 1 FROM callbacks INDEXED BY callbacks_number
			WHERE member_id = ?1 AND number_key = ?2 AND created_at > ?3 AND kind = 'callback' LIMIT ?4)),
		(SELECT count(*) FROM (SELECT 1 FROM callbacks INDEXED BY callbacks_accepted
			WHERE member_id = ?1 AND created_at > ?3 AND state <> 'rejected' AND kind = 'callback' LIMIT ?5))`
	sqlInsert = `INSERT INTO callbacks (member_id, kind, phone, phone_raw, number_key, text, voice,
		crm_entity_type, crm_entity_id, line_number, call_id, user_id, state, reason, event_at, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
)

// The intake's statements, prepared once on the write connection, in the
// order of intakeSQL. A transaction's statements made from them
// (Tx.StmtContext) close with it.
const (
	dedup = iota
	countRecent
	insert
)

var intakeSQL = [...]string{sqlDedup, sqlCountRecent, sqlInsert}

type intakeStmts [len(intakeSQL)]*sql.Stmt

func prepareIntake(ctx context.Context, db *sql.DB) (*intakeStmts, error) {
	st := &intakeStmts{}
	for i, q := range intakeSQL {
		var err error
		if st[i], err = db.PrepareContext(ctx, q); err != nil {
			st.close()
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: prepare intake")
		}
	}
	return st, nil
}

func (st *intakeStmts) close() {
	if st == nil {
		return
	}
	for _, s := range st {
		if s != nil {
			s.Close()
		}
	}
}

// dialect is SQLite's: "?" placeholders, times as microseconds since the
// epoch.
var dialect = &sqlstore.Dialect{Name: "sqlite", Micros: true, Prepare: true, Errors: driverError, RecoverJobs: sqlRecoverJobs,
	Now: sqlNow, Ago: "(" + sqlNow + " - ?)",
	DeleteJobs: `DELETE FROM river_job WHERE kind = 'callback' AND state <> 'running'
		AND args ->> '$.callback_id' IN (SELECT id FROM callbacks WHERE member_id = ?)`,
	DueJobs: `UPDATE river_job SET state = 'available', scheduled_at = strftime('%Y-%m-%d %H:%M:%f', 'now')
		WHERE kind = 'callback' AND state IN ('available', 'scheduled', 'retryable') AND args ->> '$.callback_id' = ?`,
	RunningJobs: `SELECT count(*) FROM river_job WHERE kind = 'callback' AND state = 'running' AND args ->> '$.callback_id' = ?`,
	CancelJobs: `UPDATE river_job SET state = 'cancelled', finalized_at = strftime('%Y-%m-%d %H:%M:%f', 'now')
		WHERE kind = 'callback' AND state IN ('available', 'scheduled', 'retryable', 'pending') AND args ->> '$.callback_id' = ?`}

// sqlNow is the clock's time in microseconds since the epoch (as SQLite
// keeps times here; julianday has millisecond precision).
const sqlNow = `CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)`

// driverError marks SQLite's constraint errors for the core.
func driverError(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %w", sqlstore.ErrForeignKey, err)
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", sqlstore.ErrUnique, err)
		}
	}
	return err
}

// sqlRecoverJobs makes the running jobs whose last attempt was by ?1
// available now. attempted_by is a JSON(B) array of client ids; the
// attempt count stays, so MaxAttempts still bounds the retries. Times are
// in River's SQLite format ("2006-01-02 15:04:05.000" in UTC), which its
// queries compare as text.
const sqlRecoverJobs = `UPDATE river_job
SET state = 'available', scheduled_at = strftime('%Y-%m-%d %H:%M:%f', 'now'),
	metadata = CASE WHEN typeof(metadata) = 'text' AND NOT json_valid(metadata) THEN metadata
		ELSE jsonb_set(coalesce(metadata, jsonb('{}')), '$."callbackline:recovered_from"', ?1) END
WHERE state = 'running'
	AND attempted_by IS NOT NULL
	AND NOT (typeof(attempted_by) = 'text' AND NOT json_valid(attempted_by))
	AND json_extract(attempted_by, '$[#-1]') = ?1`
