package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
)

const callbackCols = `id, member_id, kind, phone, phone_raw, text, voice, crm_entity_type, crm_entity_id,
	line_number, call_id, user_id, state, reason, duplicates, last_duplicate_at, event_at, created_at, updated_at,
	next_at, client_attempts, employee_rounds`

// batchTimeout bounds one intake transaction.
const batchTimeout = 30 * time.Second

// Intake stores the request, de-duplicated and rate-limited, and queues its
// CallbackJob in the same transaction (see callbackline.IntakeRequest).
//
// Group commit: the request goes to one of Options.Committers committer
// goroutines, which takes every request waiting at that moment (up to
// Options.MaxBatch) into one transaction: it locks the batch's portals
// (advisory locks, ascending), handles the requests in arrival order (a
// request sees the ones before it), inserts all their jobs with one
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
	done chan intakeOutcome // buffered: a committer never blocks on it
}

type intakeOutcome struct {
	res callbackline.IntakeResult
	err error
}

func (s *Store) submit(ctx context.Context, call *intakeCall) error {
	s.submitMu.RLock()
	defer s.submitMu.RUnlock()
	if s.closed {
		return callbackline.Errorf(callbackline.EUNAVAILABLE, "intake: the store is closed")
	}
	select {
	case s.intake[shard(call.cb.MemberID, len(s.intake))] <- call:
		return nil
	case <-ctx.Done():
		return callbackline.WrapError(ctx.Err(), callbackline.EUNAVAILABLE, "intake: not taken")
	}
}

// shard picks a portal's committer: all requests of one portal go to the
// same committer, so they batch together instead of queueing for the
// portal's advisory lock in several transactions at once.
func shard(memberID string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(memberID); i++ {
		h = (h ^ uint32(memberID[i])) * 16777619
	}
	return int(h % uint32(n))
}

// commitLoop is one committer goroutine: it runs until Close, then
// commits what was already submitted and stops.
func (s *Store) commitLoop(in chan *intakeCall) {
	defer s.wg.Done()
	batch := make([]*intakeCall, 0, s.opts.MaxBatch)
	for {
		select {
		case c := <-in:
			batch = append(batch[:0], c)
		case <-s.closing:
			for {
				batch = batch[:0]
			drain:
				for len(batch) < s.opts.MaxBatch {
					select {
					case c := <-in:
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
			case c := <-in:
				batch = append(batch, c)
			default:
				break fill
			}
		}
		s.commitBatch(batch)
		clear(batch)
	}
}

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

// portalLockKey is the advisory lock that serialises one portal's intakes
// across instances.
func (s *Store) portalLockKey(memberID string) int64 {
	return lockKey("callbackline:portal", s.opts.Schema, memberID)
}

// intakeTx runs the calls in one transaction, in few round trips: one
// pipeline takes the portals' advisory locks (ascending) and looks the
// portals up; a second pipeline runs one statement per request (each
// de-duplicates, applies the limits and inserts, seeing the statements
// before it); InsertManyTx queues the jobs; COMMIT.
func (s *Store) intakeTx(calls []*intakeCall) (outs []intakeOutcome, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: begin")
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.Background())
		}
	}()

	members := make([]string, 0, 4)
	for _, c := range calls {
		if !slices.Contains(members, c.cb.MemberID) {
			members = append(members, c.cb.MemberID)
		}
	}
	keys := make([]int64, 0, len(members))
	for _, m := range members {
		keys = append(keys, s.portalLockKey(m))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	b := &pgx.Batch{}
	for _, k := range keys {
		b.Queue(`SELECT pg_advisory_xact_lock($1)`, k)
	}
	var known []string
	b.Queue(`SELECT member_id FROM portals WHERE member_id = ANY($1)`, members).Query(func(rows pgx.Rows) error {
		var err error
		known, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: lock portals")
	}

	outs = make([]intakeOutcome, len(calls))
	now := time.Now().UTC().Truncate(time.Microsecond)
	b = &pgx.Batch{}
	for i, c := range calls {
		if !slices.Contains(known, c.cb.MemberID) {
			outs[i].err = callbackline.Errorf(callbackline.ENOTFOUND, "intake: portal %q is not installed", c.cb.MemberID)
			continue
		}
		if testFailIntake != nil && testFailIntake(&c.cb) {
			b.Queue(`SELECT 1/0`) // fails the transaction, as an SQL error would
			continue
		}
		queueIntake(b, c, now).QueryRow(func(row pgx.Row) error {
			var dup bool
			cb, err := scanCallback(row, &dup)
			if err != nil {
				return err
			}
			outs[i].res = callbackline.IntakeResult{Callback: cb, Duplicate: dup,
				Queued: !dup && cb.NeedsJob()}
			return nil
		})
	}
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "intake")
		}
	}
	var jobs []river.InsertManyParams
	for _, o := range outs {
		if o.res.Queued {
			jobs = append(jobs, river.InsertManyParams{Args: callbackline.CallbackJob{CallbackID: o.res.Callback.ID}})
		}
	}
	if len(jobs) > 0 {
		if _, err := s.client.InsertManyTx(ctx, tx, jobs); err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "intake: queue jobs")
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: commit")
	}
	return outs, nil
}

// testFailIntake, set by tests only, makes the matching requests fail with
// an SQL error: the whole batch fails.
var testFailIntake func(*callbackline.Callback) bool

// sqlIntake takes one request in, in one statement: fold it into a
// callback of the same portal, number and CRM entity created after $18
// (no de-duplication when $18 is NULL); else count the portal's callbacks
// of the last hour for the number (up to $19) and for the portal (up to
// $20), and insert the callback, rejected with reason $21 or $22 when a
// limit is reached. It returns whether it was a duplicate and the row.
const sqlIntake = `WITH dup AS (
	UPDATE callbacks
	SET duplicates = duplicates + 1, last_duplicate_at = greatest(last_duplicate_at, $16), updated_at = $17
	WHERE id = (SELECT id FROM callbacks
		WHERE $18::timestamptz IS NOT NULL AND member_id = $1 AND number_key = $5 AND created_at > $18::timestamptz
			AND crm_entity_type = $8 AND crm_entity_id = $9
		ORDER BY created_at DESC LIMIT 1)
	RETURNING ` + callbackCols + `
), recent AS (
	SELECT
		CASE WHEN $19::int > 0 THEN (SELECT count(*) FROM (SELECT 1 FROM callbacks
			WHERE member_id = $1 AND number_key = $3 AND created_at > $16::timestamptz - interval '1 hour'
			LIMIT $19::int) AS r) ELSE 0 END AS n_number,
		CASE WHEN $20::int > 0 THEN (SELECT count(*) FROM (SELECT 1 FROM callbacks
			WHERE member_id = $1 AND created_at > $16::timestamptz - interval '1 hour'
			LIMIT $20::int) AS r) ELSE 0 END AS n_portal
), verdict AS (
	SELECT
		CASE WHEN $19::int > 0 AND n_number >= $19::int THEN 'rejected'
			WHEN $20::int > 0 AND n_portal >= $20::int THEN 'rejected'
			ELSE $13::text END AS state,
		CASE WHEN $19::int > 0 AND n_number >= $19::int THEN $21::text
			WHEN $20::int > 0 AND n_portal >= $20::int THEN $22::text
			ELSE $14::text END AS reason
	FROM recent
), ins AS (
	INSERT INTO callbacks (member_id, kind, phone, phone_raw, number_key, text, voice,
		crm_entity_type, crm_entity_id, line_number, call_id, user_id, state, reason, event_at, created_at, updated_at)
	SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, verdict.state, verdict.reason, $15, $16, $17
	FROM verdict WHERE NOT EXISTS (SELECT 1 FROM dup)
	RETURNING ` + callbackCols + `
)
SELECT true, ` + callbackCols + ` FROM dup
UNION ALL
SELECT false, ` + callbackCols + ` FROM ins`

// queueIntake adds the request's statement to the pipeline.
func queueIntake(b *pgx.Batch, c *intakeCall, now time.Time) *pgx.QueuedQuery {
	cb := &c.cb
	var cutoff any
	if c.req.DedupWindow > 0 {
		cutoff = cb.CreatedAt.Add(-c.req.DedupWindow)
	}
	numLim, portLim := c.req.NumberLimit, c.req.PortalLimit
	if cb.State != callbackline.StateReceived {
		numLim, portLim = 0, 0
	}
	if cb.Phone == "" {
		numLim = 0
	}
	return b.Queue(sqlIntake, cb.MemberID, string(cb.Kind), cb.Phone, cb.PhoneRaw, cb.DedupNumber(),
		cb.Text, cb.Voice, cb.CRMEntityType, cb.CRMEntityID, cb.LineNumber, cb.CallID, cb.UserID,
		string(cb.State), cb.Reason, nullTime(cb.EventAt), cb.CreatedAt, now, cutoff, numLim, portLim,
		fmt.Sprintf("%s: %d or more requests for this number in the last hour", callbackline.ReasonNumberRate, numLim),
		fmt.Sprintf("%s: %d or more requests for this portal in the last hour", callbackline.ReasonPortalRate, portLim))
}

// Callback returns one callback, or an ENOTFOUND error.
func (s *Store) Callback(ctx context.Context, id int64) (*callbackline.Callback, error) {
	cb, err := scanCallback(s.pool.QueryRow(ctx, `SELECT `+callbackCols+` FROM callbacks WHERE id = $1`, id))
	if isNoRows(err) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "callback %d not found", id)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: callback %d", id)
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
		args = append(args, f.MemberID)
		where = append(where, fmt.Sprintf("member_id = $%d", len(args)))
	}
	if f.State != "" {
		args = append(args, string(f.State))
		where = append(where, fmt.Sprintf("state = $%d", len(args)))
	}
	if f.BeforeID > 0 {
		args = append(args, f.BeforeID)
		where = append(where, fmt.Sprintf("id < $%d", len(args)))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT ` + callbackCols + ` FROM callbacks`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: list callbacks")
	}
	defer rows.Close()
	list := make([]*callbackline.Callback, 0, min(limit, 128))
	for rows.Next() {
		cb, err := scanCallback(rows)
		if err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: list callbacks")
		}
		list = append(list, cb)
	}
	if err := rows.Err(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: list callbacks")
	}
	return list, nil
}

// CallbackCounts counts callbacks by state; every known state is present,
// zero when it has none.
func (s *Store) CallbackCounts(ctx context.Context) (map[callbackline.State]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT state, count(*) FROM callbacks GROUP BY state`)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: count callbacks")
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
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: count callbacks")
		}
		counts[callbackline.State(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: count callbacks")
	}
	return counts, nil
}

// scanCallback reads callbackCols, after the extra columns given.
func scanCallback(r pgx.Row, extra ...any) (*callbackline.Callback, error) {
	var (
		cb               callbackline.Callback
		kind, state      string
		lastDup, event   *time.Time
		created, updated time.Time
		next             *time.Time
	)
	err := r.Scan(append(extra, &cb.ID, &cb.MemberID, &kind, &cb.Phone, &cb.PhoneRaw, &cb.Text, &cb.Voice, &cb.CRMEntityType,
		&cb.CRMEntityID, &cb.LineNumber, &cb.CallID, &cb.UserID, &state, &cb.Reason, &cb.Duplicates,
		&lastDup, &event, &created, &updated, &next, &cb.ClientAttempts, &cb.EmployeeRounds)...)
	if err != nil {
		return nil, err
	}
	cb.Kind, cb.State = callbackline.Kind(kind), callbackline.State(state)
	cb.LastDuplicateAt, cb.EventAt = fromNull(lastDup), fromNull(event)
	cb.CreatedAt, cb.UpdatedAt = created.UTC(), updated.UTC()
	cb.NextAt = fromNull(next)
	return &cb, nil
}

// nullTime is t for a nullable column: nil for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
