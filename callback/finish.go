package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip"
)

// persist is a context for writes that must happen even when the job's
// context was cancelled (shutdown): finishing a call, recording a state.
func persist(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
}

// finish writes the attempt's result to Bitrix24, exactly once: the
// intended status is stored first, a repeated finish whose first answer
// was lost ("Call is not found") counts as done. Then the recording is
// attached.
func (r *run) finish(ctx context.Context, a *callbackline.Attempt, res sip.Result) error {
	ctx, cancel := persist(ctx)
	defer cancel()
	a.StatusCode, a.Duration, a.Reason = res.StatusCode, res.TalkSeconds(), failedReason(res)
	if a.StatusCode == "" {
		a.StatusCode = "OTHER"
	}
	if res.Outcome == sip.OutcomeConnected && a.Duration == 0 {
		a.Duration = 1 // connected: Bitrix24 counts a call as answered only with DURATION > 0
	}
	a.RecordPath, a.UpdatedAt = res.Recording, r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		return err
	}
	if err := r.step(ctx, callbackline.StateFinishing, a.ID, fmt.Sprintf("writing the call to the CRM (status %s, %d s)", a.StatusCode, a.Duration)); err != nil {
		return err
	}
	return r.finishCall(ctx, a)
}

// finishCall calls telephony.externalCall.finish for a stored intent.
func (r *run) finishCall(ctx context.Context, a *callbackline.Attempt) error {
	_, err := r.w.cfg.CRM.FinishCall(ctx, r.portal, bitrix24.FinishCall{
		CallID: a.CallID, UserID: a.UserID, Duration: a.Duration, StatusCode: a.StatusCode,
		FailedReason: a.Reason, AddToChat: true,
	})
	if err != nil && !isCallNotFound(err) {
		r.w.cfg.Metrics.crmError("telephony.externalCall.finish")
		return fmt.Errorf("finishing the call in Bitrix24: %w", err)
	}
	a.FinishedAt, a.UpdatedAt = r.now().UTC(), r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		return err
	}
	note := fmt.Sprintf("call finished in the CRM: status %s, %d s", a.StatusCode, a.Duration)
	if err := r.step(ctx, r.stateFor(callbackline.StateFinishing), a.ID, note); err != nil {
		return err
	}
	if a.RecordPath != "" {
		r.attach(ctx, a)
	}
	return nil
}

// stateFor is s, or the callback's own state while it is final or being
// given up: a call closed then must not move the callback back.
func (r *run) stateFor(s callbackline.State) callbackline.State {
	if r.cb.State.Final() || r.cb.State == callbackline.StateNotifying {
		return r.cb.State
	}
	return s
}

// attach uploads an attempt's recording, after finish, with a few quick
// retries; when they fail (the portal is down) an AttachJob tries again
// later, for hours.
func (r *run) attach(ctx context.Context, a *callbackline.Attempt) {
	data, err := os.ReadFile(a.RecordPath)
	if err != nil {
		r.log.Error("the recording cannot be read", slog.Any("err", err))
		return
	}
	backoff := r.w.cfg.AttachBackoff
	for try := 1; ; try++ {
		err := r.attachOnce(ctx, a, data)
		if err == nil {
			return
		}
		if try >= r.w.cfg.AttachTries || bitrix24.NeedsReinstall(err) || ctx.Err() != nil {
			r.log.Warn("attaching the recording failed; trying again later", slog.Any("err", err), slog.String("path", a.RecordPath))
			pctx, cancel := persist(ctx)
			defer cancel()
			if qerr := r.w.cfg.Store.QueueAttach(pctx, callbackline.AttachJob{CallbackID: r.cb.ID, AttemptID: a.ID}, attachLater); qerr != nil {
				r.log.Error("queueing the recording's attachment failed; it stays on disk", slog.Any("err", qerr))
			}
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

// attachLater is when a recording whose attachment failed is tried again.
const attachLater = 5 * time.Minute

// attachOnce uploads the recording once and stores the file id.
func (r *run) attachOnce(ctx context.Context, a *callbackline.Attempt, data []byte) error {
	id, err := r.w.cfg.CRM.AttachRecord(ctx, r.portal, a.CallID, filepath.Base(a.RecordPath), data)
	if err != nil {
		r.w.cfg.Metrics.crmError("telephony.externalCall.attachRecord")
		return err
	}
	a.RecordFileID, a.UpdatedAt = id, r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		r.log.Error("saving the attached recording failed", slog.Any("err", err))
	}
	_ = r.step(ctx, r.cb.State, a.ID, fmt.Sprintf("recording attached to the call (file %d)", id))
	return nil
}

// failedReason is FAILED_REASON for a result.
func failedReason(res sip.Result) string {
	if res.Outcome == sip.OutcomeConnected {
		return ""
	}
	var se *sip.Error
	if errors.As(res.Err, &se) {
		return se.Error()
	}
	if res.Err != nil {
		return res.Err.Error()
	}
	return string(res.Outcome)
}

// retryable reports whether the client may be called again later: busy,
// no answer, temporarily unavailable.
func retryable(status string) bool {
	switch status {
	case "486", "304", "480", "503":
		return true
	}
	return false
}

// apply decides what comes after an attempt.
func (r *run) apply(ctx context.Context, a *callbackline.Attempt, res sip.Result) (time.Duration, error) {
	ctx, cancel := persist(ctx)
	defer cancel()
	switch res.Outcome {
	case sip.OutcomeConnected:
		r.cb.Reason = ""
		if err := r.step(ctx, callbackline.StateDone, a.ID, fmt.Sprintf("done: the employee and the client talked for %d s", a.Duration)); err != nil {
			return 0, err
		}
		r.w.cfg.Metrics.outcome(r.line.Number, "done")
		return 0, nil
	case sip.OutcomeEmployeeFailed, sip.OutcomeEmployeeHungUp:
		return r.employeesFailed(ctx, "no employee took the call: "+a.Reason)
	case sip.OutcomeClientFailed:
		r.tried += fmt.Sprintf("call %d to the client: %s; ", r.cb.ClientAttempts, a.Reason)
		if retryable(a.StatusCode) && r.cb.ClientAttempts < r.policy.ClientAttempts {
			return r.schedule(ctx, r.now().Add(r.policy.ClientRetryAfter),
				fmt.Sprintf("the client did not answer (status %s); calling again later", a.StatusCode))
		}
		return 0, r.fail(ctx, fmt.Sprintf("client_unreachable: the client could not be reached after %d call(s) (last status %s)", r.cb.ClientAttempts, a.StatusCode), true)
	case sip.OutcomeCancelled:
		// Shutdown: the call was ended cleanly; another run goes on.
		return r.schedule(ctx, r.now().Add(time.Second), "interrupted by a shutdown; continuing")
	default:
		return 0, r.fail(ctx, "call_failed: "+a.Reason, true)
	}
}

// employeesFailed starts another round over the employees later, or gives
// up when the policy's rounds are used.
func (r *run) employeesFailed(ctx context.Context, why string) (time.Duration, error) {
	r.cb.EmployeeRounds++
	r.tried += why + "; "
	if r.cb.EmployeeRounds < r.policy.EmployeeRounds {
		return r.schedule(ctx, r.now().Add(r.policy.EmployeeRetryAfter),
			fmt.Sprintf("%s; trying again later (round %d of %d)", why, r.cb.EmployeeRounds, r.policy.EmployeeRounds))
	}
	return 0, r.fail(ctx, fmt.Sprintf("no_employee: no employee took the call in %d round(s)", r.cb.EmployeeRounds), true)
}

// fail gives the callback up for good and, when asked, tells the
// responsible person and the CRM. With notify the callback first goes to
// StateNotifying, so a crash while telling them resumes the telling.
func (r *run) fail(ctx context.Context, reason string, notify bool) error {
	ctx, cancel := persist(ctx)
	defer cancel()
	r.cb.Reason = reason
	if !notify {
		if err := r.step(ctx, callbackline.StateFailed, 0, "failed: "+reason); err != nil {
			return err
		}
		r.w.cfg.Metrics.outcome(r.line.Number, "failed")
		return nil
	}
	if err := r.step(ctx, callbackline.StateNotifying, 0, "giving up: "+reason); err != nil {
		return err
	}
	return r.notify(ctx)
}

// History notes of what notify has done, so a resumed notify does not do
// it twice.
const (
	noteNotified = "responsible user notified"
	noteComment  = "comment added to the CRM timeline"
	noteTodo     = "to-do added for the responsible"
)

// resumeNotify finishes the work of a callback left in StateNotifying by
// a crash: calls still open are closed, then whatever notify had not yet
// done is done.
func (r *run) resumeNotify(ctx context.Context) error {
	var err error
	if r.attempts, err = r.w.cfg.Store.Attempts(ctx, r.cb.ID); err != nil {
		return err
	}
	for _, a := range r.attempts {
		done, err := r.recover(ctx, a)
		if err != nil {
			return err
		}
		if done { // the client was connected after all
			return nil
		}
	}
	return r.notify(ctx)
}

// notify tells the responsible user (else the line's first employee, else
// the installing administrator) and writes a comment into the CRM entity's
// timeline; with the policy's Todo also a to-do; then the callback is
// failed. Each step done is noted in the history and skipped when notify
// runs again after a crash. Bitrix24's failures are logged and skipped:
// the callback's own record is what counts.
func (r *run) notify(ctx context.Context) error {
	reason := r.cb.Reason
	hist, err := r.w.cfg.Store.History(ctx, r.cb.ID)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, h := range hist {
		done[h.Note] = true
	}
	if r.responsible == 0 {
		// Routing did not run in this job (stale, closed, a retry): look
		// the responsible up now.
		if id, err := r.responsibleUser(ctx); err == nil {
			r.responsible = id
		}
	}
	to := r.responsible
	if to != 0 {
		// A dismissed responsible would never read it.
		if u, err := r.w.users.get(ctx, r.w.cfg.CRM, r.portal, to); err == nil && !bool(u.Active) {
			to = 0
		}
	}
	if to == 0 && len(r.line.Employees) > 0 {
		to = r.line.Employees[0]
	}
	if to == 0 {
		to = r.portal.UserID
	}
	r.logMissed(ctx, to, reason)
	text := fmt.Sprintf("Callback request from %s could not be completed: %s.", r.cb.Phone, reason)
	if r.cb.Text != "" {
		text += fmt.Sprintf(" The request: «%s».", r.cb.Text)
	}
	if calls := r.callsMade(); calls != "" {
		text += " Calls made: " + calls + "."
	}
	if r.tried != "" {
		text += " Tried: " + r.tried
	}
	text += " Please call the client back."
	if to != 0 && !done[noteNotified] {
		if _, err := r.w.cfg.CRM.NotifySystem(ctx, r.portal, bitrix24.Notify{UserID: to, Message: text,
			Tag: fmt.Sprintf("callbackline|%d", r.cb.ID)}); err != nil {
			r.w.cfg.Metrics.crmError("im.notify.system.add")
			r.log.Warn("notifying the responsible failed", slog.Any("err", err))
		} else if err := r.step(ctx, callbackline.StateNotifying, 0, noteNotified); err != nil {
			return err
		}
	}
	if r.cb.CRMEntityType != "" && r.cb.CRMEntityID > 0 {
		if !done[noteComment] {
			if _, err := r.w.cfg.CRM.AddTimelineComment(ctx, r.portal, r.cb.CRMEntityType, r.cb.CRMEntityID, text); err != nil {
				r.w.cfg.Metrics.crmError("crm.timeline.comment.add")
				r.log.Warn("the timeline comment failed", slog.Any("err", err))
			} else if err := r.step(ctx, callbackline.StateNotifying, 0, noteComment); err != nil {
				return err
			}
		}
		if r.policy.Todo && !done[noteTodo] {
			if _, err := r.w.cfg.CRM.AddTodo(ctx, r.portal, bitrix24.Todo{
				OwnerTypeID: bitrix24.EntityTypeID(r.cb.CRMEntityType), OwnerID: r.cb.CRMEntityID,
				Deadline: r.now().Add(time.Hour), Title: "Call back " + phone.Mask(r.cb.Phone), Description: text, ResponsibleID: to,
			}); err != nil {
				r.w.cfg.Metrics.crmError("crm.activity.todo.add")
				r.log.Warn("the to-do failed", slog.Any("err", err))
			} else if err := r.step(ctx, callbackline.StateNotifying, 0, noteTodo); err != nil {
				return err
			}
		}
	}
	if err := r.step(ctx, callbackline.StateFailed, 0, fmt.Sprintf("failed: %s (user %d told)", reason, to)); err != nil {
		return err
	}
	r.w.cfg.Metrics.outcome(r.line.Number, "failed")
	return nil
}

// callsMade describes every call of the callback, over all its jobs, for
// the failure notification: when, whom, whether the client was dialled,
// how it ended.
func (r *run) callsMade() string {
	loc := r.policy.Hours.Location
	if loc == nil {
		loc = time.UTC
	}
	var parts []string
	for _, a := range r.attempts {
		if a.CallID == "" { // register failed: nothing was placed
			continue
		}
		s := fmt.Sprintf("call %d at %s to extension %s", a.Number, a.StartedAt.In(loc).Format("2006-01-02 15:04 MST"), a.Extension)
		if a.ClientDialled {
			s += ", client dialled"
		}
		if a.StatusCode != "" {
			s += ", status " + a.StatusCode
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// logMissed makes a callback that failed before any call was registered
// (stale, nobody reachable, never open) show in the CRM's call log as a
// missed callback: a call registered for the user and finished at once
// with 304 and the reason. The attempt is stored first, so a restart
// finishes it instead of registering another.
func (r *run) logMissed(ctx context.Context, user int64, reason string) {
	if r.cb.Kind != callbackline.KindCallback || user == 0 || r.cb.Phone == "" {
		return
	}
	for _, a := range r.attempts {
		if a.CallID != "" || !a.FinishedAt.IsZero() {
			return // the CRM has this callback's calls already
		}
	}
	now := r.now().UTC()
	a := &callbackline.Attempt{CallbackID: r.cb.ID, Number: len(r.attempts) + 1, UserID: user,
		StatusCode: "304", Reason: reason, StartedAt: now, UpdatedAt: now}
	a.ExternalCallID = callbackline.ExternalCallID(r.cb.ID, a.Number)
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		r.log.Warn("recording the missed callback failed", slog.Any("err", err))
		return
	}
	r.attempts = append(r.attempts, a)
	reg := r.register(a, r.cb.CreatedAt)
	reg.Show = false
	res, err := r.w.cfg.CRM.RegisterCall(ctx, r.portal, reg)
	if err != nil {
		r.log.Warn("registering the missed callback in the CRM failed", slog.Any("err", err))
		return
	}
	a.CallID = res.CallID
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		r.log.Warn("recording the missed callback failed", slog.Any("err", err))
		return
	}
	if err := r.finishCall(ctx, a); err != nil {
		r.log.Warn("finishing the missed callback in the CRM failed", slog.Any("err", err))
	}
}
