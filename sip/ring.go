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
func (c *call) invite(ctx context.Context, info *Leg, uri sipgosip.Uri, timeout time.Duration, from *sipgosip.FromHeader, onRinging func(int)) (*leg, *Error) {
	if ctx.Err() != nil { // cancelled before the INVITE: nobody is called
		info.Ended = time.Now()
		e := &Error{Kind: KindCancelled, Party: info.Party, Reason: "cancelled before the call was placed", Err: context.Cause(ctx)}
		info.Err = e
		return nil, e
	}
	info.Invited = time.Now()
	rctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	var got1xx, ringing atomic.Bool
	var why atomic.Pointer[error]
	stopped := make(chan struct{})
	stop := func(cause error) {
		if !why.CompareAndSwap(nil, &cause) {
			return
		}
		close(stopped)
		if got1xx.Load() {
			cancel(cause) // sipgo sends CANCEL
		} else {
			cancel(sipgo.WaitAnswerForceCancelErr)
		}
	}
	timer := time.AfterFunc(timeout, func() { stop(errRingTimeout) })
	defer timer.Stop()
	unwatch := context.AfterFunc(ctx, func() { stop(context.Cause(ctx)) })
	defer unwatch()

	dlg, err := c.d.dg.NewDialog(uri, diago.NewDialogOptions{})
	if err != nil {
		info.Ended = time.Now()
		return nil, c.legErr(info, &Error{Kind: KindInternal, Reason: "cannot create the dialog", Err: err})
	}
	// The leg exists from here on so that a re-INVITE (hold) finds it; it
	// gets its dialog and media when answered.
	l, party := &leg{info: info}, info.Party
	callID := sipgosip.CallIDHeader(newCallID())
	c.d.track(l, string(callID))
	answered := false
	defer func() {
		if !answered {
			l.untrack()
		}
	}()
	opts := diago.InviteClientOptions{
		Username: c.trunk.Username,
		Password: c.trunk.Password,
		OnMediaUpdate: func(*diago.DialogMedia) {
			// Called by diago while it handles the re-INVITE: no blocking.
			if changed, dir := l.mediaUpdated(); changed {
				c.log.Debug("sip leg hold changed", "party", party, "on_hold", l.onHold(), "direction", dir)
			}
		},
		OnResponse: func(r *sipgosip.Response) error {
			if r.IsProvisional() {
				got1xx.Store(true)
				if r.StatusCode >= 180 && !ringing.Swap(true) {
					info.Ringing = time.Now()
					if onRinging != nil {
						onRinging(r.StatusCode)
					}
				}
			}
			return nil
		},
	}
	opts.Headers = append(opts.Headers, &callID)
	if from != nil {
		opts.Headers = append(opts.Headers, from)
	}
	if c.route != nil {
		opts.Headers = append(opts.Headers, sipgosip.NewHeader("Route", "<"+c.route.String()+">"))
	}
	type outcome struct {
		med *diago.DialogMedia
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		med, err := dlg.Invite(rctx, opts)
		if err == nil {
			if err = dlg.Ack(rctx); err != nil {
				_ = dlg.Hangup(context.WithoutCancel(ctx))
			}
		}
		done <- outcome{med, err}
	}()
	var res outcome
	select {
	case res = <-done:
	case <-stopped:
		// CANCEL sent: wait a little for the 487, but a target that ignores
		// the CANCEL must not hold the call for sipgo's 32 s timers.
		t := time.NewTimer(cancelGrace)
		select {
		case res = <-done:
			t.Stop()
		case <-t.C:
			// Finish the transaction in the background, owned by the
			// Dialer (Close waits for it); the leg's record is final now.
			c.d.wg.Add(1)
			go func() {
				defer c.d.wg.Done()
				if r := <-done; r.err == nil {
					_ = dlg.Hangup(context.WithoutCancel(ctx))
					_ = r.med.Close()
				}
				_ = dlg.Close()
			}()
			info.Ended = time.Now()
			return nil, c.legErr(info, classify(context.Canceled, why.Load(), got1xx.Load(), info.Party))
		}
	}
	med, err := res.med, res.err
	if err != nil {
		_ = dlg.Close()
		if med != nil {
			_ = med.Close()
		}
		info.Ended = time.Now()
		return nil, c.legErr(info, classify(err, why.Load(), got1xx.Load(), info.Party))
	}
	info.Answered = time.Now()
	info.Status, info.Reason = 200, "OK"
	if r := dlg.InviteResponse; r != nil {
		info.Status, info.Reason = r.StatusCode, r.Reason
	}
	l.dlg, l.med = dlg, med
	answered = true // from here on l.close untracks it
	if err := l.startMedia(); err != nil {
		l.close(ctx)
		info.Ended = time.Now()
		return nil, c.legErr(info, &Error{Kind: KindMedia, Party: info.Party, Reason: "no usable media on the answered call", Err: err})
	}
	return l, nil
}

// legErr records e on the leg and returns it.
func (c *call) legErr(info *Leg, e *Error) *Error {
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
