package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/speech"
)

// dial places the call and follows it (see progress) until it ends.
func (r *run) dial(ctx context.Context, a *callbackline.Attempt, cands []candidate) sip.Result {
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	p := r.newProgress(ctx, a, cands, stop)
	plan := r.plan(a, cands)
	plan.Progress = p.event
	plan.ClientNotice = r.recordNotice(ctx, plan.Recording)
	started := r.now()
	res := r.w.cfg.Dialer.Callback(dctx, plan)
	p.closeCards()
	r.w.cfg.Metrics.sipResult(res)
	r.log.Info("call ended", slog.String("outcome", string(res.Outcome)), slog.String("status", res.StatusCode),
		slog.Int("talk_seconds", res.TalkSeconds()), slog.Duration("took", r.now().Sub(started)))
	return res
}

// plan is what the dialer is asked to do for an attempt.
func (r *run) plan(a *callbackline.Attempt, cands []candidate) sip.Plan {
	exts := make([]string, 0, len(cands))
	for _, c := range cands {
		exts = append(exts, c.extension)
	}
	plan := sip.Plan{
		ID: fmt.Sprintf("%d-%d", r.cb.ID, a.Number), Portal: r.cb.MemberID, Employees: exts,
		RingAll: r.policy.RingMode == callbackline.RingAll, RequireAccept: r.policy.RequireAccept,
		Client: r.cb.Phone, Recording: r.recordPath(a),
		Timeouts: sip.Timeouts{EmployeeRing: r.policy.EmployeeRingTimeout, ClientRing: r.policy.ClientRingTimeout, MaxCall: r.policy.MaxCallLength},
	}
	// The dialer's own line of the same number (trunk, caller ID), if it
	// has one; else the line's caller ID, else the trunk's.
	if r.w.cfg.Dialer.HasLine(r.line.Number) {
		plan.Line = r.line.Number
	}
	if r.line.CallerID != "" {
		plan.CallerID = sip.CallerID{Number: r.line.CallerID, Name: r.line.CallerName}
	}
	if r.policy.Announce && r.w.cfg.Speech != nil {
		// Synthesised while the employee's phone rings.
		plan.Prepare = func(ctx context.Context) (string, error) { return r.announcement(ctx), nil }
	}
	return plan
}

// announcement returns the announcement file of the request: its text
// (else the line's phrase for a form without one) in its voice (else the
// line's), said as often as the policy asks, then the accept prompt when
// the employee must press 1.
func (r *run) announcement(ctx context.Context) string {
	say := r.phrases()
	sc := speech.Script{Text: strings.TrimSpace(r.cb.Text), Voice: r.cb.Voice, Repeat: r.policy.AnnounceRepeat}
	if sc.Text == "" {
		sc.Text = say.NoText
	}
	if strings.TrimSpace(sc.Voice) == "" {
		sc.Voice = r.policy.Voice
	}
	if r.policy.RequireAccept {
		sc.Prompt = say.Accept
	}
	ann, err := r.w.cfg.Speech.Announce(ctx, sc)
	if err != nil {
		r.log.Warn("no announcement", slog.Any("err", err))
		return ""
	}
	if ann.Err != nil {
		r.log.Warn("speech failed: a tone is played instead", slog.Any("err", ann.Err))
	}
	return ann.Path
}

// phrases returns the phrases of the callback's language (the line's,
// else the portal's: run.lang), English where they leave one out.
func (r *run) phrases() Phrases {
	p := EnglishPhrases
	if r.w.cfg.Phrases == nil {
		return p
	}
	got := r.w.cfg.Phrases(r.lang())
	if got.NoText != "" {
		p.NoText = got.NoText
	}
	if got.Accept != "" {
		p.Accept = got.Accept
	}
	if got.Recorded != "" {
		p.Recorded = got.Recorded
	}
	return p
}

// recordNotice is the notice the client hears before being connected on a
// line with record_notice, spoken in the callback's language and voice;
// "" when the line has none, the call is not recorded (recording), or
// nothing speaks (logged: the call goes on without it).
func (r *run) recordNotice(ctx context.Context, recording string) string {
	if !r.line.RecordNotice || recording == "" {
		return ""
	}
	if r.w.cfg.Speech == nil {
		r.log.Warn("the line announces its recording, but speech is off: the client is not told")
		return ""
	}
	sc := speech.Script{Text: r.phrases().Recorded, Voice: r.cb.Voice, Repeat: 1}
	if strings.TrimSpace(sc.Voice) == "" {
		sc.Voice = r.policy.Voice
	}
	ann, err := r.w.cfg.Speech.Announce(ctx, sc)
	if err != nil || ann.Err != nil || !ann.Speech {
		r.log.Warn("the recording notice could not be spoken: the client is not told", slog.Any("err", errors.Join(err, ann.Err)))
		return ""
	}
	return ann.Path
}
