package callback_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/speech"
)

// callsTo counts the INVITEs a fake phone received.
func (e *env) callsTo(user string) int {
	n := 0
	for _, c := range e.phones.Calls() {
		if c.User == user || strings.TrimPrefix(c.User, "+") == strings.TrimPrefix(user, "+") {
			n++
		}
	}
	return n
}

// A finish that fails makes the job fail; River runs it again. The retry
// finishes the call and then applies the policy to the call's outcome:
// it must not dial again at once (no interval, possibly beyond the
// policy's number of calls).
func TestFinishErrorRetryKeepsPolicy(t *testing.T) {
	cases := []struct {
		name      string
		employee  siptest.Behavior
		client    siptest.Behavior
		rounds    int // EmployeeRounds after the retry
		clientN   int // ClientAttempts after the retry
		maxRings  int // INVITEs to the responsible's phone in all
		clientINV int // INVITEs to the client in all
	}{
		{"client busy", siptest.Behavior{Action: siptest.Answer}, siptest.Behavior{Action: siptest.Busy}, 0, 1, 1, 1},
		{"employee no answer", siptest.Behavior{Action: siptest.Ring}, siptest.Behavior{Action: siptest.Busy}, 1, 0, 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
			e.phones.Set(maxExt, tc.employee)
			e.phones.Set(clientE164, tc.client)
			e.portal.InjectFault("telephony.externalCall.finish", bitrix24test.Fault{Code: "ERROR_CORE", Description: "Unexpected database error", Times: 1})
			id := e.request(clientRaw, "LEAD", 5785)
			if _, err := e.worker.Run(context.Background(), id); err == nil {
				t.Fatal("a failed finish did not fail the job")
			}
			e.clock.Advance(5 * time.Second) // River's retry
			after := e.run(id)
			cb := e.callback(id)
			if cb.State != callbackline.StateScheduled || cb.EmployeeRounds != tc.rounds || cb.ClientAttempts != tc.clientN {
				t.Fatalf("after the retry: %+v", cb)
			}
			if after < 9*time.Minute {
				t.Errorf("comes back in %s, want the policy's 10 minutes", after)
			}
			if n := e.callsTo(maxExt); n != tc.maxRings {
				t.Errorf("the employee's phone rang %d times, want %d", n, tc.maxRings)
			}
			if n := e.callsTo(clientE164); n != tc.clientINV {
				t.Errorf("the client was dialled %d times, want %d", n, tc.clientINV)
			}
			// The failed finish did not run; the retry's finish closed the call.
			calls := e.portal.Calls()
			if len(calls) != 1 || !calls[0].Finished {
				t.Errorf("CRM calls %+v, want one, finished", calls)
			}
		})
	}
}

// The failure notification goes to the CRM entity's responsible, also when
// the callback fails before routing ran in that job (here: stale).
func TestStaleNotifiesResponsible(t *testing.T) {
	e := newEnv(t, callbackline.Line{Employees: []int64{annaID}, Policy: quick()}, nil)
	id := e.request(clientRaw, "LEAD", 5785)
	e.clock.Advance(25 * time.Hour)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateFailed {
		t.Fatalf("callback %+v", cb)
	}
	ns := e.portal.Notifications()
	if len(ns) != 1 || ns[0].UserID != maxID {
		t.Errorf("notifications %+v, want one to the lead's responsible %d", ns, maxID)
	}
}

// userParam reads a USER_ID parameter: 5, "5" or [5].
func userParam(v any) string {
	return strings.Trim(fmt.Sprint(v), "[]\" ")
}

// openCards replays register/show/hide/finish of every call and returns
// the users who still see a call card after the call was finished
// (finish hides the card only for its USER_ID, docs/bitrix24.md §5.3).
func (e *env) openCards() map[string][]string {
	open := map[string]map[string]bool{}
	for _, r := range e.portal.RESTCalls("") {
		switch r.Method {
		case "telephony.externalcall.register":
			// The CALL_ID is known from the portal's calls.
			for _, c := range e.portal.Calls() {
				if c.ExternalCallID == fmt.Sprint(r.Params["EXTERNAL_CALL_ID"]) {
					open[c.CallID] = map[string]bool{userParam(r.Params["USER_ID"]): true}
				}
			}
		case "telephony.externalcall.show":
			if m := open[fmt.Sprint(r.Params["CALL_ID"])]; m != nil {
				m[userParam(r.Params["USER_ID"])] = true
			}
		case "telephony.externalcall.hide", "telephony.externalcall.finish":
			if m := open[fmt.Sprint(r.Params["CALL_ID"])]; m != nil {
				delete(m, userParam(r.Params["USER_ID"]))
			}
		}
	}
	out := map[string][]string{}
	for id, m := range open {
		for u := range m {
			out[id] = append(out[id], u)
		}
	}
	return out
}

// No employee keeps a call card open once the call is over: in sequential
// mode the last employee rung, in ring-all mode those who did not answer.
func TestCallCardsClosed(t *testing.T) {
	t.Run("sequential nobody answers", func(t *testing.T) {
		e := newEnv(t, callbackline.Line{Employees: []int64{annaID}, Policy: quick()}, nil)
		e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Ring})
		e.phones.Set(annaExt, siptest.Behavior{Action: siptest.Ring})
		id := e.request(clientRaw, "LEAD", 5785)
		e.run(id)
		e.checkCRM()
		if open := e.openCards(); len(open) != 0 {
			t.Errorf("call cards still open: %v", open)
		}
	})
	t.Run("ring all", func(t *testing.T) {
		p := quick()
		p.RingMode = callbackline.RingAll
		e := newEnv(t, callbackline.Line{Employees: []int64{annaID}, Policy: p}, nil)
		e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Ring})
		e.phones.Set(annaExt, siptest.Behavior{Action: siptest.Answer, Delay: 300 * time.Millisecond})
		e.phones.Set(clientE164, answerThenHangUp)
		id := e.request(clientRaw, "LEAD", 5785)
		e.run(id)
		if cb := e.callback(id); cb.State != callbackline.StateDone {
			t.Fatalf("callback %+v", cb)
		}
		e.checkCRM()
		if open := e.openCards(); len(open) != 0 {
			t.Errorf("call cards still open: %v", open)
		}
	})
}

// register took effect in Bitrix24 but its answer was lost (also on the
// replay): the call is open there. The retried job must finish it, not
// leave it open and register another.
func TestRegisterAnswerLost(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.crm.MaxRetries, e.crm.MaxBackoff = 1, 100*time.Millisecond
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)
	e.portal.InjectFault("telephony.externalCall.register", bitrix24test.Fault{AfterRun: true, Drop: true, Times: 2})
	id := e.request(clientRaw, "LEAD", 5785)
	if _, err := e.worker.Run(context.Background(), id); err == nil {
		t.Fatal("a lost register answer did not fail the job")
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Fatalf("%d phones rang without a registered call", n)
	}
	e.clock.Advance(5 * time.Second) // River's retry
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %+v", cb)
	}
	e.checkCRM()
	if n := e.callsTo(clientE164); n != 1 {
		t.Errorf("the client was dialled %d times", n)
	}
	// The recovery registers only to learn the CALL_ID: it does not pop
	// the dead call's card up again.
	regs := e.portal.RESTCalls("telephony.externalCall.register")
	if len(regs) < 3 || fmt.Sprint(regs[2].Params["SHOW"]) != "0" {
		t.Errorf("the recovery's register showed the card: %+v", regs)
	}
}

// register is refused by Bitrix24 (a definite answer): nothing is open
// there and the retried job registers a new call.
func TestRegisterRefused(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)
	e.portal.InjectFault("telephony.externalCall.register", bitrix24test.Fault{Code: "ERROR_CORE", Description: "Unexpected database error", Times: 1})
	id := e.request(clientRaw, "LEAD", 5785)
	if _, err := e.worker.Run(context.Background(), id); err == nil {
		t.Fatal("a refused register did not fail the job")
	}
	e.clock.Advance(5 * time.Second)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %+v", cb)
	}
	if calls := e.checkCRM(); len(calls) != 1 {
		t.Errorf("%d calls registered, want 1", len(calls))
	}
}

// cancelDialer plays a call that connects while the job's context is
// cancelled (a shutdown past its grace, the job's timeout): the steps it
// reports must still be persisted.
type cancelDialer struct{ cancel context.CancelFunc }

func (cancelDialer) HasLine(string) bool { return false }

func (cancelDialer) Route(string, string) error { return nil }

func (cancelDialer) CheckExtension(string, string, string) error { return nil }

func (d cancelDialer) Callback(ctx context.Context, p sip.Plan) sip.Result {
	now := time.Now()
	ext := p.Employees[0]
	p.Progress(sip.Event{Type: sip.EventEmployeeRinging, Employee: ext, Time: now})
	p.Progress(sip.Event{Type: sip.EventEmployeeAnswered, Employee: ext, Time: now})
	d.cancel()
	p.Progress(sip.Event{Type: sip.EventAnnouncementDone, Employee: ext, Time: now})
	p.Progress(sip.Event{Type: sip.EventConnected, Employee: ext, Time: now})
	return sip.Result{Outcome: sip.OutcomeConnected, StatusCode: sip.StatusSuccess, Connected: now, Disconnected: now.Add(3 * time.Second),
		Started: now, Ended: now.Add(3 * time.Second), EndReason: "cancelled", HungUp: sip.PartyDialer}
}

func TestStepsPersistedAfterCancel(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := callback.New(callback.Config{Store: e.store, CRM: e.crm, Dialer: cancelDialer{cancel}, Now: e.clock.Now,
		Lines: []callbackline.Line{{Number: lineNumber, Policy: quick()}}, Guard: phone.DefaultPolicy(), Logger: logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	id := e.request(clientRaw, "LEAD", 5785)
	if _, err := w.Run(ctx, id); err != nil {
		t.Fatal(err)
	}
	if cb := e.callback(id); cb.State != callbackline.StateDone || cb.ClientAttempts != 1 {
		t.Fatalf("callback %+v", cb)
	}
	hist, err := e.store.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[callbackline.State]bool{}
	for _, h := range hist {
		seen[h.State] = true
	}
	for _, s := range []callbackline.State{callbackline.StateRingingClient, callbackline.StateConnected} {
		if !seen[s] {
			t.Errorf("step %s was not persisted after the cancellation", s)
		}
	}
	e.checkCRM()
}

// flakyStore fails saving an attempt once it is marked as dialling the
// client: the store breaks down mid-call.
type flakyStore struct {
	callback.Store
	failed bool
}

func (s *flakyStore) SaveAttempt(ctx context.Context, a *callbackline.Attempt) error {
	if a.ClientDialled && !a.Connected && a.StatusCode == "" && !s.failed {
		s.failed = true
		return callbackline.Errorf(callbackline.EUNAVAILABLE, "store down")
	}
	return s.Store.SaveAttempt(ctx, a)
}

// The client is called only once that is persisted: when the store
// cannot record it, the call ends before the client is connected (a crash
// then could not know, and the policy's count of calls would be lost).
func TestClientNotDialledUnlessPersisted(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)
	st := &flakyStore{Store: e.store}
	w := e.workerWith(func(c *callback.Config) { c.Store, c.Speech, c.RecordDir = st, nil, "" })
	id := e.request(clientRaw, "LEAD", 5785)
	if _, err := w.Run(context.Background(), id); err != nil {
		t.Logf("run: %v", err)
	}
	if !st.failed {
		t.Fatal("the store fault was not hit")
	}
	// sip sends the INVITE even when its context is already done, and
	// ends it at once: the client's phone must not be answered. Close
	// waits for every call and INVITE transaction of the dialer, so the
	// phone has answered by then if it ever would.
	if err := e.dialer.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range e.phones.Calls() {
		if c.User != maxExt && !c.Answered.IsZero() {
			t.Errorf("the client was called although that could not be recorded: %+v", c)
		}
	}
	e.checkCRM()
	if cb := e.callback(id); cb.State.Final() {
		t.Errorf("callback given up: %+v", cb)
	}
}

// The final notification says what was tried over all the callback's
// jobs, not only in the last one (in the portal's language: German).
func TestNotificationListsEveryCall(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, siptest.Behavior{Action: siptest.Busy})
	id := e.request(clientRaw, "LEAD", 5785)
	for e.run(id) > 0 {
		e.clock.Advance(10 * time.Minute)
	}
	notes := e.portal.Notifications()
	if len(notes) != 1 {
		t.Fatalf("notifications %+v", notes)
	}
	for n := 1; n <= 3; n++ {
		if want := fmt.Sprintf("Anruf %d um ", n); !strings.Contains(notes[0].Message, want) {
			t.Errorf("the notification does not mention call %d: %s", n, notes[0].Message)
		}
	}
	if strings.Count(notes[0].Message, "486") < 3 {
		t.Errorf("the notification does not give each call's status: %s", notes[0].Message)
	}
}

// A portal whose installation is broken (the token chain is gone) fails
// the callback with "reinstall" at routing, as it does at register,
// instead of failing the job again and again until the queue drops it.
func TestBrokenInstallFailsAtRouting(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.portal.RevokeTokens()
	id := e.request(clientRaw, "LEAD", 5785)
	after, err := e.worker.Run(context.Background(), id)
	if err != nil || after != 0 {
		t.Fatalf("run: %s, %v", after, err)
	}
	if cb := e.callback(id); cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "reinstall") {
		t.Fatalf("callback %+v", cb)
	}
	if len(e.phones.Calls()) != 0 {
		t.Error("a phone rang")
	}
}

// The toll-fraud guard is applied again just before dialling, also for
// click-to-call; the call Bitrix24 registered at the click is finished.
func TestClickToCallGuard(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)
	w := e.workerWith(func(c *callback.Config) { c.Guard = phone.Policy{AllowedCountries: []string{"FR"}} })
	id := e.clickRequest(maxID)
	if _, err := w.Run(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if cb := e.callback(id); cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "guard") {
		t.Errorf("callback %+v", cb)
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Errorf("%d phones rang for a number the guard refuses", n)
	}
	if calls := e.checkCRM(); len(calls) != 1 || calls[0].StatusCode != "403" {
		t.Errorf("CRM %+v", calls)
	}
}

// clickRequest stores a click-to-call of user as the intake does, after
// Bitrix24 registered the call, and returns the callback's id.
func (e *env) clickRequest(user int64) int64 {
	e.t.Helper()
	reg, err := e.crm.RegisterCall(context.Background(), e.member, registerOutgoing(user, clientE164))
	if err != nil {
		e.t.Fatal(err)
	}
	now := e.clock.Now()
	res, err := e.store.Intake(context.Background(), callbackline.IntakeRequest{Callback: &callbackline.Callback{
		MemberID: e.member.MemberID, Kind: callbackline.KindCall, Phone: clientE164, PhoneRaw: clientE164,
		CallID: reg.CallID, UserID: user, State: callbackline.StateReceived, CreatedAt: now, UpdatedAt: now,
	}})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Callback.ID
}

// The line's routing filters (absent, working day not open) choose who
// takes a callback; they do not refuse an employee's own click.
func TestClickToCallIgnoresRoutingFilters(t *testing.T) {
	p := quick()
	p.RequireWorkday, p.SkipAbsent = true, true
	e := newEnv(t, callbackline.Line{Policy: p}, nil)
	const lenaID, lenaExt = int64(1272), "104" // working day closed
	e.phones.Set(lenaExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.clickRequest(lenaID)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %+v", cb)
	}
	if n := e.callsTo(lenaExt); n != 1 {
		t.Errorf("the clicking employee's phone rang %d times", n)
	}
	e.checkCRM()
}

// A dismissed responsible is not told (nobody would read it): the line's
// first employee is.
func TestNotifySkipsDismissedResponsible(t *testing.T) {
	e := newEnv(t, callbackline.Line{Employees: []int64{annaID}, Policy: quick()}, nil)
	e.portal.SetEntity(bitrix24test.Entity{Type: "LEAD", ID: 9001, Title: "Old lead", AssignedByID: 1270, Phones: []string{clientE164}}) // Erika, dismissed
	id := e.request(clientRaw, "LEAD", 9001)
	e.clock.Advance(25 * time.Hour)
	e.run(id)
	ns := e.portal.Notifications()
	if len(ns) != 1 || ns[0].UserID != annaID {
		t.Errorf("notifications %+v, want one to the line's employee %d", ns, annaID)
	}
}

// The queue's last try of a job that keeps failing gives the callback up
// and tells the responsible, instead of leaving it in a middle state for
// ever when the queue discards the job.
func TestLastJobAttemptGivesUp(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.portal.InjectFault("telephony.externalCall.register", bitrix24test.Fault{Code: "ERROR_CORE", Description: "Unexpected database error"})
	id := e.request(clientRaw, "LEAD", 5785)
	job := &river.Job[callbackline.CallbackJob]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 3}, Args: callbackline.CallbackJob{CallbackID: id}}
	if err := e.worker.Work(context.Background(), job); err == nil {
		t.Fatal("the failing job did not fail")
	}
	if cb := e.callback(id); cb.State.Final() {
		t.Fatalf("given up before the last try: %+v", cb)
	}
	job.Attempt = 3
	if err := e.worker.Work(context.Background(), job); err == nil {
		t.Error("the last try hid its error")
	}
	cb := e.callback(id)
	if cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "error") {
		t.Fatalf("after the last try: %+v", cb)
	}
	if ns := e.portal.Notifications(); len(ns) != 1 || ns[0].UserID != maxID {
		t.Errorf("notifications %+v", ns)
	}
}

// noSpeech is a Speaker whose announcement is the beeps (empty path).
type noSpeech struct{}

func (noSpeech) Announce(ctx context.Context, s speech.Script) (speech.Announcement, error) {
	return speech.Announcement{}, nil
}

// The employee hangs up during the announcement: the client is not
// dialled, the call is finished once as declined, and the callback goes
// to the next round of employees later.
func TestEmployeeHangsUpDuringAnnouncement(t *testing.T) {
	p := quick()
	p.Announce = true
	e := newEnv(t, callbackline.Line{Policy: p}, noSpeech{})
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, HangupAfter: 300 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.request(clientRaw, "LEAD", 5785)
	after := e.run(id)
	cb := e.callback(id)
	if cb.State != callbackline.StateScheduled || cb.EmployeeRounds != 1 || cb.ClientAttempts != 0 || after < 9*time.Minute {
		t.Fatalf("callback %+v, back in %s", cb, after)
	}
	if n := e.callsTo(clientE164); n != 0 {
		t.Errorf("the client was dialled %d times", n)
	}
	if calls := e.checkCRM(); len(calls) != 1 || calls[0].StatusCode != "603" {
		t.Errorf("CRM %+v", calls)
	}
}

// glitchStore fails one Advance to the announcing state: a store glitch
// mid-call.
type glitchStore struct {
	callback.Store
	failed bool
}

func (s *glitchStore) Advance(ctx context.Context, cb *callbackline.Callback, attemptID int64, note callbackline.Note) error {
	if cb.State == callbackline.StateAnnouncing && !s.failed {
		s.failed = true
		return callbackline.Errorf(callbackline.EUNAVAILABLE, "store glitch")
	}
	return s.Store.Advance(ctx, cb, attemptID, note)
}

// One failed write during a call does not stop the later ones: the
// client's dialling is still recorded and counted (else a crash could
// dial again, and the policy's count of calls would be wrong).
func TestStoreGlitchMidCallStillCountsClient(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, siptest.Behavior{Action: siptest.Busy})
	st := &glitchStore{Store: e.store}
	w := e.workerWith(func(c *callback.Config) { c.Store, c.Speech, c.RecordDir = st, nil, "" })
	id := e.request(clientRaw, "LEAD", 5785)
	if _, err := w.Run(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if !st.failed {
		t.Fatal("the glitch was not hit")
	}
	dialled := e.callsTo(clientE164)
	cb := e.callback(id)
	if cb.ClientAttempts != dialled {
		t.Errorf("the client was dialled %d times, %d counted", dialled, cb.ClientAttempts)
	}
	as, err := e.store.Attempts(context.Background(), id)
	if err != nil || len(as) != 1 || as[0].ClientDialled != (dialled > 0) {
		t.Errorf("attempts %+v %v; client dialled %d", as, err, dialled)
	}
	e.checkCRM()
}

// A click-to-call whose number is refused at intake is never dialled, but
// the call Bitrix24 registered at the click is finished, once, with the
// status that says why (484: not a valid number).
func TestRejectedClickToCallFinished(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	reg, err := e.crm.RegisterCall(context.Background(), e.member, registerOutgoing(maxID, clientE164))
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	res, err := e.store.Intake(context.Background(), callbackline.IntakeRequest{Callback: &callbackline.Callback{
		MemberID: e.member.MemberID, Kind: callbackline.KindCall, PhoneRaw: "12", CallID: reg.CallID, UserID: maxID,
		State: callbackline.StateRejected, Reason: callbackline.ReasonInvalidNumber + ": too short",
		CreatedAt: now, UpdatedAt: now,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Queued {
		t.Fatal("a rejected click-to-call got no job: its registered call would stay open")
	}
	for range 2 { // a second run (a retried job) changes nothing
		if after, err := e.worker.Run(context.Background(), res.Callback.ID); err != nil || after != 0 {
			t.Fatalf("Run = %v, %v", after, err)
		}
	}
	if cb := e.callback(res.Callback.ID); cb.State != callbackline.StateRejected {
		t.Errorf("state %s, want rejected", cb.State)
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Errorf("%d phones rang for a rejected number", n)
	}
	if calls := e.checkCRM(); len(calls) != 1 || calls[0].StatusCode != "484" {
		t.Errorf("CRM %+v, want the clicked call finished once with 484", calls)
	}
	// A rejected callback request has no call to finish: no job.
	res, err = e.store.Intake(context.Background(), callbackline.IntakeRequest{Callback: &callbackline.Callback{
		MemberID: e.member.MemberID, PhoneRaw: "12", State: callbackline.StateRejected,
		Reason: callbackline.ReasonInvalidNumber + ": too short", CreatedAt: now, UpdatedAt: now,
	}})
	if err != nil || res.Queued {
		t.Errorf("rejected callback request: queued %v, %v", res.Queued, err)
	}
}

// A process that dies while giving a callback up (after the responsible
// was told, before the timeline comment, with the missed call stored but
// not yet registered) leaves it in StateNotifying; the next run finishes
// the telling: the missed call registered and finished once, the
// notification not sent twice, the comment added, the callback failed.
func TestNotifyingResumesAfterCrash(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	id := e.request(clientRaw, "LEAD", 5785)
	ctx := context.Background()
	cb := e.callback(id)
	cb.State, cb.Reason = callbackline.StateNotifying, "stale: the request is older than 24h0m0s and was not called"
	if err := e.store.Advance(ctx, cb, 0, callbackline.Plain("giving up: "+cb.Reason)); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	a := &callbackline.Attempt{CallbackID: id, Number: 1, UserID: maxID, StatusCode: "304", Reason: cb.Reason,
		ExternalCallID: callbackline.ExternalCallID(id, 1), StartedAt: now, UpdatedAt: now}
	if err := e.store.SaveAttempt(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Advance(ctx, cb, 0, callbackline.Plain("responsible user notified")); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second run changes nothing
		if after := e.run(id); after != 0 {
			t.Fatalf("run: again after %s", after)
		}
	}
	if got := e.callback(id); got.State != callbackline.StateFailed || got.Reason != cb.Reason {
		t.Errorf("callback %s %q, want failed with the reason kept", got.State, got.Reason)
	}
	if calls := e.checkCRM(); len(calls) != 1 || calls[0].StatusCode != "304" {
		t.Errorf("CRM %+v, want one missed call finished with 304", calls)
	}
	if n := len(e.portal.Notifications()); n != 0 {
		t.Errorf("%d notifications, want none: the responsible was told before the crash", n)
	}
	if c := e.portal.Comments(); len(c) != 1 {
		t.Errorf("timeline comments %+v, want one", c)
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Errorf("%d phones rang for a callback being given up", n)
	}
}

// A callback given up because the portal refused callbackline's tokens
// may leave its registered call open (finish needs the tokens). Once the
// portal installs the application again, Reinstalled finishes it, once,
// with 603-S; running it again changes nothing.
func TestReinstalledClosesOpenCalls(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	ctx := context.Background()
	id := e.request(clientRaw, "LEAD", 5785)
	reg, err := e.crm.RegisterCall(ctx, e.member, bitrix24.RegisterCall{UserID: maxID, PhoneNumber: clientE164,
		Type: bitrix24.CallCallback, ExternalCallID: callbackline.ExternalCallID(id, 1)})
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	a := &callbackline.Attempt{CallbackID: id, Number: 1, CallID: reg.CallID, UserID: maxID, Extension: maxExt,
		ExternalCallID: callbackline.ExternalCallID(id, 1), StartedAt: now, UpdatedAt: now}
	if err := e.store.SaveAttempt(ctx, a); err != nil {
		t.Fatal(err)
	}
	cb := e.callback(id)
	cb.State, cb.Reason = callbackline.StateFailed, "reinstall: the portal must install the application again (invalid_grant)"
	if err := e.store.Advance(ctx, cb, 0, callbackline.Plain("failed: "+cb.Reason)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.worker.Reinstalled(ctx, e.member); err != nil {
			t.Fatal(err)
		}
	}
	if calls := e.checkCRM(); len(calls) != 1 || calls[0].StatusCode != "603-S" {
		t.Errorf("CRM %+v, want the open call finished once with 603-S", calls)
	}
	if got := e.callback(id); got.State != callbackline.StateFailed {
		t.Errorf("callback state %s, want failed", got.State)
	}
}

// A recording the portal does not take (it is down) is not lost: after
// the quick tries in the callback's job an AttachJob is queued, once, and
// when it runs with the portal back the recording is attached, once.
func TestAttachLater(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	w := e.workerWith(func(c *callback.Config) { c.AttachTries, c.AttachBackoff = 2, 10*time.Millisecond })
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	e.portal.InjectFault("telephony.externalCall.attachRecord", bitrix24test.Fault{Status: 503, Code: "INTERNAL_SERVER_ERROR"})
	e.crm.MaxRetries = 1 // the client's own replays of a safe call, kept short here
	id := e.request(clientRaw, "LEAD", 5785)
	if _, err := w.Run(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %s %q", cb.State, cb.Reason)
	}
	if calls := e.checkCRM(); len(calls) != 1 || len(calls[0].Records) != 0 {
		t.Fatalf("CRM %+v, want the call finished without its recording yet", calls)
	}
	if n, err := e.store.CountJobs(context.Background(), "attach"); err != nil || n != 1 {
		t.Fatalf("attach jobs %d (%v), want 1", n, err)
	}
	attempts, err := e.store.Attempts(context.Background(), id)
	if err != nil || len(attempts) != 1 {
		t.Fatalf("attempts %v %v", attempts, err)
	}
	job := callbackline.AttachJob{CallbackID: id, AttemptID: attempts[0].ID}
	if err := w.Attach(context.Background(), job); err == nil {
		t.Fatal("Attach succeeded while the portal refuses attachRecord")
	}
	e.portal.ClearFaults()
	for range 2 { // a second run (a duplicate try) attaches nothing more
		if err := w.Attach(context.Background(), job); err != nil {
			t.Fatal(err)
		}
	}
	if calls := e.checkCRM(); len(calls) != 1 || len(calls[0].Records) != 1 || !strings.HasSuffix(calls[0].Records[0].FileName, ".wav") {
		t.Errorf("CRM %+v, want the recording attached once", calls)
	}
	if a, _ := e.store.Attempts(context.Background(), id); a[0].RecordFileID == 0 {
		t.Error("the attached file's id was not stored")
	}
}
