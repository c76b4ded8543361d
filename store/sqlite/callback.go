package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/callbackline/callbackline"
)

const callbackCols = `id, member_id, kind, phone, phone_raw, text, voice, crm_entity_type, crm_entity_id,
	line_number, call_id, user_id, state, reason, duplicates, last_duplicate_at, event_at, created_at, updated_at,
	next_at, client_attempts, employee_rounds`

// Intake stores the request, de-duplicated and rate-limited, and queues its
// CallbackJob in the same transaction (see callbackline.IntakeRequest).
//
// Group commit: Intake hands the request to the store's committer
// goroutine, which takes every request waiting at that moment (up to
// Options.MaxBatch) into one write transaction, handles them in arrival
// order (so a request sees the ones before it in the same batch, for
// de-duplication and limits), inserts all their jobs with one
// InsertManyTx and commits. Intake returns after that COMMIT. When the
// batch fails as a whole, its requests are retried one transaction each,
// so one bad request fails only itself.
//
// When ctx ends while the request waits for its batch, Intake returns an
// EUNAVAILABLE error wrapping ctx.Err(): the request may still be stored.
func (s *Store) Intake(ctx context.Context, req callbackline.IntakeRequest) (callbackline.IntakeResult, error) {
	cb, err := req.NewCallback()
	if err != nil {
		return callbackline.IntakeResult{}, err
	}
	call := &intakeCall{ctx: ctx, req: req, cb: cb, done: make(chan intakeOutcome, 1)}
	if err := s.submit(ctx, call); err != nil {
		return callbackline.IntakeResult{}, err
	}
	select {
	case o := <-call.done:
		return o.res, o.err
	case <-ctx.Done():
		return callbackline.IntakeResult{}, callbackline.WrapError(ctx.Err(), callbackline.EUNAVAILABLE,
			"intake: gave up waiting for the commit; the request may be stored")
	}
}

type intakeCall struct {
	ctx  context.Context
	req  callbackline.IntakeRequest
	cb   callbackline.Callback
	done chan intakeOutcome // buffered: the committer never blocks on it
}

type intakeOutcome struct {
	res callbackline.IntakeResult
	err error
}

// submit hands the call to the committer.
func (s *Store) submit(ctx context.Context, call *intakeCall) error {
	s.submitMu.RLock()
	defer s.submitMu.RUnlock()
	if s.closed {
		return callbackline.Errorf(callbackline.EUNAVAILABLE, "intake: the store is closed")
	}
	select {
	case s.intake <- call:
		return nil
	case <-ctx.Done():
		return callbackline.WrapError(ctx.Err(), callbackline.EUNAVAILABLE, "intake: not taken")
	}
}

// commitLoop is the committer goroutine: it runs until Close, then
// commits what was already submitted and stops.
func (s *Store) commitLoop() {
	defer close(s.done)
	batch := make([]*intakeCall, 0, s.opts.MaxBatch)
	for {
		select {
		case c := <-s.intake:
			batch = append(batch[:0], c)
		case <-s.closing:
			// Close holds no more senders: what is in the channel is all.
			for {
				batch = batch[:0]
			drain:
				for len(batch) < s.opts.MaxBatch {
					select {
					case c := <-s.intake:
						batch = append(batch, c)
					default:
						break drain
					}
				}
				if len(batch) == 0 {
					return
				}
				s.commitBatch(batch)
			}
		}
	fill:
		for len(batch) < s.opts.MaxBatch {
			select {
			case c := <-s.intake:
				batch = append(batch, c)
			default:
				break fill
			}
		}
		s.commitBatch(batch)
		clear(batch)
	}
}

// commitBatch commits the calls in one transaction, or each in its own
// when the shared one fails, and answers every caller.
func (s *Store) commitBatch(batch []*intakeCall) {
	live := make([]*intakeCall, 0, len(batch))
	for _, c := range batch {
		if err := c.ctx.Err(); err != nil {
			c.done <- intakeOutcome{err: callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: not taken")}
			continue
		}
		live = append(live, c)
	}
	if len(live) == 0 {
		return
	}
	if testBatchStart != nil {
		testBatchStart(len(live))
	}
	outs, err := s.intakeTx(live)
	if err == nil {
		for i, c := range live {
			c.done <- outs[i]
		}
		return
	}
	if len(live) == 1 {
		live[0].done <- intakeOutcome{err: err}
		return
	}
	s.opts.Logger.Warn("intake batch failed; retrying its requests one by one",
		slog.Int("requests", len(live)), slog.String("err", err.Error()))
	for _, c := range live {
		outs, err := s.intakeTx([]*intakeCall{c})
		if err != nil {
			c.done <- intakeOutcome{err: err}
		} else {
			c.done <- outs[0]
		}
	}
}

// testFailIntake, set by tests only, makes the matching requests fail as
// an SQL error would: the whole batch fails.
var testFailIntake func(*callbackline.Callback) bool

// testBatchStart, set by tests only, is told the size of every batch
// before its transaction begins.
var testBatchStart func(n int)

// memberError fails one request of a batch, not the batch.
type memberError struct{ err error }

func (e memberError) Error() string { return e.err.Error() }

// intakeTx runs the calls in one write transaction.
func (s *Store) intakeTx(calls []*intakeCall) (outs []intakeOutcome, err error) {
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: begin")
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	st := s.stmts.in(ctx, tx)
	defer st.close()
	outs = make([]intakeOutcome, len(calls))
	var jobs []river.InsertManyParams
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i, c := range calls {
		res, err := intakeOne(ctx, st, c, now)
		var me memberError
		if errors.As(err, &me) {
			outs[i].err = me.err
			continue
		}
		if err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "intake")
		}
		outs[i].res = res
		if res.Queued {
			jobs = append(jobs, river.InsertManyParams{Args: callbackline.CallbackJob{CallbackID: res.Callback.ID}})
		}
	}
	if len(jobs) > 0 {
		if _, err := s.client.InsertManyTx(ctx, tx, jobs); err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "intake: queue jobs")
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: commit")
	}
	return outs, nil
}

// intakeOne handles one request inside the batch transaction.
func intakeOne(ctx context.Context, st *txStmts, c *intakeCall, now time.Time) (callbackline.IntakeResult, error) {
	cb := c.cb
	if testFailIntake != nil && testFailIntake(&cb) {
		return callbackline.IntakeResult{}, errors.New("injected failure")
	}
	created := cb.CreatedAt.UnixMicro()
	if w := c.req.DedupWindow; w > 0 {
		prev, err := scanCallback(st.dedup.QueryRowContext(ctx, created, now.UnixMicro(),
			cb.MemberID, cb.DedupNumber(), cb.CRMEntityType, cb.CRMEntityID, cb.CreatedAt.Add(-w).UnixMicro()))
		if err == nil {
			return callbackline.IntakeResult{Callback: prev, Duplicate: true}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return callbackline.IntakeResult{}, err
		}
	}
	if cb.State == callbackline.StateReceived && (c.req.NumberLimit > 0 && cb.Phone != "" || c.req.PortalLimit > 0) {
		numLim, portLim := c.req.NumberLimit, c.req.PortalLimit
		if cb.Phone == "" {
			numLim = 0
		}
		var nNum, nPortal int
		err := st.countRecent.QueryRowContext(ctx, cb.MemberID, cb.Phone, cb.CreatedAt.Add(-time.Hour).UnixMicro(),
			numLim, portLim).Scan(&nNum, &nPortal)
		if err != nil {
			return callbackline.IntakeResult{}, err
		}
		switch {
		case numLim > 0 && nNum >= numLim:
			cb.State = callbackline.StateRejected
			cb.Reason = fmt.Sprintf("%s: %d or more requests for this number in the last hour", callbackline.ReasonNumberRate, numLim)
		case portLim > 0 && nPortal >= portLim:
			cb.State = callbackline.StateRejected
			cb.Reason = fmt.Sprintf("%s: %d or more requests for this portal in the last hour", callbackline.ReasonPortalRate, portLim)
		}
	}
	cb.UpdatedAt = now
	err := st.insert.QueryRowContext(ctx, cb.MemberID, string(cb.Kind), cb.Phone, cb.PhoneRaw, cb.DedupNumber(),
		cb.Text, cb.Voice, cb.CRMEntityType, cb.CRMEntityID, cb.LineNumber, cb.CallID, cb.UserID,
		string(cb.State), cb.Reason, micros(cb.EventAt), created, now.UnixMicro()).Scan(&cb.ID)
	if isForeignKeyError(err) {
		// The statement failed alone; the batch's transaction goes on.
		return callbackline.IntakeResult{}, memberError{callbackline.Errorf(callbackline.ENOTFOUND,
			"intake: portal %q is not installed", cb.MemberID)}
	}
	if err != nil {
		return callbackline.IntakeResult{}, err
	}
	return callbackline.IntakeResult{Callback: &cb, Queued: cb.NeedsJob()}, nil
}

// intakeStmts are the intake's statements, prepared once on the write
// connection.
type intakeStmts struct {
	dedup, countRecent, insert *sql.Stmt
}

const (
	sqlDedup = `UPDATE callbacks
	SET duplicates = duplicates + 1, last_duplicate_at = max(coalesce(last_duplicate_at, 0), ?1), updated_at = ?2
	WHERE id = (SELECT id FROM callbacks INDEXED BY callbacks_number
		WHERE member_id = ?3 AND number_key = ?4 AND created_at > ?7 AND crm_entity_type = ?5 AND crm_entity_id = ?6
		ORDER BY created_at DESC LIMIT 1)
	RETURNING ` + callbackCols
	// sqlCountRecent counts the portal's callbacks in the last hour for the
	// number and for the portal, each only up to its limit (LIMIT 0: none).
	sqlCountRecent = `SELECT
		(SELECT count(*) FROM (SELECT 1 FROM callbacks INDEXED BY callbacks_number
			WHERE member_id = ?1 AND number_key = ?2 AND created_at > ?3 LIMIT ?4)),
		(SELECT count(*) FROM (SELECT 1 FROM callbacks INDEXED BY callbacks_portal
			WHERE member_id = ?1 AND created_at > ?3 LIMIT ?5))`
	sqlInsert = `INSERT INTO callbacks (member_id, kind, phone, phone_raw, number_key, text, voice,
		crm_entity_type, crm_entity_id, line_number, call_id, user_id, state, reason, event_at, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
)

func prepareIntake(ctx context.Context, db *sql.DB) (*intakeStmts, error) {
	st := &intakeStmts{}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.dedup, sqlDedup}, {&st.countRecent, sqlCountRecent}, {&st.insert, sqlInsert},
	} {
		var err error
		if *p.dst, err = db.PrepareContext(ctx, p.sql); err != nil {
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
	for _, s := range []*sql.Stmt{st.dedup, st.countRecent, st.insert} {
		if s != nil {
			s.Close()
		}
	}
}

// txStmts are the intake statements bound to one transaction.
type txStmts intakeStmts

func (st *intakeStmts) in(ctx context.Context, tx *sql.Tx) *txStmts {
	return &txStmts{
		dedup:       tx.StmtContext(ctx, st.dedup),
		countRecent: tx.StmtContext(ctx, st.countRecent),
		insert:      tx.StmtContext(ctx, st.insert),
	}
}

func (st *txStmts) close() { (*intakeStmts)(st).close() }

// Callback returns one callback, or an ENOTFOUND error.
func (s *Store) Callback(ctx context.Context, id int64) (*callbackline.Callback, error) {
	cb, err := scanCallback(s.rdb.QueryRowContext(ctx, `SELECT `+callbackCols+` FROM callbacks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "callback %d not found", id)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: callback %d", id)
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
	q := `SELECT ` + callbackCols + ` FROM callbacks`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: list callbacks")
	}
	defer rows.Close()
	list := make([]*callbackline.Callback, 0, min(limit, 128))
	for rows.Next() {
		cb, err := scanCallback(rows)
		if err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: list callbacks")
		}
		list = append(list, cb)
	}
	if err := rows.Err(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: list callbacks")
	}
	return list, nil
}

// CallbackCounts counts callbacks by state; every known state is present,
// zero when it has none.
func (s *Store) CallbackCounts(ctx context.Context) (map[callbackline.State]int, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT state, count(*) FROM callbacks GROUP BY state`)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: count callbacks")
	}
	defer rows.Close()
	counts := make(map[callbackline.State]int, 11)
	for _, st := range callbackline.States() {
		counts[st] = 0
	}
	for rows.Next() {
		var (
			st string
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: count callbacks")
		}
		counts[callbackline.State(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "sqlite: count callbacks")
	}
	return counts, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanCallback(r scanner) (*callbackline.Callback, error) {
	var (
		cb               callbackline.Callback
		kind, state      string
		lastDup, event   sql.NullInt64
		created, updated int64
		next             sql.NullInt64
	)
	err := r.Scan(&cb.ID, &cb.MemberID, &kind, &cb.Phone, &cb.PhoneRaw, &cb.Text, &cb.Voice, &cb.CRMEntityType,
		&cb.CRMEntityID, &cb.LineNumber, &cb.CallID, &cb.UserID, &state, &cb.Reason, &cb.Duplicates,
		&lastDup, &event, &created, &updated, &next, &cb.ClientAttempts, &cb.EmployeeRounds)
	if err != nil {
		return nil, err
	}
	cb.Kind, cb.State = callbackline.Kind(kind), callbackline.State(state)
	cb.LastDuplicateAt, cb.EventAt = fromMicros(lastDup), fromMicros(event)
	cb.CreatedAt, cb.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	cb.NextAt = fromMicros(next)
	return &cb, nil
}

func isForeignKeyError(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// micros stores a time as microseconds since the epoch, NULL for zero.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(n sql.NullInt64) time.Time {
	if !n.Valid || n.Int64 == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}
