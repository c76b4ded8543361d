package sip_test

import (
	"context"
	"testing"
	"time"

	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// holdTimeouts: a 1 s dead-peer timeout, so that a held leg that sends
// nothing would be hung up quickly if the hold were not honoured.
var holdTimeouts = sip.Timeouts{EmployeeRing: 1500 * time.Millisecond, ClientRing: 1500 * time.Millisecond, Accept: 2 * time.Second, DeadPeer: time.Second, MaxCall: 20 * time.Second}

// phoneCall polls the fake phone until its last call to user satisfies ok.
func phoneCall(t *testing.T, ph *siptest.Phone, user string, within time.Duration, ok func(siptest.Call) bool) siptest.Call {
	t.Helper()
	var last siptest.Call
	if err := wait.Within(within, 20*time.Millisecond, func() bool {
		last = siptest.Call{}
		for _, c := range ph.Calls() {
			if c.User == user {
				last = c
			}
		}
		return last.User != "" && ok(last)
	}); err != nil {
		t.Fatalf("the call to %s did not get there within %s: %+v", user, within, last)
	}
	return last
}

// callback runs the plan in the background; the channel yields its result.
func callback(r *rig, p sip.Plan) <-chan sip.Result {
	out := make(chan sip.Result, 1)
	go func() { out <- r.d.Callback(context.Background(), p) }()
	return out
}

// stillUp fails the test if the callback ends before until.
func stillUp(t *testing.T, done <-chan sip.Result, until time.Time) {
	t.Helper()
	select {
	case res := <-done:
		t.Fatalf("the call ended %s early: %s by %s, talk %s", time.Until(until).Round(time.Millisecond), res.EndReason, res.HungUp, res.Talk())
	case <-time.After(time.Until(until)):
	}
}

func result(t *testing.T, done <-chan sip.Result, within time.Duration) sip.Result {
	t.Helper()
	select {
	case res := <-done:
		return res
	case <-time.After(within):
		t.Fatalf("the callback did not end within %s", within)
		return sip.Result{}
	}
}

func TestHold(t *testing.T) {
	r := newRig(t)
	dp := holdTimeouts.DeadPeer

	t.Run("employee holds silently, unholds, then the dead-peer rule applies", func(t *testing.T) {
		r.phone.Set("301", siptest.Behavior{Action: siptest.Answer, HoldAfter: time.Second, HoldFor: 3*dp + 500*time.Millisecond, SilentAfterUnhold: true})
		r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer})
		done := callback(r, sip.Plan{Employees: []string{"301"}, Client: clientNumber, Timeouts: holdTimeouts})
		held := phoneCall(t, r.phone, "301", 5*time.Second+slack, func(c siptest.Call) bool { return !c.Held.IsZero() || c.Err != nil })
		if held.Err != nil {
			t.Fatal(held.Err)
		}
		// On hold the employee sends no RTP: 3× the dead-peer timeout
		// later the call must still be up.
		stillUp(t, done, held.Held.Add(3*dp))
		unheld := phoneCall(t, r.phone, "301", 2*time.Second+slack, func(c siptest.Call) bool { return !c.Unheld.IsZero() || c.Err != nil })
		if unheld.Err != nil {
			t.Fatal(unheld.Err)
		}
		// Off hold and still silent: a dead peer, about dp after the unhold.
		res := result(t, done, dp+3*time.Second+slack)
		if res.Outcome != sip.OutcomeConnected || res.EndReason != "dead_peer" || res.HungUp != sip.PartyDialer {
			t.Fatalf("outcome %s end %s by %s err %v", res.Outcome, res.EndReason, res.HungUp, res.Err)
		}
		// The unhold restarts the silence clock: without that the call
		// would end at the next check, a fraction of dp after it. (The
		// phone notes the unhold when our 200 reaches it, a moment after
		// the dialer restarted the clock.)
		if after := res.Disconnected.Sub(unheld.Unheld); after < dp/2 || after > dp+800*time.Millisecond+slack {
			t.Errorf("ended %s after the unhold, want about %s", after, dp)
		}
	})

	t.Run("client holds (inactive) for good: the maximum call length ends it", func(t *testing.T) {
		r.phone.Set("302", siptest.Behavior{Action: siptest.Answer})
		r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer, HoldAfter: 500 * time.Millisecond, HoldMode: "inactive"})
		to := holdTimeouts
		to.MaxCall = 4 * dp
		start := time.Now()
		done := callback(r, sip.Plan{Employees: []string{"302"}, Client: clientNumber, Timeouts: to})
		held := phoneCall(t, r.phone, clientNumber, 5*time.Second+slack, func(c siptest.Call) bool {
			return c.Invited.After(start) && (!c.Held.IsZero() || c.Err != nil)
		})
		if held.Err != nil {
			t.Fatal(held.Err)
		}
		stillUp(t, done, held.Held.Add(3*dp))
		res := result(t, done, to.MaxCall+slack)
		if res.Outcome != sip.OutcomeConnected || res.EndReason != "max_call" || res.HungUp != sip.PartyDialer {
			t.Fatalf("outcome %s end %s by %s err %v", res.Outcome, res.EndReason, res.HungUp, res.Err)
		}
		if talk := res.Talk(); talk < to.MaxCall || talk > to.MaxCall+500*time.Millisecond+slack {
			t.Errorf("talk %s, want %s", talk, to.MaxCall)
		}
	})

	t.Run("employee holds and resumes talking: the call goes on", func(t *testing.T) {
		r.phone.Set("303", siptest.Behavior{Action: siptest.Answer, HoldAfter: 500 * time.Millisecond, HoldFor: 2 * dp})
		r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer, HangupAfter: 5 * dp})
		start := time.Now()
		done := callback(r, sip.Plan{Employees: []string{"303"}, Client: clientNumber, Timeouts: holdTimeouts})
		res := result(t, done, 10*dp+slack)
		if res.Outcome != sip.OutcomeConnected || res.EndReason != "hangup" || res.HungUp != sip.PartyClient {
			t.Fatalf("outcome %s end %s by %s err %v", res.Outcome, res.EndReason, res.HungUp, res.Err)
		}
		c := phoneCall(t, r.phone, "303", 3*time.Second+slack, func(c siptest.Call) bool { return c.Invited.After(start) && !c.Ended.IsZero() })
		if c.Err != nil || c.Held.IsZero() || c.Unheld.IsZero() {
			t.Fatalf("employee phone: held %v unheld %v err %v", c.Held, c.Unheld, c.Err)
		}
		// The client hung up 5 dp after answering: the call lasted that long.
		cli := phoneCall(t, r.phone, clientNumber, 3*time.Second+slack, func(c siptest.Call) bool { return c.Invited.After(start) && !c.Ended.IsZero() })
		if after := res.Disconnected.Sub(cli.Answered); after < 5*dp || after > 5*dp+time.Second+slack {
			t.Errorf("ended %s after the client answered, want about %s", after, 5*dp)
		}
	})
}
