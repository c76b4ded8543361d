package sip

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	sipgosip "github.com/emiago/sipgo/sip"
)

var errRingTimeout = errors.New("ring timeout")

// cancelGrace is how long a cancelled INVITE may take to end (CANCEL, 487)
// before the call goes on without waiting for it.
const cancelGrace = time.Second

// invite rings uri for at most timeout and returns the answered leg, or the
// leg's error. Cancelling ctx, like the ring timeout, sends CANCEL when the
// target has sent a provisional response, and gives up at once when it has
// sent nothing at all (sipgo could otherwise wait for Timer B, 32 s).
func (s *session) invite(ctx context.Context, info *Leg, uri sipgosip.Uri, timeout time.Duration, from *sipgosip.FromHeader, onRinging func(int)) (*leg, *Error) {
	if ctx.Err() != nil { // cancelled before the INVITE: nobody is called
		info.Ended = time.Now()
		e := &Error{Kind: KindCancelled, Party: info.Party, Reason: "cancelled before the call was placed", Err: context.Cause(ctx)}
		info.Err = e
		return nil, e
	}
	if !s.d.serves(s.trunk, s.p.Portal) { // the last word: nothing goes out through a trunk not granted
		info.Ended = time.Now()
		e := notGranted(s.trunk.Name, s.p.Portal)
		e.Party = info.Party
		info.Err = e
		return nil, e
	}
	info.Invited = time.Now()
	rctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	r := &ringing{stopped: make(chan struct{}), cancel: cancel}
	timer := time.AfterFunc(timeout, func() { r.stop(errRingTimeout) })
	defer timer.Stop()
	unwatch := context.AfterFunc(ctx, func() { r.stop(context.Cause(ctx)) })
	defer unwatch()

	dlg, err := s.d.dg.NewDialog(uri, diago.NewDialogOptions{})
	if err != nil {
		info.Ended = time.Now()
		return nil, s.legErr(info, &Error{Kind: KindInternal, Reason: "cannot create the dialog", Err: err})
	}
	// The leg exists from here on so that a re-INVITE (hold) finds it; it
	// gets its dialog and media when answered.
	l := &leg{info: info}
	callID := sipgosip.CallIDHeader(newCallID())
	s.d.track(l, string(callID))
	answered := false
	defer func() {
		if !answered {
			l.untrack()
		}
	}()
	done := make(chan inviteResult, 1)
	go func() {
		med, err := dlg.Invite(rctx, s.inviteOptions(l, &callID, from, r, onRinging))
		if err == nil {
			if err = dlg.Ack(rctx); err != nil {
				_ = dlg.Hangup(context.WithoutCancel(ctx))
			}
		}
		done <- inviteResult{med, err}
	}()
	res, ok := s.await(ctx, dlg, r, done)
	if !ok {
		info.Ended = time.Now()
		return nil, s.legErr(info, classify(context.Canceled, r.why.Load(), r.got1xx.Load(), info.Party))
	}
	if res.err != nil {
		_ = dlg.Close()
		if res.med != nil {
			_ = res.med.Close()
		}
		info.Ended = time.Now()
		return nil, s.legErr(info, classify(res.err, r.why.Load(), r.got1xx.Load(), info.Party))
	}
	answered = true // from here on l.close untracks it
	return s.answered(ctx, l, dlg, res.med)
}

// ringing is the state of one INVITE while it rings: whether a provisional
// response came, and why and when it was stopped.
type ringing struct {
	got1xx, ringing atomic.Bool
	why             atomic.Pointer[error]
	stopped         chan struct{}
	cancel          context.CancelCauseFunc // of the INVITE's context
}

// stop ends the ringing for cause, once: with CANCEL after a provisional
// response, else at once.
func (r *ringing) stop(cause error) {
	if !r.why.CompareAndSwap(nil, &cause) {
		return
	}
	close(r.stopped)
	if r.got1xx.Load() {
		r.cancel(cause) // sipgo sends CANCEL
	} else {
		r.cancel(sipgo.WaitAnswerForceCancelErr)
	}
}

// inviteResult is what an INVITE transaction ended with.
type inviteResult struct {
	med *diago.DialogMedia
	err error
}

// inviteOptions are the INVITE's headers, credentials and callbacks.
func (s *session) inviteOptions(l *leg, callID *sipgosip.CallIDHeader, from *sipgosip.FromHeader, r *ringing, onRinging func(int)) diago.InviteClientOptions {
	info, party := l.info, l.info.Party
	opts := diago.InviteClientOptions{
		Username: s.trunk.Username,
		Password: s.trunk.Password,
		OnMediaUpdate: func(*diago.DialogMedia) {
			// Called by diago while it handles the re-INVITE: no blocking.
			if changed, dir := l.mediaUpdated(); changed {
				s.log.Debug("sip leg hold changed", "party", party, "on_hold", l.onHold(), "direction", dir)
			}
		},
		OnResponse: func(res *sipgosip.Response) error {
			if res.IsProvisional() {
				r.got1xx.Store(true)
				if res.StatusCode >= 180 && !r.ringing.Swap(true) {
					info.Ringing = time.Now()
					if onRinging != nil {
						onRinging(res.StatusCode)
					}
				}
			}
			return nil
		},
	}
	opts.Headers = append(opts.Headers, callID)
	if from != nil {
		opts.Headers = append(opts.Headers, from)
	}
	if s.route != nil {
		opts.Headers = append(opts.Headers, sipgosip.NewHeader("Route", "<"+s.route.String()+">"))
	}
	return opts
}

// await waits for the INVITE to end. When ringing was stopped (CANCEL
// sent) it waits a little for the 487, but a target that ignores the
// CANCEL must not hold the call for sipgo's 32 s timers: after cancelGrace
// it returns false and the transaction finishes in the background, owned
// by the Dialer (Close waits for it).
func (s *session) await(ctx context.Context, dlg *diago.DialogClientSession, r *ringing, done <-chan inviteResult) (inviteResult, bool) {
	select {
	case res := <-done:
		return res, true
	case <-r.stopped:
	}
	t := time.NewTimer(cancelGrace)
	defer t.Stop()
	select {
	case res := <-done:
		return res, true
	case <-t.C:
	}
	s.d.wg.Add(1)
	go func() {
		defer s.d.wg.Done()
		if res := <-done; res.err == nil {
			_ = dlg.Hangup(context.WithoutCancel(ctx))
			_ = res.med.Close()
		}
		_ = dlg.Close()
	}()
	return inviteResult{}, false
}

// answered completes the leg once the INVITE was answered: its status, its
// dialog and its media.
func (s *session) answered(ctx context.Context, l *leg, dlg *diago.DialogClientSession, med *diago.DialogMedia) (*leg, *Error) {
	info := l.info
	info.Answered = time.Now()
	info.Status, info.Reason = 200, "OK"
	if r := dlg.InviteResponse; r != nil {
		info.Status, info.Reason = r.StatusCode, r.Reason
	}
	l.dlg, l.med = dlg, med
	if err := l.startMedia(); err != nil {
		l.close(ctx)
		info.Ended = time.Now()
		return nil, s.legErr(info, &Error{Kind: KindMedia, Party: info.Party, Reason: "no usable media on the answered call", Err: err})
	}
	return l, nil
}

// legErr records e on the leg and returns it.
func (s *session) legErr(info *Leg, e *Error) *Error {
	e.Party = info.Party
	info.Err = e
	if e.Status != 0 {
		info.Status, info.Reason = e.Status, e.Reason
	} else if info.Reason == "" {
		info.Reason = e.Reason
	}
	return e
}

// classify turns an INVITE failure into an *Error.
func classify(err error, why *error, got1xx bool, party Party) *Error {
	if why != nil {
		switch cause := *why; {
		case errors.Is(cause, errRingTimeout) && got1xx:
			return &Error{Kind: KindNoAnswer, Status: 487, Reason: "no answer within the ring timeout"}
		case errors.Is(cause, errRingTimeout):
			return &Error{Kind: KindNoResponse, Reason: "no SIP response within the ring timeout"}
		case errors.Is(cause, errAnsweredElsewhere):
			return &Error{Kind: KindCancelled, Status: 487, Reason: "answered by another employee"}
		case errors.Is(cause, errEmployeeGone):
			return &Error{Kind: KindCancelled, Reason: "the employee hung up while the client rang"}
		default:
			return &Error{Kind: KindCancelled, Reason: "cancelled", Err: cause}
		}
	}
	var rp *sipgo.ErrDialogResponse
	var rv sipgo.ErrDialogResponse
	var res *sipgosip.Response
	if errors.As(err, &rp) {
		res = rp.Res
	} else if errors.As(err, &rv) {
		res = rv.Res
	}
	if res != nil {
		e := &Error{Status: res.StatusCode, Reason: res.Reason}
		switch res.StatusCode {
		case 486, 600:
			e.Kind = KindBusy
		case 603:
			e.Kind = KindDeclined
		case 487:
			e.Kind = KindCancelled
		default:
			e.Kind = KindRejected
		}
		return e
	}
	return &Error{Kind: KindUnreachable, Reason: "the target could not be reached", Err: err}
}
