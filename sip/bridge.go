package sip

import (
	"sync"
	"time"
)

// bridge connects the employee and the client, records them, and hangs
// both up when the call ends.
func (s *session) bridge(emp, cli *leg) ending {
	rec := s.recorder()
	toCli, toEmp := forwarder(emp, cli, rec, 0), forwarder(cli, emp, rec, 1)
	emp.sink.Store(&toCli)
	cli.sink.Store(&toEmp)
	s.res.Connected = time.Now()
	s.log.Info("sip connected", "employee", emp.info.Target, "codec_employee", emp.codec.Name, "codec_client", cli.codec.Name)
	s.emit(Event{Type: EventConnected, Employee: emp.info.Target, Status: cli.info.Status})

	s.res.HungUp, s.res.EndReason = s.talk(emp, cli)
	s.res.Disconnected = time.Now()
	emp.info.HungUp, cli.info.HungUp = s.res.HungUp, s.res.HungUp
	// Hang up both at once: a dead peer may take the whole BYE timeout.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); cli.close(s.ctx) }()
	emp.close(s.ctx)
	wg.Wait()
	cli.info.Ended, emp.info.Ended = s.res.Disconnected, s.res.Disconnected
	if rec != nil {
		if err := rec.Close(); err != nil {
			s.res.Err = err
		} else {
			s.res.Recording = s.p.Recording
		}
	}
	var e *Error
	if s.res.Err != nil {
		e = asError(s.res.Err)
	}
	return ending{OutcomeConnected, e, false}
}

// recorder opens the plan's recording; nil when there is none or it
// cannot be written (the call goes on unrecorded, and Result.Err says why).
func (s *session) recorder() *recorder {
	if s.p.Recording == "" {
		return nil
	}
	r, err := newRecorder(s.p.Recording)
	if err != nil {
		s.log.Warn("sip recording disabled", "error", err)
		s.res.Err = err
		return nil
	}
	return r
}

// talk waits for the bridged call to end and says who ended it and why.
func (s *session) talk(emp, cli *leg) (Party, string) {
	maxT := time.NewTimer(s.t.MaxCall)
	defer maxT.Stop()
	tick := time.NewTicker(min(s.t.DeadPeer/4, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-emp.dlg.Context().Done():
			return PartyEmployee, "hangup"
		case <-cli.dlg.Context().Done():
			return PartyClient, "hangup"
		case <-s.ctx.Done():
			return PartyDialer, "cancelled"
		case <-maxT.C:
			return PartyDialer, "max_call"
		case now := <-tick.C:
			// Dead peer: a leg that sent no RTP for DeadPeer, unless its far
			// end put it on hold (re-INVITE with a=sendonly, a=inactive,
			// c=0.0.0.0): many phones send nothing then. diago v0.42 does
			// not expose the negotiated direction, so it is read from the
			// re-INVITE itself (server middleware) and committed when
			// diago calls OnMediaUpdate; see hold.go. Taking the leg off
			// hold (a=sendrecv) restarts its silence clock. MaxCall still
			// ends a call that stays on hold.
			if emp.dead(now, s.t.DeadPeer) || cli.dead(now, s.t.DeadPeer) {
				s.log.Info("sip dead peer: no RTP", "employee_silent", emp.silentFor(now), "client_silent", cli.silentFor(now))
				return PartyDialer, "dead_peer"
			}
		}
	}
}
