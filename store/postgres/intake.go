package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/store/sqlstore"
)

// batchTimeout bounds one intake transaction.
const batchTimeout = 30 * time.Second

// portalLockKey is the advisory lock that serialises one portal's intakes
// across instances.
func (s *Store) portalLockKey(memberID string) int64 {
	return lockKey("callbackline:portal", s.schema, memberID)
}

// intakeTx runs the calls in one transaction, in few round trips: one
// pipeline takes the portals' advisory locks (ascending) and looks the
// portals up; a second pipeline runs one statement per request (each
// de-duplicates, applies the limits and inserts, seeing the statements
// before it); InsertManyTx queues the jobs; COMMIT.
func (s *Store) intakeTx(calls []*sqlstore.Call) ([]sqlstore.Outcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: begin")
	}
	defer tx.Rollback(context.Background()) // after Commit, a no-op
	known, err := s.lockPortals(ctx, tx, calls)
	if err != nil {
		return nil, err
	}
	outs := make([]sqlstore.Outcome, len(calls))
	now := time.Now().UTC().Truncate(time.Microsecond)
	b := &pgx.Batch{}
	for i, c := range calls {
		if !slices.Contains(known, c.CB.MemberID) {
			outs[i].Err = callbackline.Errorf(callbackline.ENOTFOUND, "intake: portal %q is not installed", c.CB.MemberID)
			continue
		}
		if c.Fail {
			b.Queue(`SELECT 1/0`) // fails the transaction, as an SQL error would
			continue
		}
		s.queueIntake(b, c, now).QueryRow(func(r pgx.Row) error {
			var dup bool
			cb, err := sqlstore.ScanCallback(s.d.Row(r), &dup)
			if err != nil {
				return err
			}
			outs[i].Res = callbackline.IntakeResult{Callback: cb, Duplicate: dup, Queued: !dup && cb.NeedsJob()}
			return nil
		})
	}
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "intake")
		}
	}
	if jobs := sqlstore.Jobs(outs); len(jobs) > 0 {
		if _, err := s.client.InsertManyTx(ctx, tx, jobs); err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "intake: queue jobs")
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: commit")
	}
	return outs, nil
}

// lockPortals takes the batch's portals' intake locks in ascending key
// order, so batches of different instances cannot deadlock, and returns
// which of the portals are installed: one pipeline.
func (s *Store) lockPortals(ctx context.Context, tx pgx.Tx, calls []*sqlstore.Call) (known []string, err error) {
	var members []string
	var keys []int64
	for _, c := range calls {
		if !slices.Contains(members, c.CB.MemberID) {
			members = append(members, c.CB.MemberID)
			keys = append(keys, s.portalLockKey(c.CB.MemberID))
		}
	}
	slices.Sort(keys)
	b := &pgx.Batch{}
	for _, k := range slices.Compact(keys) {
		b.Queue(`SELECT pg_advisory_xact_lock($1)`, k)
	}
	b.Queue(`SELECT member_id FROM portals WHERE member_id = ANY($1)`, members).Query(func(rows pgx.Rows) error {
		known, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "intake: lock portals")
	}
	return known, nil
}

// sqlIntake takes one request in, in one statement, following
// sqlstore.Rule: fold it into a callback of the same portal, number and
// CRM entity created after $18 (no de-duplication when $18 is NULL); else
// count the portal's callback requests since $19 for the number (up to
// $20) and its accepted ones (up to $21), and insert the callback,
// rejected with reason $22 or $23 when a limit is reached (Rule.Reject),
// its text and raw number then cut to $24 characters. It returns
// whether it was a duplicate and the row.
const sqlIntake = `WITH dup AS (
	UPDATE callbacks
	SET duplicates = duplicates + 1, last_duplicate_at = greatest(last_duplicate_at, $16), updated_at = $17
	WHERE id = (SELECT id FROM callbacks
		WHERE $18::timestamptz IS NOT NULL AND member_id = $1 AND number_key = $5 AND created_at > $18::timestamptz
			AND crm_entity_type = $8 AND crm_entity_id = $9
		ORDER BY created_at DESC LIMIT 1)
	RETURNING ` + sqlstore.CallbackCols + `
), recent AS (
	SELECT
		CASE WHEN $20::int > 0 THEN (SELECT count(*) FROM (SELECT 1 FROM callbacks
			WHERE member_id = $1 AND number_key = $3 AND created_at > $19::timestamptz AND kind = 'callback'
			LIMIT $20::int) AS r) ELSE 0 END AS n_number,
		CASE WHEN $21::int > 0 THEN (SELECT count(*) FROM (SELECT 1 FROM callbacks
			WHERE member_id = $1 AND created_at > $19::timestamptz AND state <> 'rejected' AND kind = 'callback'
			LIMIT $21::int) AS r) ELSE 0 END AS n_portal
), verdict AS (
	SELECT
		CASE WHEN $20::int > 0 AND n_number >= $20::int THEN 'rejected'
			WHEN $21::int > 0 AND n_portal >= $21::int THEN 'rejected'
			ELSE $13::text END AS state,
		CASE WHEN $20::int > 0 AND n_number >= $20::int THEN $22::text
			WHEN $21::int > 0 AND n_portal >= $21::int THEN $23::text
			ELSE $14::text END AS reason
	FROM recent
), ins AS (
	INSERT INTO callbacks (member_id, kind, phone, phone_raw, number_key, text, voice,
		crm_entity_type, crm_entity_id, line_number, call_id, user_id, state, reason, event_at, created_at, updated_at)
	SELECT $1, $2, $3, CASE WHEN verdict.state = 'rejected' THEN left($4, $24::int) ELSE $4 END, $5,
		CASE WHEN verdict.state = 'rejected' THEN left($6, $24::int) ELSE $6 END,
		$7, $8, $9, $10, $11, $12, verdict.state, verdict.reason, $15, $16, $17
	FROM verdict WHERE NOT EXISTS (SELECT 1 FROM dup)
	RETURNING ` + sqlstore.CallbackCols + `
)
SELECT true, ` + sqlstore.CallbackCols + ` FROM dup
UNION ALL
SELECT false, ` + sqlstore.CallbackCols + ` FROM ins`

// queueIntake adds the request's statement to the pipeline.
func (s *Store) queueIntake(b *pgx.Batch, c *sqlstore.Call, now time.Time) *pgx.QueuedQuery {
	cb, r := &c.CB, c.Rule()
	return b.Queue(sqlIntake, s.d.Encode([]any{cb.MemberID, string(cb.Kind), cb.Phone, cb.PhoneRaw, cb.DedupNumber(),
		cb.Text, cb.Voice, cb.CRMEntityType, cb.CRMEntityID, cb.LineNumber, cb.CallID, cb.UserID,
		string(cb.State), cb.Reason, cb.EventAt, cb.CreatedAt, now, r.DedupAfter, r.Since,
		r.NumberLimit, r.PortalLimit, r.NumberReason, r.PortalReason, callbackline.RejectedTextMax})...)
}
