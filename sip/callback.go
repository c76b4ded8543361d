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

// call is one Callback in progress.
type call struct {
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

	announce chan prepared // Plan.Prepare's result, when it is used
}

// prepared is what Plan.Prepare produced.
type prepared struct {
	path string
	err  error
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

	c := &call{d: d, p: p, t: p.Timeouts.withDefaults(), ctx: ctx, res: res,
		log: d.log.With("callback", p.ID)}
	if err := c.prepare(); err != nil {
		return d.finish(res, c, OutcomeFailed, err)
	}
	prepCtx, stopPrep := context.WithCancel(ctx)
	defer stopPrep()
	if p.Prepare != nil && p.Announcement == "" {
		// Made while the employee's phone rings; waited for on answer.
		c.announce = make(chan prepared, 1)
		c.bg.Add(1)
		go func() {
			defer c.bg.Done()
			path, err := p.Prepare(prepCtx)
			if err == nil && path != "" {
				err = checkAnnouncement(path)
			}
			c.announce <- prepared{path, err}
		}()
	}
	outcome, err := c.run()
	stopPrep() // a call that ended early need not wait for the synthesis
	c.bg.Wait()
	return d.finish(res, c, outcome, err)
}

// finish fills in the summary fields and reports EventEnded.
func (d *Dialer) finish(res *Result, c *call, outcome Outcome, err *Error) Result {
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
	if c != nil {
		c.log.Info("sip callback ended", "outcome", res.Outcome, "status_code", res.StatusCode,
			"talk_s", res.TalkSeconds(), "hung_up", res.HungUp, "end", res.EndReason, "error", res.Err)
		c.emit(Event{Type: EventEnded, Result: res})
	}
	return *res
}

func (c *call) emit(e Event) {
	if c.p.Progress == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	c.evMu.Lock()
	defer c.evMu.Unlock()
	c.p.Progress(e)
}

// prepare validates the plan and resolves trunk, caller ID and addresses.
func (c *call) prepare() *Error {
	p, cfg := &c.p, &c.d.cfg
	if len(p.Employees) == 0 {
		return invalid("plan.employees", "no employee to ring")
	}
	for _, e := range p.Employees {
		if !ValidExtension(e) {
			return invalid("plan.employees", "extension %q may hold only 1–32 letters, digits and *._-", e)
		}
	}
	if !ValidE164(p.Client) {
		return invalid("plan.client", "the client number must be E.164 (+ and 7–15 digits); normalise it first")
	}
	trunkName := p.Trunk
	c.caller = p.CallerID
	if p.Line != "" {
		found := false
		for _, l := range cfg.Lines {
			if l.Number == p.Line {
				found = true
				if trunkName == "" {
					trunkName = l.Trunk
				}
				if c.caller.Number == "" {
					c.caller = l.callerID()
				}
			}
		}
		if !found {
			return invalid("plan.line", "no line %q in the SIP configuration", p.Line)
		}
	}
	c.trunk = &cfg.Trunks[0]
	if trunkName != "" {
		c.trunk = nil
		for i := range cfg.Trunks {
			if cfg.Trunks[i].Name == trunkName {
				c.trunk = &cfg.Trunks[i]
			}
		}
		if c.trunk == nil {
			return invalid("plan.trunk", "no trunk %q in the SIP configuration", trunkName)
		}
	}
	if c.caller.Number == "" {
		c.caller = c.trunk.CallerID
	}
	if err := c.caller.validate(); err != nil {
		return invalid("plan.caller_id", "%v", err)
	}
	if p.Announcement != "" {
		if err := checkAnnouncement(p.Announcement); err != nil {
			var e *Error
			errors.As(err, &e)
			return e
		}
	}
	if c.trunk.OutboundProxy != "" {
		u, err := proxyURI(c.trunk.OutboundProxy)
		if err != nil {
			return invalid("trunk.outbound_proxy", "%v", err)
		}
		c.route = &u
	}
	return nil
}

// fromHeader builds the From of a leg: the caller ID for the client, the
// trunk's account for employees.
func (c *call) fromHeader(party Party, host string) *sipgosip.FromHeader {
	user, name := c.trunk.Username, "Callback"
	if party == PartyClient && c.caller.Number != "" {
		user, name = c.caller.Number, c.caller.Name
	}
	if user == "" {
		user = c.d.cfg.UserAgent
	}
	return &sipgosip.FromHeader{DisplayName: name, Address: sipgosip.Uri{Scheme: "sip", User: user, Host: host}, Params: sipgosip.NewParams()}
}

// run is the call flow.
func (c *call) run() (Outcome, *Error) {
	pending := c.p.Employees
	var last *Error
	for len(pending) > 0 {
		batch := pending[:1]
		if c.p.RingAll {
			batch = pending
		}
		pending = pending[len(batch):]
		emp, err := c.ringEmployees(batch)
		if emp == nil {
			last = err
			if err.Kind == KindCancelled || c.ctx.Err() != nil {
				return OutcomeCancelled, cancelled(c.ctx, err)
			}
			continue
		}
		c.res.Employee = emp.info
		outcome, err, next := c.withEmployee(emp)
		if !next {
			return outcome, err
		}
		last = err
	}
	if last == nil {
		last = &Error{Kind: KindNoAnswer, Party: PartyEmployee, Reason: "no employee answered"}
	}
	return OutcomeEmployeeFailed, last
}

func cancelled(ctx context.Context, err *Error) *Error {
	if err != nil && err.Kind == KindCancelled {
		return err
	}
	return &Error{Kind: KindCancelled, Reason: "the callback was cancelled", Err: context.Cause(ctx)}
}

// ringEmployees rings the extensions at once and returns the first to
// answer; the others get CANCEL (or BYE if they answered too).
func (c *call) ringEmployees(exts []string) (*leg, *Error) {
	type answer struct {
		ext string
		l   *leg
		err *Error
	}
	ctx, cancel := context.WithCancelCause(c.ctx)
	out := make(chan answer, len(exts))
	defer cancel(nil) // after a winner, already cancelled with errAnsweredElsewhere
	for _, ext := range exts {
		info := &Leg{Party: PartyEmployee, Target: ext}
		c.res.Attempts = append(c.res.Attempts, info)
		uri, err := c.trunk.employeeURI(ext)
		if err != nil {
			info.Ended = time.Now()
			out <- answer{ext, nil, c.legErr(info, err.(*Error))}
			continue
		}
		from := c.fromHeader(PartyEmployee, uri.Host)
		go func() {
			l, err := c.invite(ctx, info, uri, c.t.EmployeeRing, from, func(status int) {
				c.emit(Event{Type: EventEmployeeRinging, Employee: ext, Status: status})
			})
			out <- answer{ext, l, err}
		}()
	}
	var errs []*Error
	for i := range exts {
		a := <-out
		if a.l == nil {
			errs = append(errs, a.err)
			c.log.Info("sip employee did not answer", "employee", a.ext, "kind", a.err.Kind, "status", a.err.Status)
			c.emit(Event{Type: EventEmployeeFailed, Employee: a.ext, Status: a.err.Status})
			continue
		}
		won := a.l
		cancel(errAnsweredElsewhere)
		c.log.Info("sip employee answered", "employee", won.info.Target, "ring", won.info.RingTime())
		c.emit(Event{Type: EventEmployeeAnswered, Employee: won.info.Target, Status: won.info.Status})
		// The others are being cancelled; do not wait for their CANCEL
		// transactions. Callback waits for them before it returns.
		rest := len(exts) - i - 1
		c.bg.Add(1)
		go func() {
			defer c.bg.Done()
			for range rest {
				if a := <-out; a.l != nil { // answered at the same time as the winner
					a.l.info.HungUp = PartyDialer
					a.l.close(context.WithoutCancel(c.ctx))
					a.l.info.Ended = time.Now()
					a.l.info.Err = &Error{Kind: KindCancelled, Party: PartyEmployee, Reason: "answered by another employee"}
				}
			}
		}()
		return won, nil
	}
	return nil, worst(errs)
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

// withEmployee runs the rest of the call with an answered employee. next
// reports whether the next employee should be tried.
func (c *call) withEmployee(emp *leg) (outcome Outcome, err *Error, next bool) {
	cli := (*leg)(nil)
	defer func() {
		if cli != nil {
			cli.close(c.ctx)
			cli.info.Ended = time.Now()
		}
		emp.close(c.ctx)
		if emp.info.Ended.IsZero() {
			emp.info.Ended = time.Now()
		}
	}()
	guard := func() error { return c.alive(emp) }

	// Announcement.
	announcement := c.p.Announcement
	if c.announce != nil {
		select {
		case a := <-c.announce:
			c.announce <- a // for the next employee
			if a.err != nil {
				c.log.Warn("sip announcement not prepared: beeps instead", "error", a.err)
			} else {
				announcement = a.path
			}
		case <-emp.dlg.Context().Done():
			return c.employeeLost(emp, errEmployeeGone)
		case <-c.ctx.Done():
			return OutcomeCancelled, cancelled(c.ctx, asError(c.ctx.Err())), false
		}
	}
	if announcement != "" {
		src, err := openWAVSource(announcement)
		if err != nil {
			return OutcomeFailed, asError(err), false
		}
		err = emp.play(c.ctx, src, guard)
		src.Close()
		if err != nil {
			return c.employeeLost(emp, err)
		}
	}
	if announcement == "" && (c.p.Beep || c.announce != nil) {
		if err := emp.play(c.ctx, &beeps{}, guard); err != nil {
			return c.employeeLost(emp, err)
		}
	}
	if c.p.RequireAccept {
		accepted, err := c.waitAccept(emp)
		if err != nil {
			return c.employeeLost(emp, err)
		}
		if !accepted {
			emp.info.HungUp = PartyDialer
			e := &Error{Kind: KindDeclined, Party: PartyEmployee, Reason: "the employee declined (pressed 2 or nothing)"}
			emp.info.Err = e
			c.emit(Event{Type: EventEmployeeFailed, Employee: emp.info.Target})
			return OutcomeEmployeeFailed, e, true
		}
	}
	c.emit(Event{Type: EventAnnouncementDone, Employee: emp.info.Target})

	// Client, with ringback to the employee.
	cliInfo := &Leg{Party: PartyClient, Target: c.p.Client}
	c.res.Client = cliInfo
	uri, uerr := c.trunk.clientURI(c.p.Client)
	if uerr != nil {
		return OutcomeFailed, asError(uerr), false
	}
	ringCtx, stopRing := context.WithCancelCause(c.ctx)
	defer stopRing(nil)
	rbCtx, stopRB := context.WithCancel(ringCtx)
	rbDone := make(chan error, 1)
	go func() {
		err := emp.play(rbCtx, &ringback{}, guard)
		if err != nil && rbCtx.Err() == nil {
			stopRing(errEmployeeGone)
		}
		rbDone <- err
	}()
	unwatch := context.AfterFunc(emp.dlg.Context(), func() { stopRing(errEmployeeGone) })
	c.log.Info("sip ringing client", "client", mask(c.p.Client))
	cli, cerr := c.invite(ringCtx, cliInfo, uri, c.t.ClientRing, c.fromHeader(PartyClient, uri.Host), func(status int) {
		c.emit(Event{Type: EventClientRinging, Status: status})
	})
	unwatch()
	stopRB()
	rbErr := <-rbDone
	if cerr != nil {
		if errors.Is(context.Cause(ringCtx), errEmployeeGone) {
			return c.employeeLost(emp, rbErr)
		}
		if cerr.Kind == KindCancelled {
			return OutcomeCancelled, cancelled(c.ctx, cerr), false
		}
		return OutcomeClientFailed, cerr, false
	}
	if err := c.alive(emp); err != nil {
		return c.employeeLost(emp, err)
	}

	// Bridge and record.
	var rec *recorder
	if c.p.Recording != "" {
		r, err := newRecorder(c.p.Recording)
		if err != nil {
			c.log.Warn("sip recording disabled", "error", err)
			c.res.Err = err
		} else {
			rec = r
		}
	}
	toCli, toEmp := forwarder(emp, cli, rec, 0), forwarder(cli, emp, rec, 1)
	emp.sink.Store(&toCli)
	cli.sink.Store(&toEmp)
	c.res.Connected = time.Now()
	c.log.Info("sip connected", "employee", emp.info.Target, "codec_employee", emp.codec.Name, "codec_client", cli.codec.Name)
	c.emit(Event{Type: EventConnected, Employee: emp.info.Target, Status: cli.info.Status})

	c.res.HungUp, c.res.EndReason = c.talk(emp, cli)
	c.res.Disconnected = time.Now()
	emp.info.HungUp, cli.info.HungUp = c.res.HungUp, c.res.HungUp
	// Hang up both at once: a dead peer may take the whole BYE timeout.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); cli.close(c.ctx) }()
	emp.close(c.ctx)
	wg.Wait()
	cli.info.Ended, emp.info.Ended = c.res.Disconnected, c.res.Disconnected
	cli = nil
	if rec != nil {
		if err := rec.Close(); err != nil {
			c.res.Err = err
		} else {
			c.res.Recording = c.p.Recording
		}
	}
	var e *Error
	if c.res.Err != nil {
		e = asError(c.res.Err)
	}
	return OutcomeConnected, e, false
}

// talk waits for the bridged call to end and says who ended it and why.
func (c *call) talk(emp, cli *leg) (Party, string) {
	maxT := time.NewTimer(c.t.MaxCall)
	defer maxT.Stop()
	tick := time.NewTicker(min(c.t.DeadPeer/4, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-emp.dlg.Context().Done():
			return PartyEmployee, "hangup"
		case <-cli.dlg.Context().Done():
			return PartyClient, "hangup"
		case <-c.ctx.Done():
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
			if emp.dead(now, c.t.DeadPeer) || cli.dead(now, c.t.DeadPeer) {
				c.log.Info("sip dead peer: no RTP", "employee_silent", emp.silentFor(now), "client_silent", cli.silentFor(now))
				return PartyDialer, "dead_peer"
			}
		}
	}
}

// alive returns an error when the employee hung up or went silent (and is
// not on hold).
func (c *call) alive(l *leg) error {
	if l.hungUp() {
		return errEmployeeGone
	}
	if l.dead(time.Now(), c.t.DeadPeer) {
		return &Error{Kind: KindDeadPeer, Party: l.info.Party, Reason: "no RTP for " + c.t.DeadPeer.String()}
	}
	return nil
}

// waitAccept waits for 1 (accept) or 2 (decline) from the employee.
func (c *call) waitAccept(l *leg) (bool, error) {
	timeout := time.NewTimer(c.t.Accept)
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
		case <-c.ctx.Done():
			return false, c.ctx.Err()
		case <-tick.C:
			if err := c.alive(l); err != nil {
				return false, err
			}
		}
	}
}

// employeeLost turns a failure while the employee was on the line
// (announcement, accept prompt, client ringing) into the outcome.
func (c *call) employeeLost(emp *leg, err error) (Outcome, *Error, bool) {
	var e0 *Error
	if !errors.As(err, &e0) && !errors.Is(err, errEmployeeGone) && c.ctx.Err() == nil {
		// A write failed: the BYE may be a moment behind the closed socket.
		select {
		case <-emp.dlg.Context().Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
	switch {
	case errors.Is(err, errEmployeeGone) || emp.hungUp():
		emp.info.HungUp = PartyEmployee
		c.res.HungUp = PartyEmployee
		e := &Error{Kind: KindHungUp, Party: PartyEmployee, Reason: "the employee hung up before the client was connected"}
		emp.info.Err = e
		return OutcomeEmployeeHungUp, e, false
	case c.ctx.Err() != nil:
		emp.info.HungUp = PartyDialer
		return OutcomeCancelled, cancelled(c.ctx, nil), false
	}
	emp.info.HungUp = PartyDialer
	e := asError(err)
	if e.Kind == KindDeadPeer {
		emp.info.Err = e
	}
	return OutcomeFailed, e, false
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInternal, Reason: "unexpected failure", Err: err}
}
