package callback

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip"
)

// The Bitrix24 dialer: a line with DialerBitrix24 (or a SIP line's
// Fallback) hands each call to the portal's own telephony with
// voximplant.callback.start. Bitrix24 rings the line's queue, speaks the
// request, calls the client and logs the call itself, so nothing is
// registered nor finished here. The job does not wait for the call: it
// snoozes, and each run looks for the outcome that ONVOXIMPLANTCALLEND
// stored (Store.EndPlaced, from any instance), else, after EndEventWait,
// asks voximplant.statistic.get (docs/bitrix24.md §7).

// trunkState is what a SIP dialer that can tell a failing trunk offers
// (*sip.Dialer): the fallback to Bitrix24 uses it.
type trunkState interface {
	Up(memberID, line string) error
}

// sipDown says why the line's SIP calls cannot go out now ("" when they
// can, or when the dialer cannot tell).
func (r *run) sipDown() callbackline.Note {
	if why := r.noRoute(); why.Code != "" {
		return why
	}
	ts, ok := r.w.cfg.Dialer.(trunkState)
	if !ok {
		return callbackline.Note{}
	}
	if err := ts.Up(r.cb.MemberID, r.line.Number); err != nil {
		return callbackline.NewNote("sip_down", err.Error())
	}
	return callbackline.Note{}
}

// dialPlaced is next's last step: the call goes out through SIP, or
// through Bitrix24 (the line's dialer, or its fallback while SIP is down).
func (r *run) dialPlaced(ctx context.Context) (time.Duration, error) {
	if r.line.PlacesViaBitrix24() {
		return r.place(ctx, callbackline.Note{})
	}
	why := r.noRoute()
	if r.line.Fallback && r.line.FromLine != "" {
		if why.Code == "" {
			why = r.sipDown()
		}
		if why.Code != "" {
			return r.place(ctx, why)
		}
	}
	if why.Code != "" {
		return 0, r.fail(ctx, why, true)
	}
	return r.attempt(ctx)
}

// trunkRefused says why a SIP line with a fallback hands the callback to
// Bitrix24 after its attempt: the trunk refused every INVITE before any
// phone rang (sip.Result.TrunkRefused; an employee who is busy or
// declines is not that). "" when it does not.
func (r *run) trunkRefused(res sip.Result) callbackline.Note {
	if !r.line.Fallback || r.line.FromLine == "" || !res.TrunkRefused() {
		return callbackline.Note{}
	}
	return callbackline.NewNote("trunk_refused", failedReason(res))
}

// checkEvery is how often a placed call's job looks for its outcome.
func (w *Worker) checkEvery() time.Duration {
	return min(max(w.cfg.EndEventWait/8, time.Second), 5*time.Second)
}

// place hands the callback's next call to Bitrix24. The intent is stored
// first (the attempt, then StatePlaced), the CALL_ID right after the
// answer: a start is never sent twice. fallback says why a SIP line's
// call goes this way ("" for a line on the Bitrix24 dialer).
func (r *run) place(ctx context.Context, fallback callbackline.Note) (time.Duration, error) {
	now := r.now().UTC()
	a := &callbackline.Attempt{CallbackID: r.cb.ID, Number: len(r.attempts) + 1, Dialer: callbackline.DialerBitrix24,
		StartedAt: now, UpdatedAt: now}
	if placed, after, err := r.placeAttempt(ctx, a, now); !placed {
		return after, err
	}
	r.cb.ClientAttempts++
	note := callbackline.NewNote("placing", r.cb.ClientAttempts, r.policy.ClientAttempts, r.line.FromLine, phone.Mask(r.cb.Phone))
	if fallback.Code != "" {
		note = callbackline.NewNote("fallback", fallback, note)
	}
	if err := r.step(ctx, callbackline.StatePlaced, a.ID, note); err != nil {
		return 0, err
	}
	if err := r.fenced(ctx, "handing the call to Bitrix24"); err != nil {
		return 0, err // taken over before the start: the other instance finds the attempt unsent
	}
	id, err := r.w.cfg.CRM.StartCallback(ctx, r.portal, bitrix24.StartCallback{
		FromLine: r.line.FromLine, ToNumber: r.cb.Phone, Text: r.startText(), Voice: r.startVoice()})
	r.w.cfg.Metrics.outcome(r.line.Number, "placed")
	if err != nil {
		return r.startFailed(ctx, a, err)
	}
	pctx, cancel := persist(ctx)
	defer cancel()
	a.CallID, a.UpdatedAt = id, r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(pctx, a); err != nil {
		return 0, err
	}
	if err := r.step(pctx, callbackline.StatePlaced, a.ID, callbackline.NewNote("placed", id)); err != nil {
		return 0, err
	}
	return r.w.checkEvery(), nil
}

// startText is TEXT_TO_PRONOUNCE: the request's text, at most 1000
// characters.
func (r *run) startText() string {
	text := strings.TrimSpace(r.cb.Text)
	if text == "" {
		return "Callback request from the website."
	}
	if utf8.RuneCountInString(text) > 1000 {
		text = string([]rune(text)[:1000])
	}
	return text
}

// startVoice is VOICE: the line's, else the request's; "" lets Bitrix24
// take the portal language's default.
func (r *run) startVoice() string {
	if r.line.Voice != "" {
		return r.line.Voice
	}
	return r.cb.Voice
}

// startFailed handles a start that failed. Refused (4xx, or no CALL_ID):
// nothing was dialled; the attempt is closed, and the callback fails with
// what the administrator must do. No answer (network, 5xx): the call may
// have been placed; the attempt stays open and the retried job looks for
// it in the statistics, never sending the start again.
func (r *run) startFailed(ctx context.Context, a *callbackline.Attempt, err error) (time.Duration, error) {
	r.w.cfg.Metrics.crmError("voximplant.callback.start")
	var refused *bitrix24.APIError
	known := bitrix24.DialerError(err, r.line.FromLine)
	if known == "" && (!errors.As(err, &refused) || refused.HTTPStatus >= 500) && !bitrix24.NeedsReinstall(err) {
		return 0, fmt.Errorf("voximplant.callback.start (the call may be placed; the retry looks for it): %w", err)
	}
	pctx, cancel := persist(ctx)
	defer cancel()
	if known == "" {
		known = "Bitrix24 refused the call: " + err.Error()
	}
	a.FinishedAt, a.Reason, a.UpdatedAt = r.now().UTC(), known, r.now().UTC()
	if serr := r.w.cfg.Store.SaveAttempt(pctx, a); serr != nil {
		return 0, serr
	}
	r.cb.ClientAttempts-- // nothing was dialled
	if bitrix24.NeedsReinstall(err) {
		return 0, r.fail(ctx, callbackline.NewNote("reason_reinstall", callbackline.ErrorMessage(err)), false)
	}
	return 0, r.fail(ctx, callbackline.NewNote(callbackline.NoteReason, "bitrix24_dialer: "+known), true)
}

// placedPending returns the last attempt when it was handed to Bitrix24
// and its outcome not yet applied.
func (r *run) placedPending() *callbackline.Attempt {
	if len(r.attempts) == 0 {
		return nil
	}
	a := r.attempts[len(r.attempts)-1]
	if !a.ViaBitrix24() || r.cb.State != callbackline.StatePlaced {
		return nil
	}
	return a
}

// closeUnsent closes a Bitrix24 attempt stored before a crash that came
// before StatePlaced: its start was never sent.
func (r *run) closeUnsent(ctx context.Context) error {
	for _, a := range r.attempts {
		if a.ViaBitrix24() && a.FinishedAt.IsZero() && a.CallID == "" && r.cb.State != callbackline.StatePlaced {
			a.FinishedAt, a.Reason, a.UpdatedAt = r.now().UTC(), "not sent: callbackline restarted before the start", r.now().UTC()
			if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// await looks for the outcome of a placed call: stored by the end event,
// else (after EndEventWait) in the statistics; without one past the
// bound the outcome is unknown and the responsible is told.
func (r *run) await(ctx context.Context, a *callbackline.Attempt) (time.Duration, error) {
	if !a.FinishedAt.IsZero() {
		return r.applyPlaced(ctx, a)
	}
	waited := r.now().Sub(a.StartedAt)
	if waited < r.w.cfg.EndEventWait && a.CallID != "" {
		return min(r.w.checkEvery(), r.w.cfg.EndEventWait-waited), nil
	}
	rec, err := r.lookUp(ctx, a)
	if err != nil {
		return 0, err
	}
	if rec != nil {
		return r.applyRecord(ctx, a, rec)
	}
	if waited > r.outcomeBound() {
		return r.unknown(ctx, a)
	}
	return r.w.checkEvery(), nil
}

// outcomeBound is how long a placed call may stay without an outcome.
func (r *run) outcomeBound() time.Duration {
	return r.w.cfg.EndEventWait + r.policy.MaxCallLength + 10*time.Minute
}

// lookUp finds the placed call's statistics record: by CALL_ID, or, when
// a crash lost the start's answer, by number, type and time.
func (r *run) lookUp(ctx context.Context, a *callbackline.Attempt) (*bitrix24.CallRecord, error) {
	filter := map[string]any{"CALL_ID": a.CallID}
	if a.CallID == "" {
		filter = map[string]any{"PHONE_NUMBER": r.cb.Phone, "CALL_TYPE": 4, ">=CALL_START_DATE": a.StartedAt.Add(-time.Minute)}
	}
	recs, err := r.w.cfg.CRM.CallStatistics(ctx, r.portal, filter)
	if err != nil {
		r.w.cfg.Metrics.crmError("voximplant.statistic.get")
		if bitrix24.NeedsReinstall(err) {
			return nil, err
		}
		r.log.Warn("looking up a placed call in the statistics failed; trying again later", "err", err)
		return nil, nil
	}
	for i := range recs {
		if a.CallID != "" || string(recs[i].PortalNumber) == r.line.FromLine {
			return &recs[i], nil
		}
	}
	return nil, nil
}

// applyRecord stores the outcome a statistics record gives and applies it.
func (r *run) applyRecord(ctx context.Context, a *callbackline.Attempt, rec *bitrix24.CallRecord) (time.Duration, error) {
	pctx, cancel := persist(ctx)
	defer cancel()
	found := a.CallID == ""
	a.CallID, a.StatusCode, a.Duration = string(rec.CallID), string(rec.FailedCode), int(rec.Duration)
	a.Reason, a.Connected = string(rec.FailedReason), a.StatusCode == "200"
	a.FinishedAt, a.UpdatedAt = r.now().UTC(), r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(pctx, a); err != nil {
		return 0, err
	}
	note := callbackline.NewNote("from_statistics")
	if found {
		note = callbackline.NewNote("found_in_statistics", a.CallID)
	}
	if err := r.step(pctx, callbackline.StatePlaced, a.ID, note); err != nil {
		return 0, err
	}
	return r.applyPlaced(ctx, a)
}

// unknown gives a placed call up whose outcome never came.
func (r *run) unknown(ctx context.Context, a *callbackline.Attempt) (time.Duration, error) {
	pctx, cancel := persist(ctx)
	defer cancel()
	a.FinishedAt, a.UpdatedAt = r.now().UTC(), r.now().UTC()
	a.Reason = "outcome unknown: neither the end event nor the call statistics told it"
	if err := r.w.cfg.Store.SaveAttempt(pctx, a); err != nil {
		return 0, err
	}
	return 0, r.fail(ctx, callbackline.NewNote("reason_outcome_unknown"), true)
}

// retryablePlaced are the CALL_FAILED_CODEs after which the client is
// called again while the policy allows (docs/bitrix24.md §7.6).
var retryablePlaced = map[string]string{
	"486": "busy", "304": "no answer", "480": "unavailable", "503": "unavailable",
	"603": "declined", "603-S": "cancelled",
}

// applyPlaced applies the redial policy to a placed call's outcome.
func (r *run) applyPlaced(ctx context.Context, a *callbackline.Attempt) (time.Duration, error) {
	ctx, cancel := persist(ctx)
	defer cancel()
	code := a.StatusCode
	if code == "200" {
		r.cb.Reason = ""
		if err := r.step(ctx, callbackline.StateDone, a.ID, callbackline.NewNote("done_placed", a.Duration)); err != nil {
			return 0, err
		}
		r.w.cfg.Metrics.outcome(r.line.Number, "done")
		return 0, nil
	}
	what, again := retryablePlaced[code]
	if !again {
		return 0, r.fail(ctx, placedFailure(code, a.Reason), true)
	}
	r.tried += fmt.Sprintf("call %d through Bitrix24: %s (%s); ", r.cb.ClientAttempts, what, code)
	if r.cb.ClientAttempts < r.policy.ClientAttempts {
		return r.schedule(ctx, r.now().Add(r.policy.ClientRetryAfter),
			callbackline.NewNote("placed_again", callbackline.NewNote(strings.ReplaceAll(what, " ", "_")), code))
	}
	return 0, r.fail(ctx, callbackline.NewNote("reason_unreachable_placed", r.cb.ClientAttempts, callbackline.NewNote(strings.ReplaceAll(what, " ", "_")), code), true)
}

// placedFailure is the reason of a call Bitrix24 ended with a code that
// is not called again, in words an administrator can act on.
func placedFailure(code, reason string) callbackline.Note {
	detail := code
	if reason != "" {
		detail += ", " + reason
	}
	switch code {
	case "402":
		return callbackline.NewNote("reason_b24_balance")
	case "403", "423":
		return callbackline.NewNote("reason_b24_refused", detail)
	case "404", "484":
		return callbackline.NewNote("reason_b24_unreachable", detail)
	}
	return callbackline.NewNote("reason_b24_failed", detail)
}
