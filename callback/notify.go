package callback

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/words"
)

// History notes of what notify has done, so a resumed notify does not do
// it twice.
const (
	noteNotified = "notified"  // responsible user notified
	noteComment  = "commented" // comment added to the CRM timeline
	noteTodo     = "todo"      // to-do added for the responsible
)

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
		done[h.Note] = true // the English, also of entries stored before codes
	}
	if err := r.fenced(ctx, "telling the responsible"); err != nil {
		return err
	}
	to := r.recipient(ctx)
	r.logMissed(ctx, to, reason)
	if err := r.tell(ctx, done, to, r.failureText()); err != nil {
		return err
	}
	if err := r.step(ctx, callbackline.StateFailed, 0, callbackline.NewNote("failed_told", r.reasonNote(), to)); err != nil {
		return err
	}
	r.w.cfg.Metrics.outcome(r.line.Number, "failed")
	return nil
}

// recipient is who is told of a callback given up: the responsible user
// while active, else the line's first employee, else the installing
// administrator; 0 when there is nobody.
func (r *run) recipient(ctx context.Context) int64 {
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
	return to
}

// failureText says what could not be done and what was tried, in the
// line's language (else the portal's), as plain text for BB-code
// (bitrix24.Plain): the request's text is the visitor's and the reasons
// and names come from outside too, so none of it may open a tag or a link
// in the portal.
func (r *run) failureText() string {
	f := words.Failure{Phone: r.cb.Phone, Reason: r.cb.Reason, Request: r.cb.Text, Calls: r.callsMade(), Tried: r.tried}
	return bitrix24.Plain(f.Text(r.lang()))
}

// lang is the language of what callbackline says and writes for this
// callback: the line's, else the portal's (words.Lang).
func (r *run) lang() string {
	if r.line.Language != "" {
		return r.line.Language
	}
	return words.Lang(r.portal.Language)
}

// tell sends the notification, the timeline comment and the to-do that
// are not done yet.
func (r *run) tell(ctx context.Context, done map[string]bool, to int64, text string) error {
	if to != 0 && !done[callbackline.NewNote(noteNotified).English()] {
		err := r.told(ctx, noteNotified, "im.notify.system.add", "notifying the responsible failed", func() error {
			_, err := r.w.cfg.CRM.NotifySystem(ctx, r.portal, bitrix24.Notify{UserID: to, Message: text,
				Tag: fmt.Sprintf("callbackline|%d", r.cb.ID)})
			return err
		})
		if err != nil {
			return err
		}
	}
	if r.cb.CRMEntityType == "" || r.cb.CRMEntityID <= 0 {
		return nil
	}
	if !done[callbackline.NewNote(noteComment).English()] {
		err := r.told(ctx, noteComment, "crm.timeline.comment.add", "the timeline comment failed", func() error {
			_, err := r.w.cfg.CRM.AddTimelineComment(ctx, r.portal, r.cb.CRMEntityType, r.cb.CRMEntityID, text)
			return err
		})
		if err != nil {
			return err
		}
	}
	if !r.policy.Todo || done[callbackline.NewNote(noteTodo).English()] {
		return nil
	}
	return r.told(ctx, noteTodo, "crm.activity.todo.add", "the to-do failed", func() error {
		_, err := r.w.cfg.CRM.AddTodo(ctx, r.portal, bitrix24.Todo{
			OwnerTypeID: bitrix24.EntityTypeID(r.cb.CRMEntityType), OwnerID: r.cb.CRMEntityID,
			Deadline: r.now().Add(time.Hour), Title: bitrix24.Plain(words.CallBack(r.lang(), phone.Mask(r.cb.Phone))), Description: text, ResponsibleID: to,
		})
		return err
	})
}

// told makes one Bitrix24 call of the telling and notes it in the
// history when it succeeded; a failed call (method) is logged as failed
// and skipped. Only a failure to note it is returned.
func (r *run) told(ctx context.Context, code, method, failed string, call func() error) error {
	if err := call(); err != nil {
		r.w.cfg.Metrics.crmError(method)
		r.log.Warn(failed, slog.Any("err", err))
		return nil
	}
	return r.step(ctx, callbackline.StateNotifying, 0, callbackline.NewNote(code))
}

// reasonNote is why the callback was given up: as fail was told it, else
// (a crash since) as stored.
func (r *run) reasonNote() callbackline.Note {
	if r.reason.Code != "" && r.reason.English() == r.cb.Reason {
		return r.reason
	}
	return callbackline.NewNote(callbackline.NoteReason, r.cb.Reason)
}

// callsMade lists every call of the callback, over all its jobs, for the
// failure notification: when, whom, whether the client was dialled, how
// it ended.
func (r *run) callsMade() []words.Call {
	loc := r.policy.Hours.Location
	if loc == nil {
		loc = time.UTC
	}
	var calls []words.Call
	for _, a := range r.attempts {
		if a.CallID == "" { // register failed: nothing was placed
			continue
		}
		calls = append(calls, words.Call{Number: a.Number, At: a.StartedAt.In(loc).Format("2006-01-02 15:04 MST"),
			Extension: a.Extension, Bitrix24: a.ViaBitrix24(), ClientDialled: a.ClientDialled, Status: a.StatusCode})
	}
	return calls
}
