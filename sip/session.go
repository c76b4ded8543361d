package sip

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	sipgosip "github.com/emiago/sipgo/sip"
)

var (
	errAnsweredElsewhere = errors.New("answered by another employee")
	errEmployeeGone      = errors.New("the employee hung up")
)

// session is one callback's call in progress: the employee legs rung one
// after the other (or at once), the client leg and the bridge between them.
type session struct {
	d      *Dialer
	p      Plan
	t      Timeouts
	trunk  *Trunk
	route  *sipgosip.Uri
	caller CallerID
	log    *slog.Logger
	ctx    context.Context // the caller's context, also cancelled by Close
	res    *Result
	evMu   sync.Mutex
	bg     sync.WaitGroup // legs still being cancelled after another answered

	synth chan synthesis // Plan.Prepare's result, when it is used
}

// synthesis is what Plan.Prepare produced.
type synthesis struct {
	path string
	err  error
}

// ending is how the call with one employee ended: the outcome, its error,
// and whether the next employee should be tried.
type ending struct {
	outcome Outcome
	err     *Error
	next    bool
}

// Callback places the callback the plan describes and returns when it is
// over: the employee rings, hears the announcement, (optionally) accepts
// with 1, the client rings while the employee hears a ringback tone, then
// both are bridged and recorded until one hangs up, the maximum call length
// passes, or a leg sends no RTP for the dead-peer timeout (a leg the far end
// has put on hold is exempt until it is taken off hold). Cancelling ctx
// hangs up (or cancels) every leg. Progress is reported through
// plan.Progress as it happens.
func (d *Dialer) Callback(ctx context.Context, p Plan) Result {
	res := &Result{Started: time.Now()}
	if !d.acquire() {
		return d.finish(res, nil, OutcomeCancelled, ErrClosed)
	}
	defer d.calls.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(d.callCtx, cancel)
	defer stop()

	s := &session{d: d, p: p, t: p.Timeouts.withDefaults(), ctx: ctx, res: res,
		log: d.log.With("callback", p.ID)}
	if err := s.resolve(); err != nil {
		return d.finish(res, s, OutcomeFailed, err)
	}
	prepCtx, stopPrep := context.WithCancel(ctx)
	defer stopPrep()
	if p.Prepare != nil && p.Announcement == "" {
		s.synthesize(prepCtx)
	}
	outcome, err := s.run()
	stopPrep() // a call that ended early need not wait for the synthesis
	s.bg.Wait()
	return d.finish(res, s, outcome, err)
}

// synthesize makes the announcement while the employee's phone rings; it
// is waited for on answer.
func (s *session) synthesize(ctx context.Context) {
	s.synth = make(chan synthesis, 1)
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		path, err := s.p.Prepare(ctx)
		if err == nil && path != "" {
			err = checkAnnouncement(path)
		}
		s.synth <- synthesis{path, err}
	}()
}

// finish fills in the summary fields and reports EventEnded.
func (d *Dialer) finish(res *Result, s *session, outcome Outcome, err *Error) Result {
	res.Ended = time.Now()
	res.Outcome = outcome
	if err != nil {
		if outcome == OutcomeConnected {
			res.StatusCode = StatusSuccess
		} else {
			res.StatusCode = statusFor(err)
		}
		res.Err = err
	} else {
		res.StatusCode = StatusSuccess
	}
	if res.Employee == nil && len(res.Attempts) > 0 {
		res.Employee = res.Attempts[len(res.Attempts)-1]
	}
	if s != nil {
		s.log.Info("sip callback ended", "outcome", res.Outcome, "status_code", res.StatusCode,
			"talk_s", res.TalkSeconds(), "hung_up", res.HungUp, "end", res.EndReason, "error", res.Err)
		s.emit(Event{Type: EventEnded, Result: res})
	}
	return *res
}

// emit reports a step to Plan.Progress, one at a time.
func (s *session) emit(e Event) {
	if s.p.Progress == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	s.evMu.Lock()
	defer s.evMu.Unlock()
	s.p.Progress(e)
}

// run is the call flow.
func (s *session) run() (Outcome, *Error) {
	pending := s.p.Employees
	var last *Error
	for len(pending) > 0 {
		batch := pending[:1]
		if s.p.RingAll {
			batch = pending
		}
		pending = pending[len(batch):]
		emp, err := s.ringEmployees(batch)
		if emp == nil {
			last = err
			if err.Kind == KindCancelled || s.ctx.Err() != nil {
				return OutcomeCancelled, cancelled(s.ctx, err)
			}
			continue
		}
		s.res.Employee = emp.info
		end := s.withEmployee(emp)
		if !end.next {
			return end.outcome, end.err
		}
		last = end.err
	}
	if last == nil {
		last = &Error{Kind: KindNoAnswer, Party: PartyEmployee, Reason: "no employee answered"}
	}
	return OutcomeEmployeeFailed, last
}

// withEmployee runs the rest of the call with an answered employee:
// announce, ring the client, bridge. The employee's leg is hung up when it
// returns.
func (s *session) withEmployee(emp *leg) ending {
	defer func() {
		emp.close(s.ctx)
		if emp.info.Ended.IsZero() {
			emp.info.Ended = time.Now()
		}
	}()
	if end := s.announce(emp); end != nil {
		return *end
	}
	cli, end := s.ringClient(emp)
	if end != nil {
		return *end
	}
	if end := s.notice(emp, cli); end != nil {
		return *end
	}
	return s.bridge(emp, cli)
}

// cancelled is the error of a callback cancelled through ctx: err when it
// says so already.
func cancelled(ctx context.Context, err *Error) *Error {
	if err != nil && err.Kind == KindCancelled {
		return err
	}
	return &Error{Kind: KindCancelled, Reason: "the callback was cancelled", Err: context.Cause(ctx)}
}

// alive returns an error when the employee hung up or went silent (and is
// not on hold).
func (s *session) alive(l *leg) error {
	if l.hungUp() {
		return errEmployeeGone
	}
	if l.dead(time.Now(), s.t.DeadPeer) {
		return &Error{Kind: KindDeadPeer, Party: l.info.Party, Reason: "no RTP for " + s.t.DeadPeer.String()}
	}
	return nil
}

// employeeLost turns a failure while the employee was on the line
// (announcement, accept prompt, client ringing) into the outcome.
func (s *session) employeeLost(emp *leg, err error) *ending {
	var e0 *Error
	if !errors.As(err, &e0) && !errors.Is(err, errEmployeeGone) && s.ctx.Err() == nil {
		// A write failed: the BYE may be a moment behind the closed socket.
		select {
		case <-emp.dlg.Context().Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
	switch {
	case errors.Is(err, errEmployeeGone) || emp.hungUp():
		emp.info.HungUp = PartyEmployee
		s.res.HungUp = PartyEmployee
		e := &Error{Kind: KindHungUp, Party: PartyEmployee, Reason: "the employee hung up before the client was connected"}
		emp.info.Err = e
		return failed(OutcomeEmployeeHungUp, e)
	case s.ctx.Err() != nil:
		emp.info.HungUp = PartyDialer
		return failed(OutcomeCancelled, cancelled(s.ctx, nil))
	}
	emp.info.HungUp = PartyDialer
	e := asError(err)
	if e.Kind == KindDeadPeer {
		emp.info.Err = e
	}
	return failed(OutcomeFailed, e)
}

// failed ends the call with err, without trying another employee.
func failed(outcome Outcome, err *Error) *ending {
	return &ending{outcome, err, false}
}

// asError returns err as an *Error, wrapping what is not one as internal.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInternal, Reason: "unexpected failure", Err: err}
}
