package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
)

var _ callbackline.ControlStore = (*Store)(nil)

// retryJobDelay is when a retry's job would run if the process died
// between inserting it and making it due: the job is inserted before the
// callback changes (so that it cannot finish before the change is seen)
// and made due right after.
const retryJobDelay = time.Minute

// transition is one conditional change of a callback by hand.
type transition struct {
	cond string            // what the row must satisfy (SQL)
	set  string            // the columns to set (SQL with "?")
	args []any             // set's parameters
	note callbackline.Note // the history entry
}

// Control applies an action by hand as one conditional update (see
// callbackline.ControlStore), with its history entry, then makes the
// callback's queue job due (call now), cancels it (cancel), or inserts a
// new one (retry).
func (s *Store) Control(ctx context.Context, req callbackline.ControlRequest) (*callbackline.Callback, error) {
	if req.ID <= 0 || !req.Action.Valid() || req.By == "" {
		return nil, callbackline.Errorf(callbackline.EINVALID, "control: a callback id, a known action and who asks are required")
	}
	at := callbackline.StoredTime(req.At)
	if at.IsZero() {
		at = now()
	}
	by := callbackline.CleanText(req.By)
	var t transition
	switch req.Action {
	case callbackline.ActionCallNow:
		t = transition{cond: `state = 'scheduled' AND dial_now_by = ''`,
			set: `next_at = ?, dial_now_by = ?, updated_at = ?`, args: []any{at, by, at},
			note: callbackline.NewNote("call_now", by)}
	case callbackline.ActionCancel:
		t = transition{cond: `state IN ('received', 'scheduled')`,
			set:  `state = 'failed', reason = ?, next_at = NULL, dial_now_by = '', updated_at = ?`,
			args: []any{callbackline.ReasonCancelled + ": cancelled by " + by, at},
			note: callbackline.NewNote("cancel", by)}
	case callbackline.ActionRetry:
		return s.retry(ctx, req.ID, req.MemberID, by, at)
	}
	cb, err := s.transit(ctx, req.ID, req.MemberID, req.Action, t, at)
	if err != nil {
		return nil, err
	}
	if req.Action == callbackline.ActionCancel {
		_, err = s.w.Exec(ctx, s.d.CancelJobs, req.ID)
	} else {
		err = s.due(ctx, req.ID)
	}
	if err != nil {
		// The change is stored: a due callback runs when its job comes
		// (a cancelled one is not dialled, its job finds it final).
		return cb, callbackline.WrapError(s.d.Errors(err), callbackline.EUNAVAILABLE,
			"%s: callback %d was changed, but its queue job was not; it takes effect when the job runs", s.d.Name, req.ID)
	}
	return cb, nil
}

// dueWait bounds how long due waits for a callback's job to stop running.
const dueWait = 10 * time.Second

// due makes the callback's waiting job due now. A job that is running
// (the queue has not yet recorded its wait: a run that found the callback
// not due ends with a snooze written a moment later) is waited for, up to
// dueWait, so that its snooze does not push the callback back.
func (s *Store) due(ctx context.Context, id int64) error {
	deadline := time.Now().Add(dueWait)
	for {
		n, err := s.w.Exec(ctx, s.d.DueJobs, id)
		if err != nil || n > 0 {
			return err
		}
		var running int
		if err := s.r.QueryRow(ctx, s.d.RunningJobs, id).Scan(&running); err != nil {
			return err
		}
		if running == 0 || time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// retry inserts the callback's job (waiting), starts the new round, and
// makes the job due; the job is deleted again when the round was not
// started.
func (s *Store) retry(ctx context.Context, id int64, memberID, by string, at time.Time) (*callbackline.Callback, error) {
	res, err := s.queue.Insert(ctx, callbackline.CallbackJob{CallbackID: id}, &river.InsertOpts{
		ScheduledAt: time.Now().Add(retryJobDelay),
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: waiting},
	})
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "%s: queue the retry of callback %d", s.d.Name, id)
	}
	t := transition{cond: `state = 'failed' AND kind = 'callback'`,
		set:  `state = 'scheduled', reason = '', next_at = ?, client_attempts = 0, employee_rounds = 0, dial_now_by = '', updated_at = ?`,
		args: []any{at, at},
		note: callbackline.NewNote("retry", by)}
	cb, err := s.transit(ctx, id, memberID, callbackline.ActionRetry, t, at)
	if err != nil {
		if !res.UniqueSkippedAsDuplicate && res.Job != nil {
			if _, derr := s.w.Exec(ctx, `DELETE FROM river_job WHERE id = ?`, res.Job.ID); derr != nil {
				s.opts.Logger.Warn("deleting the job of a retry that did not start failed; it finds the callback unchanged",
					"callback_id", id, "err", derr)
			}
		}
		return nil, err
	}
	if err := s.due(ctx, id); err != nil {
		return cb, callbackline.WrapError(s.d.Errors(err), callbackline.EUNAVAILABLE,
			"%s: callback %d is retried, its calls start within %s", s.d.Name, id, retryJobDelay)
	}
	return cb, nil
}

// transit applies t to the callback in one transaction with its history
// entry, and returns the callback as stored.
func (s *Store) transit(ctx context.Context, id int64, memberID string, a callbackline.Action, t transition, at time.Time) (*callbackline.Callback, error) {
	var cb *callbackline.Callback
	err := s.w.Tx(ctx, func(tx DB) error {
		n, err := tx.Exec(ctx, `UPDATE callbacks SET `+t.set+` WHERE id = ? AND (member_id = ? OR ? = '') AND `+t.cond,
			append(t.args, id, memberID, memberID)...)
		if err != nil {
			return err
		}
		cb, err = s.scoped(ctx, tx, id, memberID)
		if err != nil {
			return err
		}
		if n == 0 {
			return refused(cb, a)
		}
		return insertHistory(ctx, tx, id, nil, at, cb.State, t.note)
	})
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "%s callback %d", a, id)
	}
	return cb, nil
}

// scoped reads the callback of the portal memberID ("" any); ENOTFOUND
// when there is none.
func (s *Store) scoped(ctx context.Context, db DB, id int64, memberID string) (*callbackline.Callback, error) {
	cb, err := ScanCallback(db.QueryRow(ctx, `SELECT `+CallbackCols+` FROM callbacks WHERE id = ? AND (member_id = ? OR ? = '')`,
		id, memberID, memberID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Refuse(callbackline.ENOTFOUND, callbackline.InputNoCallback, []string{strconv.FormatInt(id, 10)}, "callback %d not found", id)
	}
	return cb, err
}

// refused says why action a does not apply to cb (ECONFLICT).
func refused(cb *callbackline.Callback, a callbackline.Action) error {
	state := string(cb.State)
	if cb.Reason != "" {
		state += " (" + cb.Reason + ")"
	}
	var why, input string
	args := []string{strconv.FormatInt(cb.ID, 10)}
	switch {
	case cb.Kind != callbackline.KindCallback:
		why, input = "it is a click-to-call, not a callback request", callbackline.InputClickToCall
	case a == callbackline.ActionCallNow && cb.DialNowBy != "":
		why, input = "it was already asked to be called now by "+cb.DialNowBy, callbackline.InputAlreadyNow
		args = append(args, cb.DialNowBy)
	case a == callbackline.ActionCallNow:
		why, input = "only a pending (scheduled) callback can be called now", callbackline.InputNotPendingNow
	case a == callbackline.ActionCancel:
		why, input = "only a pending callback, not yet being dialled, can be cancelled", callbackline.InputNotPendingStop
	default:
		why, input = "only a failed callback can be retried", callbackline.InputNotFailed
	}
	return callbackline.Refuse(callbackline.ECONFLICT, input, args, "callback %d is %s: %s", cb.ID, state, why)
}

// notAdvanced says why Advance changed no row: the callback is gone
// (ENOTFOUND) or was cancelled (ErrCancelled).
func (s *Store) notAdvanced(ctx context.Context, tx DB, id int64) error {
	cb, err := s.scoped(ctx, tx, id, "")
	switch {
	case err != nil:
		if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
			return callbackline.Errorf(callbackline.ENOTFOUND, "advance: callback %d not found", id)
		}
		return err
	case cb.Cancelled():
		return callbackline.WrapError(callbackline.ErrCancelled, callbackline.ECONFLICT, "advance: callback %d: %s", id, cb.Reason)
	}
	return fmt.Errorf("advance: callback %d was not changed", id)
}
