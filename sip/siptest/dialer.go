package siptest

import (
	"context"
	"sync"
	"time"

	"github.com/callbackline/callbackline/sip"
)

// FakeDialer stands in for *sip.Dialer in tests of code that places
// callbacks: Callback returns scripted results, without any SIP, and
// reports the progress events that match each result.
type FakeDialer struct {
	mu     sync.Mutex
	script []sip.Result
	plans  []sip.Plan
	repeat sip.Result
	// Step is the pause between progress events (default none).
	Step time.Duration
	// ExtensionPattern is the extension rule of its one trunk, as
	// sip.Trunk.ExtensionPattern ("" is the default rule).
	ExtensionPattern string
	// NoRoute, when set, says which portals have no way out (Route).
	NoRoute func(memberID string) bool
}

// NewFakeDialer returns a FakeDialer that answers with results in order,
// then with the last one again (or a connected call when there are none).
func NewFakeDialer(results ...sip.Result) *FakeDialer {
	f := &FakeDialer{script: results}
	f.repeat = Connected(1)
	if len(results) > 0 {
		f.repeat = results[len(results)-1]
	}
	return f
}

// Plans returns the plans Callback was given, in order.
func (f *FakeDialer) Plans() []sip.Plan {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sip.Plan(nil), f.plans...)
}

// Callback records the plan and returns the next scripted result, with
// its times set to now. A cancelled context gives a cancelled result.
func (f *FakeDialer) Callback(ctx context.Context, p sip.Plan) sip.Result {
	f.mu.Lock()
	f.plans = append(f.plans, p)
	r := f.repeat
	if len(f.script) > 0 {
		r, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()
	now := time.Now()
	r.Started = now
	emp := ""
	if len(p.Employees) > 0 {
		emp = p.Employees[0]
	}
	emit := func(t sip.EventType) bool {
		if f.Step > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(f.Step):
			}
		}
		if ctx.Err() != nil {
			return false
		}
		if p.Progress != nil {
			p.Progress(sip.Event{Type: t, Time: time.Now(), Employee: emp})
		}
		return true
	}
	steps := []sip.EventType{sip.EventEmployeeRinging}
	switch r.Outcome {
	case sip.OutcomeEmployeeFailed:
		steps = append(steps, sip.EventEmployeeFailed)
	case sip.OutcomeEmployeeHungUp:
		steps = append(steps, sip.EventEmployeeAnswered)
	case sip.OutcomeClientFailed:
		steps = append(steps, sip.EventEmployeeAnswered, sip.EventAnnouncementDone, sip.EventClientRinging)
	case sip.OutcomeConnected:
		steps = append(steps, sip.EventEmployeeAnswered, sip.EventAnnouncementDone, sip.EventClientRinging, sip.EventConnected)
	}
	for _, s := range steps {
		if !emit(s) {
			r = sip.Result{Outcome: sip.OutcomeCancelled, StatusCode: sip.StatusCancelled, Started: now,
				Err: &sip.Error{Kind: sip.KindCancelled, Reason: "cancelled", Err: context.Cause(ctx)}}
			break
		}
	}
	talk := r.Talk()
	if !r.Connected.IsZero() || r.Outcome == sip.OutcomeConnected {
		r.Connected = time.Now()
		r.Disconnected = r.Connected.Add(talk)
	}
	r.Ended = time.Now().Add(talk)
	if p.Progress != nil {
		rr := r
		p.Progress(sip.Event{Type: sip.EventEnded, Time: r.Ended, Employee: emp, Result: &rr})
	}
	return r
}

// Connected is a result for a connected call of talk seconds.
func Connected(talk int) sip.Result {
	t0 := time.Time{}.Add(time.Hour)
	return sip.Result{Outcome: sip.OutcomeConnected, StatusCode: sip.StatusSuccess, HungUp: sip.PartyClient, EndReason: "hangup",
		Connected: t0, Disconnected: t0.Add(time.Duration(talk) * time.Second)}
}

// Failed is a result for a callback that failed with e; its STATUS_CODE
// is e.StatusCode(), as with the real dialer.
func Failed(outcome sip.Outcome, e *sip.Error) sip.Result {
	return sip.Result{Outcome: outcome, StatusCode: e.StatusCode(), Err: e}
}

// HasLine reports whether the FakeDialer has a line of that number of its
// own: it has none.
func (f *FakeDialer) HasLine(string) bool { return false }

// Route reports the FakeDialer's way out for a portal's line: none when
// NoRoute is set (an *sip.Error of KindNoRoute, as *sip.Dialer says when
// no trunk serves the portal).
func (f *FakeDialer) Route(memberID, _ string) error {
	if f.NoRoute != nil && f.NoRoute(memberID) {
		return &sip.Error{Kind: sip.KindNoRoute, Reason: "no trunk serves this portal (FakeDialer.NoRoute)"}
	}
	return nil
}

// CheckExtension checks ext against the FakeDialer's extension rule, as
// *sip.Dialer does for the trunk of the portal's line.
func (f *FakeDialer) CheckExtension(_, _, ext string) error {
	c := sip.Config{Trunks: []sip.Trunk{{ExtensionPattern: f.ExtensionPattern}}}
	rule, err := c.ExtensionRule("")
	if err != nil {
		return err
	}
	if e := rule.Check("plan.employees", ext); e != nil {
		return e
	}
	return nil
}
