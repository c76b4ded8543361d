package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/callbackline/callbackline"
)

// PlaceAttempt lets the attempt's call out at at when the DialLimits
// allow it (see callbackline.WorkStore): in one transaction, locked by
// Dialect.LockDial against other placements of the same number and
// portal, the calls placed in the hour before at are counted from the
// attempts (placed_at, with the callback's phone and member id copied
// into the attempt); under both limits a is inserted when its ID is 0
// (an attempt already stored keeps its stored fields) and marked placed. At a limit nothing is written and the time the
// limit frees up is returned: under a lease (callbackline.WithLease)
// nothing is written unless the lease owns the callback (ErrFenced). The oldest of the last Number (or Portal)
// placed calls plus the hour.
func (s *Store) PlaceAttempt(ctx context.Context, a *callbackline.Attempt, l callbackline.DialLimits, at time.Time) (time.Time, error) {
	if l.Number < 0 || l.Portal < 0 {
		return time.Time{}, callbackline.Errorf(callbackline.EINVALID, "place attempt: negative limit")
	}
	if a == nil || a.CallbackID == 0 || a.Number <= 0 {
		return time.Time{}, callbackline.Errorf(callbackline.EINVALID, "place attempt: a callback id and a number from 1 are needed")
	}
	at = callbackline.StoredTime(at)
	if at.IsZero() {
		at = now()
	}
	var until time.Time
	inserted := a.ID == 0
	err := s.w.Tx(ctx, func(tx DB) error {
		var phone, member string
		err := tx.QueryRow(ctx, `SELECT phone, member_id FROM callbacks WHERE id = ?`, a.CallbackID).Scan(&phone, &member)
		if errors.Is(err, sql.ErrNoRows) {
			return callbackline.Errorf(callbackline.ENOTFOUND, "place attempt: callback %d not found", a.CallbackID)
		} else if err != nil {
			return err
		}
		if err := s.fence(ctx, tx, a.CallbackID); err != nil {
			return err
		}
		if s.d.LockDial != nil {
			if err := s.d.LockDial(ctx, tx, phone, member); err != nil {
				return err
			}
		}
		if until, err = s.dialFree(ctx, tx, phone, member, l, at); err != nil || !until.IsZero() {
			return err
		}
		if a.ID == 0 {
			if err := s.saveAttempt(ctx, tx, a); err != nil {
				return err
			}
		}
		n, err := tx.Exec(ctx, `UPDATE attempts SET placed_at = ?, phone = ?, member_id = ? WHERE id = ?`, at, phone, member, a.ID)
		if err == nil && n == 0 {
			return callbackline.Errorf(callbackline.ENOTFOUND, "place attempt: attempt %d not found", a.ID)
		}
		return err
	})
	if err != nil {
		if inserted { // rolled back: the attempt is not stored
			a.ID = 0
		}
		return time.Time{}, s.wrap(err, callbackline.EINTERNAL, "place attempt %d of callback %d", a.Number, a.CallbackID)
	}
	if until.IsZero() {
		a.PlacedAt = at
	}
	return until, nil
}

// dialFree returns the zero time when a call to phone for member may be
// placed at at, else when the later of the two limits frees up.
func (s *Store) dialFree(ctx context.Context, tx DB, phone, member string, l callbackline.DialLimits, at time.Time) (time.Time, error) {
	var until time.Time
	for _, c := range []struct {
		limit int
		q     string
		arg   string
	}{
		{l.Number, `SELECT placed_at FROM attempts WHERE phone = ? AND placed_at > ? ORDER BY placed_at DESC LIMIT 1 OFFSET ?`, phone},
		{l.Portal, `SELECT placed_at FROM attempts WHERE member_id = ? AND placed_at > ? ORDER BY placed_at DESC LIMIT 1 OFFSET ?`, member},
	} {
		if c.limit == 0 || c.arg == "" {
			continue
		}
		var oldest time.Time
		err := tx.QueryRow(ctx, c.q, c.arg, at.Add(-callbackline.DialWindow), c.limit-1).Scan(&oldest)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return time.Time{}, err
		}
		if free := oldest.Add(callbackline.DialWindow); free.After(until) {
			until = free
		}
	}
	return until, nil
}

// Prune deletes, as of now, the rejected requests older than r.Rejected
// (by arrival), the done and failed callbacks older than r.Finished (by
// their last change; their attempts and history go with them) and the
// history and audit log entries older than r.History, each at most batch
// rows (oldest first) in its own short statement, and says how many. A
// zero duration deletes nothing of its kind.
func (s *Store) Prune(ctx context.Context, r callbackline.Retention, now time.Time, batch int) (callbackline.Pruned, error) {
	var p callbackline.Pruned
	if batch <= 0 || r.Rejected < 0 || r.Finished < 0 || r.History < 0 {
		return p, callbackline.Errorf(callbackline.EINVALID, "prune: batch must be positive and retentions not negative")
	}
	for _, d := range []struct {
		keep time.Duration
		q    string
		n    *int
	}{
		{r.Rejected, `DELETE FROM callbacks WHERE id IN (SELECT id FROM callbacks
			WHERE state = 'rejected' AND created_at < ? ORDER BY created_at LIMIT ?)`, &p.Rejected},
		{r.Finished, `DELETE FROM callbacks WHERE id IN (SELECT id FROM callbacks
			WHERE state IN ('done', 'failed') AND updated_at < ? ORDER BY updated_at LIMIT ?)`, &p.Finished},
		{r.History, `DELETE FROM history WHERE id IN (SELECT id FROM history WHERE at < ? ORDER BY at LIMIT ?)`, &p.History},
		{r.History, `DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? ORDER BY at LIMIT ?)`, &p.Audit},
	} {
		if d.keep == 0 {
			continue
		}
		n, err := s.w.Exec(ctx, d.q, now.Add(-d.keep), batch)
		if err != nil {
			return p, s.wrap(err, callbackline.EINTERNAL, "prune")
		}
		*d.n = int(n)
	}
	return p, nil
}
