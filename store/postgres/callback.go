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
	line_number, call_id, user_id, state, reason, duplicates, last_duplicate_at, event_at, created_at, updated_at`

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
	cb, err := newCallback(req)
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

// newCallback validates the request and returns the callback to store.
func newCallback(req callbackline.IntakeRequest) (callbackline.Callback, error) {
	if req.Callback == nil {
		return callbackline.Callback{}, callbackline.Errorf(callbackline.EINVALID, "intake: no callback")
	}
	cb := *req.Callback
	if cb.MemberID == "" {
		return cb, callbackline.Errorf(callbackline.EINVALID, "intake: no member id")
	}
	switch cb.State {
	case "":
		cb.State = callbackline.StateReceived
	case callbackline.StateReceived, callbackline.StateRejected:
	default:
		return cb, callbackline.Errorf(callbackline.EINVALID, "intake: a new callback must be received or rejected, not %q", cb.State)
	}
	if cb.Kind == "" {
		cb.Kind = callbackline.KindCallback
	}
	if req.DedupWindow < 0 || req.NumberLimit < 0 || req.PortalLimit < 0 {
		return cb, callbackline.Errorf(callbackline.EINVALID, "intake: negative window or limit")
	}
	if cb.CreatedAt.IsZero() {
		cb.CreatedAt = time.Now()
	}
	cb.CreatedAt = cb.CreatedAt.UTC().Truncate(time.Microsecond)
	cb.EventAt = normTime(cb.EventAt)
	cb.ID, cb.Duplicates, cb.LastDuplicateAt = 0, 0, time.Time{}
	return cb, nil
}

// numberKey is the number part of the de-duplication key.
func numberKey(cb *callbackline.Callback) string {
	if cb.Phone != "" {
		return cb.Phone
	}
	return cb.PhoneRaw
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
	case s.intake <- call:
		return nil
	case <-ctx.Done():
		return callbackline.WrapError(ctx.Err(), callbackline.EUNAVAILABLE, "intake: not taken")
	}
}

// commitLoop is one committer goroutine: it runs until Close, then
// commits what was already submitted and stops.
func (s *Store) commitLoop() {
	defer s.wg.Done()
	batch := make([]*intakeCall, 0, s.opts.MaxBatch)
	for {
		select {
		case c := <-s.intake:
			batch = append(batch[:0], c)
		case <-s.closing:
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

// lockPortals takes the portals' advisory locks in ascending key order.
func (s *Store) lockPortals(ctx context.Context, tx pgx.Tx, members []string) error {
	keys := make([]int64, 0, len(members))
	for _, m := range members {
		keys = append(keys, s.portalLockKey(m))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if len(keys) == 1 {
		_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, keys[0])
		return err
	}
	b := &pgx.Batch{}
	for _, k := range keys {
		b.Queue(`SELECT pg_advisory_xact_lock($1)`, k)
	}
	return tx.SendBatch(ctx, b).Close()
}

// intakeTx runs the calls in one transaction.
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
	if err := s.lockPortals(ctx, tx, members); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: lock portals")
	}
	rows, err := tx.Query(ctx, `SELECT member_id FROM portals WHERE member_id = ANY($1)`, members)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "intake: portals")
	}
	known, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "intake: portals")
	}

	outs = make([]intakeOutcome, len(calls))
	var jobs []river.InsertManyParams
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i, c := range calls {
		if !slices.Contains(known, c.cb.MemberID) {
			outs[i].err = callbackline.Errorf(callbackline.ENOTFOUND, "intake: portal %q is not installed", c.cb.MemberID)
			continue
		}
		res, err := intakeOne(ctx, tx, c, now)
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
	if err := tx.Commit(ctx); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: commit")
	}
	return outs, nil
}

const (
	sqlDedup = `UPDATE callbacks
	SET duplicates = duplicates + 1, last_duplicate_at = greatest(last_duplicate_at, $1), updated_at = $2
	WHERE id = (SELECT id FROM callbacks
		WHERE member_id = $3 AND number_key = $4 AND crm_entity_type = $5 AND crm_entity_id = $6 AND created_at > $7
		ORDER BY created_at DESC, id DESC LIMIT 1)
	RETURNING ` + callbackCols
	sqlCountNumber = `SELECT count(*) FROM (SELECT 1 FROM callbacks
		WHERE member_id = $1 AND phone = $2 AND created_at > $3 LIMIT $4) AS recent`
	sqlCountPortal = `SELECT count(*) FROM (SELECT 1 FROM callbacks
		WHERE member_id = $1 AND created_at > $2 LIMIT $3) AS recent`
	sqlInsert = `INSERT INTO callbacks (member_id, kind, phone, phone_raw, number_key, text, voice,
		crm_entity_type, crm_entity_id, line_number, call_id, user_id, state, reason, event_at, created_at, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`
)

// intakeOne handles one request inside the batch transaction; the portal
// is locked and known.
func intakeOne(ctx context.Context, tx pgx.Tx, c *intakeCall, now time.Time) (callbackline.IntakeResult, error) {
	cb := c.cb
	if w := c.req.DedupWindow; w > 0 {
		prev, err := scanCallback(tx.QueryRow(ctx, sqlDedup, cb.CreatedAt, now,
			cb.MemberID, numberKey(&cb), cb.CRMEntityType, cb.CRMEntityID, cb.CreatedAt.Add(-w)))
		if err == nil {
			return callbackline.IntakeResult{Callback: prev, Duplicate: true}, nil
		}
		if !isNoRows(err) {
			return callbackline.IntakeResult{}, err
		}
	}
	if cb.State == callbackline.StateReceived {
		hourAgo := cb.CreatedAt.Add(-time.Hour)
		if lim := c.req.NumberLimit; lim > 0 && cb.Phone != "" {
			var n int
			if err := tx.QueryRow(ctx, sqlCountNumber, cb.MemberID, cb.Phone, hourAgo, lim).Scan(&n); err != nil {
				return callbackline.IntakeResult{}, err
			}
			if n >= lim {
				cb.State = callbackline.StateRejected
				cb.Reason = fmt.Sprintf("%s: %d or more requests for this number in the last hour", callbackline.ReasonNumberRate, lim)
			}
		}
		if lim := c.req.PortalLimit; lim > 0 && cb.State == callbackline.StateReceived {
			var n int
			if err := tx.QueryRow(ctx, sqlCountPortal, cb.MemberID, hourAgo, lim).Scan(&n); err != nil {
				return callbackline.IntakeResult{}, err
			}
			if n >= lim {
				cb.State = callbackline.StateRejected
				cb.Reason = fmt.Sprintf("%s: %d or more requests for this portal in the last hour", callbackline.ReasonPortalRate, lim)
			}
		}
	}
	cb.UpdatedAt = now
	err := tx.QueryRow(ctx, sqlInsert, cb.MemberID, string(cb.Kind), cb.Phone, cb.PhoneRaw, numberKey(&cb),
		cb.Text, cb.Voice, cb.CRMEntityType, cb.CRMEntityID, cb.LineNumber, cb.CallID, cb.UserID,
		string(cb.State), cb.Reason, nullTime(cb.EventAt), cb.CreatedAt, now).Scan(&cb.ID)
	if err != nil {
		return callbackline.IntakeResult{}, err
	}
	return callbackline.IntakeResult{Callback: &cb, Queued: cb.State == callbackline.StateReceived}, nil
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

func scanCallback(r pgx.Row) (*callbackline.Callback, error) {
	var (
		cb               callbackline.Callback
		kind, state      string
		lastDup, event   *time.Time
		created, updated time.Time
	)
	err := r.Scan(&cb.ID, &cb.MemberID, &kind, &cb.Phone, &cb.PhoneRaw, &cb.Text, &cb.Voice, &cb.CRMEntityType,
		&cb.CRMEntityID, &cb.LineNumber, &cb.CallID, &cb.UserID, &state, &cb.Reason, &cb.Duplicates,
		&lastDup, &event, &created, &updated)
	if err != nil {
		return nil, err
	}
	cb.Kind, cb.State = callbackline.Kind(kind), callbackline.State(state)
	cb.LastDuplicateAt, cb.EventAt = fromNull(lastDup), fromNull(event)
	cb.CreatedAt, cb.UpdatedAt = created.UTC(), updated.UTC()
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

// normTime is t as stored: UTC, microseconds.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
