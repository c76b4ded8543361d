package sip

import "time"

// announce plays the announcement (or the beeps) to the answered employee
// and, when the plan asks for it, waits for 1 to accept. It returns nil
// when the client may be rung, else how the call with this employee ended.
func (s *session) announce(emp *leg) *ending {
	path, end := s.announcement(emp)
	if end != nil {
		return end
	}
	guard := func() error { return s.alive(emp) }
	if path != "" {
		src, err := openWAVSource(path)
		if err != nil {
			return failed(OutcomeFailed, asError(err))
		}
		err = emp.play(s.ctx, src, guard)
		src.Close()
		if err != nil {
			return s.employeeLost(emp, err)
		}
	} else if s.p.Beep || s.synth != nil {
		if err := emp.play(s.ctx, &beeps{}, guard); err != nil {
			return s.employeeLost(emp, err)
		}
	}
	if s.p.RequireAccept {
		if end := s.accept(emp); end != nil {
			return end
		}
	}
	s.emit(Event{Type: EventAnnouncementDone, Employee: emp.info.Target})
	return nil
}

// announcement returns the path of the announcement to play: the plan's,
// or the one Plan.Prepare made, waited for here; "" plays the beeps (or
// nothing).
func (s *session) announcement(emp *leg) (string, *ending) {
	if s.synth == nil {
		return s.p.Announcement, nil
	}
	select {
	case a := <-s.synth:
		s.synth <- a // for the next employee
		if a.err != nil {
			s.log.Warn("sip announcement not prepared: beeps instead", "error", a.err)
			return "", nil
		}
		return a.path, nil
	case <-emp.dlg.Context().Done():
		return "", s.employeeLost(emp, errEmployeeGone)
	case <-s.ctx.Done():
		return "", failed(OutcomeCancelled, cancelled(s.ctx, asError(s.ctx.Err())))
	}
}

// accept asks the employee to accept the callback: nil when they pressed
// 1; a decline (2, or nothing) tries the next employee.
func (s *session) accept(emp *leg) *ending {
	accepted, err := s.waitAccept(emp)
	if err != nil {
		return s.employeeLost(emp, err)
	}
	if accepted {
		return nil
	}
	emp.info.HungUp = PartyDialer
	e := &Error{Kind: KindDeclined, Party: PartyEmployee, Reason: "the employee declined (pressed 2 or nothing)"}
	emp.info.Err = e
	s.emit(Event{Type: EventEmployeeFailed, Employee: emp.info.Target})
	return &ending{OutcomeEmployeeFailed, e, true}
}

// waitAccept waits for 1 (accept) or 2 (decline) from the employee.
func (s *session) waitAccept(l *leg) (bool, error) {
	timeout := time.NewTimer(s.t.Accept)
	defer timeout.Stop()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r := <-l.dtmf:
			switch r {
			case '1':
				return true, nil
			case '2':
				return false, nil
			}
		case <-timeout.C:
			return false, nil
		case <-s.ctx.Done():
			return false, s.ctx.Err()
		case <-tick.C:
			if err := s.alive(l); err != nil {
				return false, err
			}
		}
	}
}
