package callback

import (
	"context"
	"errors"
	"fmt"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/sip"
)

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
	r.keepRecording(ctx, a)
	if err := r.step(ctx, callbackline.StateFinishing, a.ID, callbackline.NewNote("finishing", a.StatusCode, a.Duration)); err != nil {
		return err
	}
	return r.finishCall(ctx, a)
}

// finishCall calls telephony.externalCall.finish for a stored intent.
func (r *run) finishCall(ctx context.Context, a *callbackline.Attempt) error {
	if err := r.fenced(ctx, "finishing the call"); err != nil {
		return err
	}
	_, err := r.w.cfg.CRM.FinishCall(ctx, r.portal, bitrix24.FinishCall{
		CallID: a.CallID, UserID: a.UserID, Duration: a.Duration, StatusCode: a.StatusCode,
		FailedReason: bitrix24.Plain(a.Reason), AddToChat: true, // with the chat message: BB-code
	})
	if err != nil && !isCallNotFound(err) {
		r.w.cfg.Metrics.crmError("telephony.externalCall.finish")
		return fmt.Errorf("finishing the call in Bitrix24: %w", err)
	}
	a.FinishedAt, a.UpdatedAt = r.now().UTC(), r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		return err
	}
	note := callbackline.NewNote("finished", a.StatusCode, a.Duration)
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
