package callback

import (
	"context"
	"log/slog"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/phone"
)

// Bitrix24's CALL_TYPE values (docs/bitrix24.md §7.5).
const (
	callOutgoing   = 1
	callIncoming   = 2
	callRedirected = 3 // incoming, redirected
	callBack       = 4
)

// closeIfCalled closes a pending callback by itself, before its next
// dial, when Bitrix24's call log (voximplant.statistic.get) shows that
// since the request the client called in and was answered, or was called
// and answered, in a call that is not one of this callback's. It reports
// whether it closed the callback. A failed lookup does not block the
// callback: it is logged and the dial goes on.
func (r *run) closeIfCalled(ctx context.Context) (bool, error) {
	rec, err := r.calledSince(ctx)
	if err != nil {
		r.w.cfg.Metrics.crmError("voximplant.statistic.get")
		r.log.Warn("looking up the client's calls in Bitrix24's call log failed; dialling anyway", slog.Any("err", err))
		return false, nil
	}
	if rec == nil {
		return false, nil
	}
	note := r.calledNote(ctx, rec)
	r.cb.Reason = callbackline.NewNote("reason_already_called", note).English()
	return true, r.step(ctx, callbackline.StateDone, 0, callbackline.NewNote("closed", note))
}

// calledSince finds the newest answered call with the client's number
// since the request that is not one of this callback's own.
func (r *run) calledSince(ctx context.Context) (*bitrix24.CallRecord, error) {
	nat := phone.National(r.cb.Phone)
	if nat == "" {
		return nil, nil
	}
	recs, err := r.w.cfg.CRM.CallStatistics(ctx, r.portal, map[string]any{
		"%PHONE_NUMBER": nat, ">=CALL_START_DATE": r.cb.CreatedAt.Add(-time.Second), "CALL_FAILED_CODE": "200"})
	if err != nil {
		return nil, err
	}
	own := map[string]bool{}
	for _, a := range r.attempts {
		if a.CallID != "" {
			own[a.CallID] = true
		}
	}
	for i := range recs {
		rec := &recs[i]
		typ := int(rec.CallType)
		if own[string(rec.CallID)] || string(rec.FailedCode) != "200" || !phone.Same(r.cb.Phone, string(rec.PhoneNumber)) ||
			rec.Started().Before(r.cb.CreatedAt.Truncate(time.Second)) {
			continue
		}
		if typ == callIncoming || typ == callRedirected || ((typ == callOutgoing || typ == callBack) && rec.Duration > 0) {
			return rec, nil
		}
	}
	return nil, nil
}

// calledNote says in the history what closed the callback: "the client
// called in at …" or "the client was called at … by …", in the line's
// time zone.
func (r *run) calledNote(ctx context.Context, rec *bitrix24.CallRecord) callbackline.Note {
	loc := r.policy.Hours.Location
	if loc == nil {
		loc = time.UTC
	}
	at := callbackline.NoteAt(rec.Started(), rec.Started().In(loc).Format("2006-01-02 15:04 MST"))
	typ := int(rec.CallType)
	if typ == callIncoming || typ == callRedirected {
		return callbackline.NewNote("called_in", at, string(rec.CallID))
	}
	return callbackline.NewNote("called_by", at, r.userName(ctx, int64(rec.UserID)), string(rec.CallID))
}

// userName is a portal user's full name with their id, else "user <id>".
func (r *run) userName(ctx context.Context, id int64) callbackline.Note {
	if id == 0 {
		return callbackline.NewNote("an_employee")
	}
	u, err := r.w.users.get(ctx, r.w.cfg.CRM, r.portal, id)
	if err != nil || u == nil || u.FullName() == "" {
		return callbackline.NewNote("user", id)
	}
	return callbackline.NewNote("named_user", u.FullName(), id)
}
