package sip

import (
	"context"
	"time"
)

// answer is how ringing one employee ended: the answered leg, or its error.
type answer struct {
	ext string
	l   *leg
	err *Error
}

// ringEmployees rings the extensions at once and returns the first to
// answer; the others get CANCEL (or BYE if they answered too).
func (s *session) ringEmployees(exts []string) (*leg, *Error) {
	ctx, cancel := context.WithCancelCause(s.ctx)
	out := make(chan answer, len(exts))
	defer cancel(nil) // after a winner, already cancelled with errAnsweredElsewhere
	for _, ext := range exts {
		info := &Leg{Party: PartyEmployee, Target: ext}
		s.res.Attempts = append(s.res.Attempts, info)
		uri, err := s.trunk.employeeURI(ext)
		if err != nil {
			info.Ended = time.Now()
			out <- answer{ext, nil, s.legErr(info, err.(*Error))}
			continue
		}
		from := s.fromHeader(PartyEmployee, uri.Host)
		go func() {
			l, err := s.invite(ctx, info, uri, s.t.EmployeeRing, from, func(status int) {
				s.emit(Event{Type: EventEmployeeRinging, Employee: ext, Status: status})
			})
			out <- answer{ext, l, err}
		}()
	}
	var errs []*Error
	for i := range exts {
		a := <-out
		if a.l == nil {
			errs = append(errs, a.err)
			s.log.Info("sip employee did not answer", "employee", a.ext, "kind", a.err.Kind, "status", a.err.Status)
			s.emit(Event{Type: EventEmployeeFailed, Employee: a.ext, Status: a.err.Status})
			continue
		}
		won := a.l
		cancel(errAnsweredElsewhere)
		s.log.Info("sip employee answered", "employee", won.info.Target, "ring", won.info.RingTime())
		s.emit(Event{Type: EventEmployeeAnswered, Employee: won.info.Target, Status: won.info.Status})
		s.hangUpLosers(out, len(exts)-i-1)
		return won, nil
	}
	return nil, worst(errs)
}

// hangUpLosers collects the rest legs still being cancelled after another
// employee answered, and hangs up those that answered at the same time.
// It does not wait for their CANCEL transactions: Callback waits for them
// before it returns.
func (s *session) hangUpLosers(out <-chan answer, rest int) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		for range rest {
			if a := <-out; a.l != nil { // answered at the same time as the winner
				a.l.info.HungUp = PartyDialer
				a.l.close(context.WithoutCancel(s.ctx))
				a.l.info.Ended = time.Now()
				a.l.info.Err = &Error{Kind: KindCancelled, Party: PartyEmployee, Reason: "answered by another employee"}
			}
		}
	}()
}

// worst picks the most telling failure of several legs rung at once.
func worst(errs []*Error) *Error {
	rank := map[Kind]int{KindBusy: 7, KindDeclined: 6, KindNoAnswer: 5, KindRejected: 4, KindNoResponse: 3, KindUnreachable: 2, KindCancelled: 1}
	var w *Error
	for _, e := range errs {
		if w == nil || rank[e.Kind] > rank[w.Kind] {
			w = e
		}
	}
	return w
}
