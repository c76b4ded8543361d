package sip

import (
	"context"
	"errors"
	"time"
)

// ringClient rings the client while the employee hears a ringback tone.
// It returns the answered client leg, or how the call ended.
func (s *session) ringClient(emp *leg) (*leg, *ending) {
	info := &Leg{Party: PartyClient, Target: s.p.Client}
	s.res.Client = info
	uri, uerr := s.trunk.clientURI(s.p.Client)
	if uerr != nil {
		return nil, failed(OutcomeFailed, asError(uerr))
	}
	ringCtx, stopRing := context.WithCancelCause(s.ctx)
	defer stopRing(nil)
	stopRingback := s.ringback(ringCtx, emp, stopRing)
	unwatch := context.AfterFunc(emp.dlg.Context(), func() { stopRing(errEmployeeGone) })
	s.log.Info("sip ringing client", "client", mask(s.p.Client))
	cli, cerr := s.invite(ringCtx, info, uri, s.t.ClientRing, s.fromHeader(PartyClient, uri.Host), func(status int) {
		s.emit(Event{Type: EventClientRinging, Status: status})
	})
	unwatch()
	rbErr := stopRingback()
	if cerr != nil {
		if errors.Is(context.Cause(ringCtx), errEmployeeGone) {
			return nil, s.employeeLost(emp, rbErr)
		}
		if cerr.Kind == KindCancelled {
			return nil, failed(OutcomeCancelled, cancelled(s.ctx, cerr))
		}
		return nil, failed(OutcomeClientFailed, cerr)
	}
	if err := s.alive(emp); err != nil {
		end := s.employeeLost(emp, err)
		cli.close(s.ctx)
		cli.info.Ended = time.Now()
		return nil, end
	}
	return cli, nil
}

// ringback plays the ringback tone to the employee until the returned
// function is called; that returns the tone's error. When the employee's
// leg fails under the tone, ringing stops with errEmployeeGone.
func (s *session) ringback(ringCtx context.Context, emp *leg, stopRing context.CancelCauseFunc) func() error {
	rbCtx, stop := context.WithCancel(ringCtx)
	done := make(chan error, 1)
	go func() {
		err := emp.play(rbCtx, &ringback{}, func() error { return s.alive(emp) })
		if err != nil && rbCtx.Err() == nil {
			stopRing(errEmployeeGone)
		}
		done <- err
	}()
	return func() error {
		stop()
		return <-done
	}
}
