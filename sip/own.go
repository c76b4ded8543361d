package sip

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	sipgosip "github.com/emiago/sipgo/sip"
)

// A portal's own trunk is its company's SIP account, entered by the
// portal's administrator: the dialer learns it (AddTrunk) and forgets it
// (RemoveTrunk) while running. It serves that portal only, before any
// operator trunk granted to the portal, and shows only the caller IDs the
// portal entered for it.

// ownTrunk is one portal's own trunk and its registration.
type ownTrunk struct {
	t         Trunk
	callerIDs []string      // the numbers it may show; t.CallerID is the first
	reg       *registration // nil without Register
	stop      context.CancelFunc
	done      chan struct{} // closed when its registration has unregistered
}

// owned holds the portals' own trunks by member id.
type owned struct {
	mu sync.RWMutex
	m  map[string]*ownTrunk
}

// OwnTrunkName is the name of the portal memberID's own trunk (in
// Plan.Trunk, logs and errors).
func OwnTrunkName(memberID string) string { return "portal:" + memberID }

// AddTrunk makes t the own trunk of the portal memberID, replacing the one
// it had (whose registration is ended first): the portal's calls go out
// through it from the next call on, showing one of callerIDs (the first
// unless the line shows another of them). Its Name and Portals are set
// here; with Register it is kept registered until RemoveTrunk or Close.
// The error is an *Error of KindInvalid naming the field at fault
// ("trunk.registrar"), or ErrClosed.
func (d *Dialer) AddTrunk(memberID string, t Trunk, callerIDs []string) error {
	if memberID == "" || memberID == EveryPortal {
		return invalid("trunk.portals", "a portal's own trunk needs the portal's member_id")
	}
	t.Name, t.Portals = OwnTrunkName(memberID), []string{memberID}
	if t.RegisterExpiry == 0 {
		t.RegisterExpiry = defaultRegisterEvery
	}
	if len(callerIDs) > 0 {
		t.CallerID.Number = callerIDs[0]
	}
	for _, n := range callerIDs {
		if err := (CallerID{Number: n}).validate(); err != nil {
			return invalid("trunk.caller_ids", "%v", err)
		}
	}
	if err := t.validate("trunk"); err != nil {
		return err
	}
	o := &ownTrunk{t: t, callerIDs: slices.Clone(callerIDs), done: make(chan struct{})}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return ErrClosed
	}
	if t.Register {
		o.reg = &registration{trunk: t.Name}
		var ctx context.Context
		ctx, o.stop = context.WithCancel(d.regCtx)
		d.regWG.Add(1)
		go func() {
			defer close(o.done)
			d.register(ctx, &o.t, o.reg)
		}()
	} else {
		close(o.done)
	}
	d.mu.Unlock()
	d.own.mu.Lock()
	old := d.own.m[memberID]
	if d.own.m == nil {
		d.own.m = map[string]*ownTrunk{}
	}
	d.own.m[memberID] = o
	d.own.mu.Unlock()
	old.end()
	d.log.Info("sip portal trunk added", "trunk", t.Name, "register", t.Register)
	return nil
}

// RemoveTrunk forgets the own trunk of the portal memberID: no call of
// the portal goes out through it from now on (a call in progress places
// no new leg through it), and its registration is ended. It returns when
// the registration is gone.
func (d *Dialer) RemoveTrunk(memberID string) {
	d.own.mu.Lock()
	o := d.own.m[memberID]
	delete(d.own.m, memberID)
	d.own.mu.Unlock()
	if o != nil {
		o.end()
		d.log.Info("sip portal trunk removed", "trunk", o.t.Name)
	}
}

// TrunkStatus reports the registration of the portal memberID's own
// trunk: nil when it is registered or needs none, an *Error of
// KindUnreachable while it is not (with why), of KindNoRoute when the
// portal has no own trunk.
func (d *Dialer) TrunkStatus(memberID string) error {
	o := d.ownTrunk(memberID)
	switch {
	case o == nil:
		return &Error{Kind: KindNoRoute, Reason: "the portal has no SIP account of its own"}
	case o.reg == nil || o.reg.ok.Load():
		return nil
	}
	var cause error
	if p := o.reg.err.Load(); p != nil {
		cause = *p
	}
	e := &Error{Kind: KindUnreachable, Reason: "the portal's SIP account " + strconv.Quote(o.t.Username) + " is not registered", Err: cause}
	if c := checkErr(cause); cause != nil && c.Kind == KindRejected {
		// The registrar refused it: the page says so, with the status.
		e.Status, e.Code, e.Args = c.Status, c.Code+"_registering", c.Args
	}
	return e
}

// end stops o's registration and waits for it to unregister.
func (o *ownTrunk) end() {
	if o == nil {
		return
	}
	if o.stop != nil {
		o.stop()
	}
	<-o.done
}

// ownTrunk returns the portal's own trunk, nil when it has none.
func (d *Dialer) ownTrunk(memberID string) *ownTrunk {
	if memberID == "" {
		return nil
	}
	d.own.mu.RLock()
	defer d.own.mu.RUnlock()
	return d.own.m[memberID]
}

// serves reports whether trunk t may carry a call of the portal memberID
// now: an own trunk while it is still the portal's own (not removed nor
// replaced), a configured trunk when the configuration grants it.
func (d *Dialer) serves(t *Trunk, memberID string) bool {
	if o := d.ownTrunk(memberID); o != nil && t == &o.t {
		return true
	}
	for i := range d.cfg.Trunks {
		if t == &d.cfg.Trunks[i] {
			return d.cfg.Serves(t, memberID)
		}
	}
	return false
}

// callerFor is the caller ID a call through t shows when the plan asks
// for c: an own trunk shows only the numbers entered for it (else its
// first); an operator trunk shows c (bounded when the portal's lines were
// saved).
func (d *Dialer) callerFor(t *Trunk, memberID string, c CallerID) CallerID {
	o := d.ownTrunk(memberID)
	if o == nil || t != &o.t {
		return c
	}
	if c.Number != "" && slices.Contains(o.callerIDs, c.Number) {
		return c
	}
	return CallerID{Number: t.CallerID.Number, Name: c.Name}
}

// CheckTrunk tests a SIP account before it is stored: with Register one
// REGISTER (answering the digest challenge), removed again at once;
// without, an OPTIONS to the registrar (or the outbound proxy), where any
// answer other than an authentication failure will do. The error is an
// *Error that says what to fix: KindInvalid for a bad field,
// KindRejected for the account refused (Status 401, 403, …),
// KindUnreachable when nobody answered.
func (d *Dialer) CheckTrunk(ctx context.Context, t Trunk) error {
	t.Name = "check"
	if t.RegisterExpiry == 0 {
		t.RegisterExpiry = defaultRegisterEvery
	}
	if err := t.validate("trunk"); err != nil {
		return err
	}
	if !d.acquire() {
		return ErrClosed
	}
	defer d.calls.Done()
	cli, contact, err := d.regClient()
	if err != nil {
		return &Error{Kind: KindInternal, Reason: "cannot create the SIP client", Err: err}
	}
	uri, err := t.registrar()
	if err != nil {
		return invalid("trunk.registrar", "%v", err)
	}
	if t.Username != "" {
		uri.User = t.Username
	}
	method := sipgosip.OPTIONS
	if t.Register {
		method = sipgosip.REGISTER
	}
	req := sipgosip.NewRequest(method, uri)
	req.AppendHeader(&contact)
	exp := sipgosip.ExpiresHeader(t.RegisterExpiry.Seconds())
	if t.Register {
		req.AppendHeader(&exp)
	}
	if t.OutboundProxy != "" {
		p, _ := proxyURI(t.OutboundProxy)
		req.SetDestination(net.JoinHostPort(p.Host, strconv.Itoa(portOr(p.Port, 5060))))
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	if err := d.pin(ctx, req, &t); err != nil {
		return err
	}
	if t.Register {
		if _, err := d.sendRegister(ctx, cli, req, &t); err != nil {
			return checkErr(err)
		}
		d.unregister(cli, req, &t)
		return nil
	}
	res, err := cli.Do(ctx, req)
	if err == nil && (res.StatusCode == sipgosip.StatusUnauthorized || res.StatusCode == sipgosip.StatusProxyAuthRequired) && t.Password != "" {
		res, err = cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: t.Username, Password: t.Password})
	}
	if err != nil {
		return checkErr(err)
	}
	if res.StatusCode == sipgosip.StatusUnauthorized || res.StatusCode == sipgosip.StatusProxyAuthRequired || res.StatusCode == sipgosip.StatusForbidden {
		return checkErr(&diago.RegisterResponseError{RegisterReq: req, RegisterRes: res, Msg: res.StartLine()})
	}
	return nil
}

// checkTimeout bounds CheckTrunk.
const checkTimeout = 10 * time.Second

// checkErr says what a failed account check means for whoever entered it.
func checkErr(err error) *Error {
	var re *diago.RegisterResponseError
	if errors.As(err, &re) && re.RegisterRes != nil {
		st := re.RegisterRes.StatusCode
		why, code := "the server refused the account (SIP status "+strconv.Itoa(st)+")", "sip_refused"
		if st == sipgosip.StatusUnauthorized || st == sipgosip.StatusProxyAuthRequired || st == sipgosip.StatusForbidden {
			why, code = "the server refused the user name or password ("+strconv.Itoa(st)+")", "sip_refused_auth"
		}
		return (&Error{Kind: KindRejected, Status: st, Reason: why}).coded(code, strconv.Itoa(st))
	}
	return (&Error{Kind: KindUnreachable, Reason: "no answer from the registrar: check its address, port and transport", Err: err}).coded("sip_no_answer")
}
