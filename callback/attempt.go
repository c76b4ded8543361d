package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip"
)

// attempt routes the callback, registers one call in Bitrix24, places it
// and applies the policy to its outcome.
func (r *run) attempt(ctx context.Context) (time.Duration, error) {
	if err := r.step(ctx, callbackline.StateRouting, 0, "choosing the employee"); err != nil {
		return 0, err
	}
	cands, err := r.route(ctx)
	if err != nil {
		return 0, err
	}
	if len(cands) == 0 {
		return r.employeesFailed(ctx, "nobody to call: no responsible or line employee is active, present and reachable")
	}
	now := r.now().UTC()
	a := &callbackline.Attempt{
		CallbackID: r.cb.ID, Number: len(r.attempts) + 1, UserID: cands[0].userID, Extension: cands[0].extension,
		StartedAt: now, UpdatedAt: now,
	}
	a.ExternalCallID = callbackline.ExternalCallID(r.cb.ID, a.Number)
	// The attempt is stored before register: a crash between the two is
	// recovered by registering again with the same EXTERNAL_CALL_ID (same
	// CALL_ID within 30 minutes) and finishing.
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		return 0, err
	}
	r.attempts = append(r.attempts, a)
	reg, err := r.w.cfg.CRM.RegisterCall(ctx, r.portal, r.register(a, now))
	if err != nil {
		r.w.cfg.Metrics.crmError("telephony.externalCall.register")
		var refused *bitrix24.APIError
		if !bitrix24.NeedsReinstall(err) && (!errors.As(err, &refused) || refused.HTTPStatus >= 500) {
			// No answer, a server error or a cancelled context: the call
			// may be registered all the same. The attempt stays open, so
			// the retried job registers it again under the same
			// EXTERNAL_CALL_ID (the same CALL_ID) and finishes it.
			return 0, fmt.Errorf("registering the call in Bitrix24 (it may be open there; the retry closes it): %w", err)
		}
		// Refused: nothing is open in Bitrix24. Close the attempt so that
		// recovery does not register it.
		pctx, cancel := persist(ctx)
		defer cancel()
		a.FinishedAt, a.StatusCode, a.Reason, a.UpdatedAt = r.now().UTC(), "", "register failed: "+err.Error(), r.now().UTC()
		if serr := r.w.cfg.Store.SaveAttempt(pctx, a); serr != nil {
			return 0, serr
		}
		if bitrix24.NeedsReinstall(err) {
			return 0, r.fail(ctx, reasonReinstall+"the portal must install the application again ("+callbackline.ErrorMessage(err)+")", false)
		}
		return 0, fmt.Errorf("registering the call in Bitrix24: %w", err)
	}
	a.CallID, a.UpdatedAt = reg.CallID, r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		return 0, err
	}
	if err := r.step(ctx, callbackline.StateRingingEmployee, a.ID,
		fmt.Sprintf("call card registered (%s); ringing %s", a.CallID, describe(cands))); err != nil {
		return 0, err
	}
	res := r.dial(ctx, a, cands)
	r.bg.Wait()
	if err := r.finish(ctx, a, res); err != nil {
		return 0, err
	}
	return r.apply(ctx, a, res)
}

// register builds the telephony.externalCall.register call of an attempt.
func (r *run) register(a *callbackline.Attempt, now time.Time) bitrix24.RegisterCall {
	return bitrix24.RegisterCall{
		UserID: a.UserID, PhoneNumber: r.cb.Phone, Type: bitrix24.CallCallback, CallStartDate: now,
		CRMEntityType: r.cb.CRMEntityType, CRMEntityID: r.cb.CRMEntityID, Show: true,
		LineNumber: r.cb.LineNumber, ExternalCallID: a.ExternalCallID,
	}
}

// dial places the call. Each step is persisted as it happens; the client
// leg is marked dialled (and counted) before its INVITE goes out.
func (r *run) dial(ctx context.Context, a *callbackline.Attempt, cands []candidate) sip.Result {
	byExt := map[string]candidate{}
	exts := make([]string, 0, len(cands))
	for _, c := range cands {
		byExt[c.extension] = c
		exts = append(exts, c.extension)
	}
	plan := sip.Plan{
		ID: fmt.Sprintf("%d-%d", r.cb.ID, a.Number), Employees: exts,
		RingAll: r.policy.RingMode == callbackline.RingAll, RequireAccept: r.policy.RequireAccept,
		Client: r.cb.Phone, Recording: r.recordPath(a),
		Timeouts: sip.Timeouts{EmployeeRing: r.policy.EmployeeRingTimeout, ClientRing: r.policy.ClientRingTimeout, MaxCall: r.policy.MaxCallLength},
	}
	// The dialer's own line of the same number (trunk, caller ID), if it
	// has one; else the line's caller ID, else the trunk's.
	if l, ok := r.w.cfg.Dialer.(interface{ HasLine(string) bool }); ok && l.HasLine(r.line.Number) {
		plan.Line = r.line.Number
	}
	if r.line.CallerID != "" {
		plan.CallerID = sip.CallerID{Number: r.line.CallerID, Name: r.line.CallerName}
	}
	if r.policy.Announce && r.w.cfg.Speech != nil {
		// Synthesised while the employee's phone rings.
		plan.Prepare = func(ctx context.Context) (string, error) { return r.announcement(ctx), nil }
	}
	// Who sees the call card now: register showed it to the first
	// candidate. In sequential mode it moves with the ringing; in ring-all
	// mode everybody rung sees it until somebody answers.
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	shown := map[int64]bool{a.UserID: true}
	current := a.UserID
	ringAll := r.policy.RingMode == callbackline.RingAll
	rang := false
	var mu sync.Mutex
	started := r.now()
	plan.Progress = func(e sip.Event) {
		mu.Lock()
		defer mu.Unlock()
		// The steps are written even when the job's context ends during
		// the call (the dialer then ends the call; what happened stays).
		wctx, cancel := persist(ctx)
		defer cancel()
		var err error
		switch e.Type {
		case sip.EventEmployeeRinging:
			c := byExt[e.Employee]
			if !rang && a.Number == 1 {
				r.w.cfg.Metrics.firstRing(r.now().Sub(r.cb.CreatedAt))
			}
			rang = true
			if c.userID != 0 && !shown[c.userID] {
				var hide []int64
				if !ringAll && current != 0 {
					hide = []int64{current}
					delete(shown, current)
				}
				r.moveCard(ctx, a.CallID, []int64{c.userID}, hide)
				shown[c.userID] = true
			}
			if !ringAll && c.userID != 0 {
				current = c.userID
			}
			if r.cb.State != callbackline.StateRingingEmployee {
				err = r.step(wctx, callbackline.StateRingingEmployee, a.ID, "ringing "+c.describe())
			}
		case sip.EventEmployeeFailed:
			r.w.cfg.Metrics.employee(r.line.Number, e.Employee, false)
			r.tried += fmt.Sprintf("%s did not take the call; ", byExt[e.Employee].describe())
		case sip.EventEmployeeAnswered:
			c := byExt[e.Employee]
			r.w.cfg.Metrics.employee(r.line.Number, e.Employee, true)
			a.UserID, a.Extension = c.userID, c.extension
			if ringAll { // the others stop ringing: their cards close
				var hide []int64
				for u := range shown {
					if u != c.userID {
						hide = append(hide, u)
						delete(shown, u)
					}
				}
				if len(hide) > 0 {
					r.moveCard(ctx, a.CallID, nil, hide)
				}
			}
			err = r.step(wctx, callbackline.StateAnnouncing, a.ID, c.describe()+" answered; speaking the request")
		case sip.EventAnnouncementDone:
			// Persisted before the client's INVITE is sent: a restart never
			// dials the client twice for this attempt.
			a.ClientDialled, a.UpdatedAt = true, r.now().UTC()
			r.cb.ClientAttempts++
			if err = r.w.cfg.Store.SaveAttempt(wctx, a); err == nil {
				err = r.step(wctx, callbackline.StateRingingClient, a.ID,
					fmt.Sprintf("calling the client %s (call %d of %d)", phone.Mask(r.cb.Phone), r.cb.ClientAttempts, r.policy.ClientAttempts))
			}
			if err != nil {
				// Not recorded: the client must not be dialled (a crash
				// could not tell). The call ends here and goes on later.
				stop()
			}
		case sip.EventConnected:
			a.Connected, a.UpdatedAt = true, r.now().UTC()
			r.w.cfg.Metrics.connected(r.now().Sub(r.cb.CreatedAt))
			if err = r.w.cfg.Store.SaveAttempt(wctx, a); err == nil {
				err = r.step(wctx, callbackline.StateConnected, a.ID, "the client answered: connected")
			}
		}
		if err != nil {
			// Each later step is still written (the in-memory state is
			// whole): one glitch must not hide the client's dialling.
			r.log.Error("persisting a call step failed; the call goes on", slog.Any("err", err))
		}
	}
	res := r.w.cfg.Dialer.Callback(dctx, plan)
	// finish hides the card only for the attempt's user: close the others
	// (the last employee rung in vain, those rung at once).
	mu.Lock()
	var hide []int64
	for u := range shown {
		if u != a.UserID && u != 0 {
			hide = append(hide, u)
		}
	}
	if len(hide) > 0 {
		pctx, cancel := persist(ctx)
		r.moveCard(pctx, a.CallID, nil, hide)
		r.bg.Wait()
		cancel()
	}
	mu.Unlock()
	r.w.cfg.Metrics.sipResult(res)
	r.log.Info("call ended", slog.String("outcome", string(res.Outcome)), slog.String("status", res.StatusCode),
		slog.Int("talk_seconds", res.TalkSeconds()), slog.Duration("took", r.now().Sub(started)))
	return res
}

// announcement returns the announcement file of the request's text.
func (r *run) announcement(ctx context.Context) string {
	text := strings.TrimSpace(r.cb.Text)
	if text == "" {
		text = "Callback request from the website. Connecting you with the client."
	}
	ann, err := r.w.cfg.Speech.Announce(ctx, text, r.cb.Voice)
	if err != nil {
		r.log.Warn("no announcement", slog.Any("err", err))
		return ""
	}
	if ann.Err != nil {
		r.log.Warn("speech failed: a tone is played instead", slog.Any("err", ann.Err))
	}
	return ann.Path
}

// moveCard shows the call card to the users in show and then hides it
// from those in hide. It runs in the background (the ringing does not
// wait for Bitrix24), after the moves started before it: a card is never
// hidden before it was shown. r.bg.Wait waits for all of them.
func (r *run) moveCard(ctx context.Context, callID string, show, hide []int64) {
	prev := r.cards
	done := make(chan struct{})
	r.cards = done
	r.bg.Add(1)
	go func() {
		defer r.bg.Done()
		defer close(done)
		if prev != nil {
			<-prev
		}
		for _, u := range show {
			if _, err := r.w.cfg.CRM.ShowCall(ctx, r.portal, callID, u); err != nil {
				r.log.Warn("showing the call card failed", slog.Any("err", err))
			}
		}
		for _, u := range hide {
			if _, err := r.w.cfg.CRM.HideCall(ctx, r.portal, callID, u); err != nil {
				r.log.Warn("hiding the call card failed", slog.Any("err", err))
			}
		}
	}()
}
