package sip_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// short timeouts keep the failure tests quick.
var short = sip.Timeouts{EmployeeRing: 1500 * time.Millisecond, ClientRing: 1500 * time.Millisecond, Accept: 2 * time.Second, DeadPeer: 1200 * time.Millisecond, MaxCall: 20 * time.Second}

func TestFailures(t *testing.T) {
	r := newRig(t)
	ann := speechWAV(t, r.dir, 3)
	cases := []struct {
		name       string
		emp, cli   siptest.Behavior
		ann        string
		outcome    sip.Outcome
		kind       sip.Kind
		party      sip.Party
		status     string
		min, max   time.Duration // how long Callback took
		clientCall bool          // whether the client must have been called
	}{
		{name: "employee busy", emp: siptest.Behavior{Action: siptest.Busy},
			outcome: sip.OutcomeEmployeeFailed, kind: sip.KindBusy, party: sip.PartyEmployee, status: "486", max: time.Second},
		{name: "employee rings without answer", emp: siptest.Behavior{Action: siptest.Ring},
			outcome: sip.OutcomeEmployeeFailed, kind: sip.KindNoAnswer, party: sip.PartyEmployee, status: "304", min: short.EmployeeRing, max: short.EmployeeRing + time.Second},
		{name: "employee gives no SIP response", emp: siptest.Behavior{Action: siptest.Drop},
			outcome: sip.OutcomeEmployeeFailed, kind: sip.KindNoResponse, party: sip.PartyEmployee, status: "480", min: short.EmployeeRing, max: short.EmployeeRing + time.Second},
		{name: "employee declines", emp: siptest.Behavior{Action: siptest.Decline, Delay: 200 * time.Millisecond},
			outcome: sip.OutcomeEmployeeFailed, kind: sip.KindDeclined, party: sip.PartyEmployee, status: "603", min: 150 * time.Millisecond, max: time.Second},
		{name: "employee not found", emp: siptest.Behavior{Action: siptest.Reject, Status: 404},
			outcome: sip.OutcomeEmployeeFailed, kind: sip.KindRejected, party: sip.PartyEmployee, status: "404", max: time.Second},
		{name: "employee hangs up during the announcement", ann: ann, emp: siptest.Behavior{Action: siptest.Answer, HangupAfter: time.Second},
			outcome: sip.OutcomeEmployeeHungUp, kind: sip.KindHungUp, party: sip.PartyEmployee, status: "603", min: time.Second, max: 2 * time.Second},
		{name: "employee sends no RTP", ann: ann, emp: siptest.Behavior{Action: siptest.Answer, Silent: true},
			outcome: sip.OutcomeFailed, kind: sip.KindDeadPeer, party: sip.PartyEmployee, status: "OTHER", min: short.DeadPeer, max: short.DeadPeer + time.Second},
		{name: "client busy", emp: siptest.Behavior{Action: siptest.Answer}, cli: siptest.Behavior{Action: siptest.Busy},
			outcome: sip.OutcomeClientFailed, kind: sip.KindBusy, party: sip.PartyClient, status: "486", max: time.Second, clientCall: true},
		{name: "client rings without answer", emp: siptest.Behavior{Action: siptest.Answer}, cli: siptest.Behavior{Action: siptest.Ring},
			outcome: sip.OutcomeClientFailed, kind: sip.KindNoAnswer, party: sip.PartyClient, status: "304", min: short.ClientRing, max: short.ClientRing + time.Second, clientCall: true},
		{name: "client gives no SIP response", emp: siptest.Behavior{Action: siptest.Answer}, cli: siptest.Behavior{Action: siptest.Drop},
			outcome: sip.OutcomeClientFailed, kind: sip.KindNoResponse, party: sip.PartyClient, status: "480", min: short.ClientRing, max: short.ClientRing + time.Second, clientCall: true},
		{name: "client incomplete number", emp: siptest.Behavior{Action: siptest.Answer}, cli: siptest.Behavior{Action: siptest.Reject, Status: 484},
			outcome: sip.OutcomeClientFailed, kind: sip.KindRejected, party: sip.PartyClient, status: "484", max: time.Second, clientCall: true},
		{name: "client payment required", emp: siptest.Behavior{Action: siptest.Answer}, cli: siptest.Behavior{Action: siptest.Reject, Status: 402},
			outcome: sip.OutcomeClientFailed, kind: sip.KindRejected, party: sip.PartyClient, status: "402", max: time.Second, clientCall: true},
		{name: "client server error", emp: siptest.Behavior{Action: siptest.Answer}, cli: siptest.Behavior{Action: siptest.Reject, Status: 503},
			outcome: sip.OutcomeClientFailed, kind: sip.KindRejected, party: sip.PartyClient, status: "503", max: time.Second, clientCall: true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			user := strconv.Itoa(70000 + i) // within the default extension rule
			r.phone.Set(user, tc.emp)
			r.phone.Set(clientNumber, tc.cli)
			before := len(r.phone.Calls())
			start := time.Now()
			res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{user}, Client: clientNumber, Announcement: tc.ann, Timeouts: short})
			took := time.Since(start)
			if res.Outcome != tc.outcome || res.StatusCode != tc.status {
				t.Errorf("outcome %s status %s, want %s %s (err %v)", res.Outcome, res.StatusCode, tc.outcome, tc.status, res.Err)
			}
			var e *sip.Error
			if !errors.As(res.Err, &e) || e.Kind != tc.kind || e.Party != tc.party {
				t.Errorf("err %#v, want kind %s party %s", res.Err, tc.kind, tc.party)
			}
			if took < tc.min || took > tc.max+slack {
				t.Errorf("took %s, want %s–%s (+ %s on a busy machine)", took, tc.min, tc.max, slack)
			}
			calls := r.phone.Calls()[before:]
			called := false
			for _, c := range calls {
				called = called || c.User == clientNumber
			}
			if called != tc.clientCall {
				t.Errorf("client called: %v, want %v", called, tc.clientCall)
			}
			if tc.emp.Action == siptest.Ring || tc.cli.Action == siptest.Ring {
				// The ringing phone must have got a CANCEL.
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
				defer cancel()
				calls, err := r.phone.WaitCalls(ctx, before+len(calls))
				if err != nil {
					t.Fatal(err)
				}
				last := calls[len(calls)-1]
				if !last.Cancelled {
					t.Errorf("the ringing phone got no CANCEL: %+v", last)
				}
			}
			if res.Employee == nil {
				t.Fatal("no employee leg")
			}
			if res.Ended.Sub(res.Started) > tc.max+slack {
				t.Errorf("result spans %s", res.Ended.Sub(res.Started))
			}
		})
	}
}

func TestConnectedCallEnds(t *testing.T) {
	r := newRig(t)
	t.Run("client hangs up", func(t *testing.T) {
		r.phone.Set("201", siptest.Behavior{Action: siptest.Answer})
		r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer, HangupAfter: time.Second})
		res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"201"}, Client: clientNumber, Timeouts: short})
		if res.Outcome != sip.OutcomeConnected || res.StatusCode != "200" || res.HungUp != sip.PartyClient || res.EndReason != "hangup" {
			t.Fatalf("outcome %s %s hung up by %s (%s) err %v", res.Outcome, res.StatusCode, res.HungUp, res.EndReason, res.Err)
		}
		// The employee's phone must have got our BYE.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
		defer cancel()
		calls, err := r.phone.WaitCalls(ctx, len(r.phone.Calls()))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			if c.User == "201" && !c.RemoteBye {
				t.Errorf("employee phone got no BYE: %+v", c)
			}
		}
		// The client's phone hung up 1 s after it answered: the call ended
		// then, not before, and was timed from the bridge.
		cli := calls[len(calls)-1]
		for _, c := range calls {
			if c.User == clientNumber {
				cli = c
			}
		}
		if after := res.Disconnected.Sub(cli.Answered); after < time.Second || after > time.Second+slack {
			t.Errorf("ended %s after the client answered, want 1s", after)
		}
		if talk := res.Talk(); talk <= 0 || talk > res.Disconnected.Sub(cli.Answered) {
			t.Errorf("talk %s, want the bridged part of the client's %s", talk, res.Disconnected.Sub(cli.Answered))
		}
		if res.Client.TalkTime() < res.Talk() || res.Client.HungUp != sip.PartyClient {
			t.Errorf("client leg %+v", res.Client)
		}
	})
	t.Run("client sends no RTP", func(t *testing.T) {
		r.phone.Set("202", siptest.Behavior{Action: siptest.Answer})
		r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer, Silent: true})
		res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"202"}, Client: clientNumber, Timeouts: short})
		if res.Outcome != sip.OutcomeConnected || res.StatusCode != "200" || res.HungUp != sip.PartyDialer || res.EndReason != "dead_peer" {
			t.Fatalf("outcome %s %s hung up by %s (%s) err %v", res.Outcome, res.StatusCode, res.HungUp, res.EndReason, res.Err)
		}
		// The silence clock starts when the client's media does, a moment
		// before the legs are bridged.
		if silent := res.Disconnected.Sub(res.Client.Answered); silent < short.DeadPeer || silent > short.DeadPeer+time.Second+slack {
			t.Errorf("ended %s after the client answered, want about %s", silent, short.DeadPeer)
		}
	})
	t.Run("max call length", func(t *testing.T) {
		r.phone.Set("203", siptest.Behavior{Action: siptest.Answer})
		r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer})
		to := short
		to.MaxCall = time.Second
		res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"203"}, Client: clientNumber, Timeouts: to})
		if res.EndReason != "max_call" || res.StatusCode != "200" {
			t.Fatalf("end %s status %s", res.EndReason, res.StatusCode)
		}
		if talk := res.Talk(); talk < time.Second || talk > 1500*time.Millisecond+slack {
			t.Errorf("talk %s, want 1s", talk)
		}
	})
	t.Run("cancelled while the employee rings", func(t *testing.T) {
		r.phone.Set("204", siptest.Behavior{Action: siptest.Ring})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var cancelled time.Time // written before cancel, read after Callback
		res := r.d.Callback(ctx, sip.Plan{Employees: []string{"204"}, Client: clientNumber, Timeouts: short,
			Progress: func(e sip.Event) {
				if e.Type == sip.EventEmployeeRinging {
					cancelled = time.Now()
					cancel()
				}
			}})
		if res.Outcome != sip.OutcomeCancelled || res.StatusCode != "603-S" || sip.KindOf(res.Err) != sip.KindCancelled {
			t.Fatalf("outcome %s %s err %v", res.Outcome, res.StatusCode, res.Err)
		}
		// It ends with the CANCEL, not at the ring timeout.
		if took := res.Ended.Sub(cancelled); took > time.Second+slack {
			t.Errorf("ended %s after the cancel", took)
		}
	})
	t.Run("cancelled while talking", func(t *testing.T) {
		r.phone.Set("205", siptest.Behavior{Action: siptest.Answer})
		r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		res := r.d.Callback(ctx, sip.Plan{Employees: []string{"205"}, Client: clientNumber, Timeouts: short,
			Progress: func(e sip.Event) {
				if e.Type == sip.EventConnected {
					cancel()
				}
			}})
		if res.Outcome != sip.OutcomeConnected || res.StatusCode != "200" || res.EndReason != "cancelled" || res.HungUp != sip.PartyDialer {
			t.Fatalf("outcome %s %s end %s by %s", res.Outcome, res.StatusCode, res.EndReason, res.HungUp)
		}
	})
}

func TestEmployeeRouting(t *testing.T) {
	r := newRig(t)
	r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer, HangupAfter: 500 * time.Millisecond})
	t.Run("sequential: next after no answer", func(t *testing.T) {
		r.phone.Set("301", siptest.Behavior{Action: siptest.Ring})
		r.phone.Set("302", siptest.Behavior{Action: siptest.Answer})
		var ev events
		res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"301", "302"}, Client: clientNumber, Timeouts: short, Progress: ev.add})
		if res.Outcome != sip.OutcomeConnected || res.Employee.Target != "302" || len(res.Attempts) != 2 {
			t.Fatalf("outcome %s employee %+v attempts %d", res.Outcome, res.Employee, len(res.Attempts))
		}
		if a := res.Attempts[0]; a.Err == nil || a.Err.Kind != sip.KindNoAnswer || a.RingTime() < short.EmployeeRing {
			t.Errorf("first attempt %+v", a)
		}
		if e, ok := ev.first(sip.EventEmployeeAnswered); !ok || e.Employee != "302" {
			t.Errorf("answered event %+v", e)
		}
	})
	t.Run("ring all: first answer wins, the others get CANCEL", func(t *testing.T) {
		r.phone.Set("311", siptest.Behavior{Action: siptest.Busy})
		r.phone.Set("312", siptest.Behavior{Action: siptest.Ring})
		r.phone.Set("313", siptest.Behavior{Action: siptest.Answer, Delay: 300 * time.Millisecond})
		before := len(r.phone.Calls())
		res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"311", "312", "313"}, RingAll: true, Client: clientNumber, Timeouts: short})
		if res.Outcome != sip.OutcomeConnected || res.Employee.Target != "313" {
			t.Fatalf("outcome %s employee %+v", res.Outcome, res.Employee)
		}
		if rt := res.Employee.RingTime(); rt > short.EmployeeRing {
			t.Errorf("ring all took %s", rt)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
		defer cancel()
		calls, err := r.phone.WaitCalls(ctx, before+4)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range calls[before:] {
			if c.User == "312" && !c.Cancelled {
				t.Errorf("312 was not cancelled: %+v", c)
			}
		}
	})
	t.Run("ring all: nobody answers, busy is the most telling", func(t *testing.T) {
		r.phone.Set("351", siptest.Behavior{Action: siptest.Ring})
		r.phone.Set("352", siptest.Behavior{Action: siptest.Busy, Delay: 100 * time.Millisecond})
		start := time.Now()
		res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"351", "352"}, RingAll: true, Client: clientNumber, Timeouts: short})
		if res.Outcome != sip.OutcomeEmployeeFailed || res.StatusCode != "486" || len(res.Attempts) != 2 {
			t.Fatalf("outcome %s status %s attempts %d", res.Outcome, res.StatusCode, len(res.Attempts))
		}
		if took := time.Since(start); took < short.EmployeeRing || took > short.EmployeeRing+time.Second+slack {
			t.Errorf("took %s, want the ring timeout", took)
		}
	})
	t.Run("press 1 accepts", func(t *testing.T) {
		r.phone.Set("321", siptest.Behavior{Action: siptest.Answer, DTMF: '1', DTMFAfter: 300 * time.Millisecond})
		res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"321"}, RequireAccept: true, Client: clientNumber, Timeouts: short})
		if res.Outcome != sip.OutcomeConnected {
			t.Fatalf("outcome %s err %v", res.Outcome, res.Err)
		}
	})
	t.Run("press 2 declines, next employee", func(t *testing.T) {
		r.phone.Set("331", siptest.Behavior{Action: siptest.Answer, DTMF: '2', DTMFAfter: 300 * time.Millisecond})
		r.phone.Set("332", siptest.Behavior{Action: siptest.Answer, DTMF: '1', DTMFAfter: 300 * time.Millisecond})
		res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"331", "332"}, RequireAccept: true, Client: clientNumber, Timeouts: short})
		if res.Outcome != sip.OutcomeConnected || res.Employee.Target != "332" {
			t.Fatalf("outcome %s employee %+v", res.Outcome, res.Employee)
		}
		if a := res.Attempts[0]; a.Err == nil || a.Err.Kind != sip.KindDeclined {
			t.Errorf("first attempt %+v", a)
		}
	})
	t.Run("no key within the accept time declines", func(t *testing.T) {
		r.phone.Set("341", siptest.Behavior{Action: siptest.Answer})
		start := time.Now()
		res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"341"}, RequireAccept: true, Client: clientNumber, Timeouts: short})
		if res.Outcome != sip.OutcomeEmployeeFailed || res.StatusCode != "603" {
			t.Fatalf("outcome %s %s", res.Outcome, res.StatusCode)
		}
		if took := time.Since(start); took < short.Accept || took > short.Accept+time.Second+slack {
			t.Errorf("took %s, want about %s", took, short.Accept)
		}
	})
}

func TestPlanValidation(t *testing.T) {
	r := newRig(t)
	before := len(r.phone.Calls())
	for _, p := range []sip.Plan{
		{Employees: []string{"101"}, Client: "030123456"},                             // not E.164
		{Employees: []string{"101"}, Client: "+4930123456@evil.example.com"},          // injection
		{Employees: []string{"101@evil.example.com"}, Client: clientNumber},           // injection
		{Employees: []string{"10 1"}, Client: clientNumber},                           // space
		{Employees: nil, Client: clientNumber},                                        // nobody
		{Employees: []string{"101"}, Client: clientNumber, Line: "+499999"},           // unknown line
		{Employees: []string{"101"}, Client: clientNumber, Announcement: "/nope.wav"}, // missing file
	} {
		res := r.d.Callback(context.Background(), p)
		var e *sip.Error
		if !errors.As(res.Err, &e) || res.Outcome != sip.OutcomeFailed {
			t.Errorf("%+v: outcome %s err %v", p, res.Outcome, res.Err)
		}
	}
	// Callback returns only once every leg it placed has ended, so a call
	// it placed would be in the phone's list already.
	if n := len(r.phone.Calls()) - before; n != 0 {
		t.Errorf("%d calls placed for invalid plans", n)
	}
	// An announcement at the wrong rate is refused before dialling.
	p := filepath.Join(r.dir, "16k.wav")
	if err := siptest.WriteTone(p, 440, 16000, 1); err != nil {
		t.Fatal(err)
	}
	res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"101"}, Client: clientNumber, Announcement: p})
	if sip.KindOf(res.Err) != sip.KindMedia {
		t.Errorf("16 kHz announcement: %v", res.Err)
	}
}

func TestDigestAuth(t *testing.T) {
	ctx := context.Background()
	ph := siptest.StartPhone(t)
	ph.RequireAuth(siptest.Credentials{Realm: "pbx", Username: "cb", Password: "s3cret"})
	ph.Set("", siptest.Behavior{Action: siptest.Answer, HangupAfter: 300 * time.Millisecond})
	for _, tc := range []struct {
		password string
		outcome  sip.Outcome
		status   string
	}{{"s3cret", sip.OutcomeConnected, "200"}, {"wrong", sip.OutcomeEmployeeFailed, "403"}} {
		cfg := sip.Config{Listen: "127.0.0.1:0", RTPPorts: sip.PortRange{Min: 40000, Max: 44999},
			Trunks: []sip.Trunk{{Employee: "sip:{extension}@" + ph.Addr(), Client: "sip:{number}@" + ph.Addr(), Username: "cb", Password: tc.password}}}
		d, err := sip.New(ctx, cfg, testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		res := d.Callback(ctx, sip.Plan{Employees: []string{"501"}, Client: clientNumber, Timeouts: short})
		d.Close()
		if res.Outcome != tc.outcome || res.StatusCode != tc.status {
			t.Errorf("password %q: outcome %s status %s err %v", tc.password, res.Outcome, res.StatusCode, res.Err)
		}
	}
	if ok, bad := ph.AuthCounts(); ok != 2 || bad < 1 {
		t.Errorf("authenticated INVITEs: %d good, %d bad; want 2 good (employee, client) and at least 1 bad", ok, bad)
	}
}

// registering returns a dialer whose one trunk registers with password
// at a test phone that asks for s3cret, and that phone; both are closed
// at the end of the test.
func registering(t *testing.T, password string) (*sip.Dialer, *siptest.Phone) {
	t.Helper()
	ph := siptest.StartPhone(t)
	ph.RequireAuth(siptest.Credentials{Realm: "pbx", Username: "cb", Password: "s3cret"})
	d := newDialer(t, sip.Config{
		Trunks: []sip.Trunk{{Name: "main", Employee: "sip:{extension}@" + ph.Addr(), Client: "sip:{number}@" + ph.Addr(),
			Username: "cb", Password: password, Register: true, RegisterExpiry: 30 * time.Second}}})
	return d, ph
}

func TestRegister(t *testing.T) {
	d, ph := registering(t, "s3cret")
	wait.For(t, "registered", func() bool { return d.Ready() == nil })
	if regs := ph.Registrations(); len(regs) == 0 || regs[0] != "cb" {
		t.Errorf("registrar saw %v", regs)
	}
	if err := d.Up("m1", ""); err != nil {
		t.Errorf("Up with the trunk registered: %v", err)
	}
}

func TestRegisterWrongPassword(t *testing.T) {
	d, ph := registering(t, "wrong")
	// Ready names the failed attempt's cause once the registration gave up.
	wait.For(t, "registration failed", func() bool { return errors.Unwrap(d.Ready()) != nil })
	if _, bad := ph.AuthCounts(); bad == 0 {
		t.Error("the registrar saw no wrong credentials")
	}
	if err := d.Ready(); sip.KindOf(err) != sip.KindUnreachable {
		t.Fatalf("Ready with a wrong password: %v", err)
	}
	// The way out of a portal's calls is down: the Bitrix24 fallback's cue.
	if err := d.Up("m1", ""); sip.KindOf(err) != sip.KindUnreachable {
		t.Fatalf("Up with the registration failing: %v", err)
	}
	if regs := ph.Registrations(); len(regs) != 0 {
		t.Errorf("registrar accepted %v", regs)
	}
}

// TestOutboundProxy addresses the employee at a host that does not exist:
// the call only connects if the INVITE goes to the outbound proxy.
func TestOutboundProxy(t *testing.T) {
	ctx := context.Background()
	ph := siptest.StartPhone(t)
	ph.Set("", siptest.Behavior{Action: siptest.Answer, HangupAfter: 300 * time.Millisecond})
	d := newDialer(t, sip.Config{
		Trunks: []sip.Trunk{{Employee: "sip:{extension}@pbx.invalid", Client: "sip:{number}@pbx.invalid", OutboundProxy: ph.Addr()}}})
	res := d.Callback(ctx, sip.Plan{Employees: []string{"601"}, Client: clientNumber, Timeouts: short})
	if res.Outcome != sip.OutcomeConnected {
		t.Fatalf("outcome %s err %v", res.Outcome, res.Err)
	}
}

func TestTCPTransport(t *testing.T) {
	ctx := context.Background()
	ph := siptest.StartPhone(t)
	ph.Set("", siptest.Behavior{Action: siptest.Answer, HangupAfter: 300 * time.Millisecond})
	d := newDialer(t, sip.Config{Transport: "tcp",
		Trunks: []sip.Trunk{{Employee: "sip:{extension}@" + ph.Addr() + ";transport=tcp", Client: "sip:{number}@" + ph.Addr() + ";transport=tcp"}}})
	res := d.Callback(ctx, sip.Plan{Employees: []string{"701"}, Client: clientNumber, Timeouts: short})
	if res.Outcome != sip.OutcomeConnected {
		t.Fatalf("outcome %s err %v", res.Outcome, res.Err)
	}
}

// TestRingingTargetIgnoresCancel: a target that rings but never answers
// the CANCEL (nor sends 487) must not hold the callback for sipgo's 32 s
// transaction timers.
func TestRingingTargetIgnoresCancel(t *testing.T) {
	ctx := context.Background()
	stuck, err := siptest.NewStuckPhone()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stuck.Close() })
	d := newDialer(t, sip.Config{
		Trunks: []sip.Trunk{{Employee: "sip:{extension}@" + stuck.Addr(), Client: "sip:{number}@" + stuck.Addr()}}})
	start := time.Now()
	res := d.Callback(ctx, sip.Plan{Employees: []string{"801"}, Client: clientNumber, Timeouts: short})
	took := time.Since(start)
	if res.StatusCode != "304" || sip.KindOf(res.Err) != sip.KindNoAnswer {
		t.Errorf("status %s err %v, want 304 no answer", res.StatusCode, res.Err)
	}
	// Callback waits for the abandoned transaction in the background only
	// up to its own return: at most ring timeout + 1 s grace + margin.
	if took < short.EmployeeRing || took > short.EmployeeRing+time.Second+slack {
		t.Errorf("took %s, want %s + at most %s", took, short.EmployeeRing, time.Second+slack)
	}
	if n := stuck.Count("CANCEL"); n == 0 {
		t.Errorf("no CANCEL was sent to the ringing target")
	}
}
