package sip_test

import (
	"context"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestCloseEndsCalls closes the dialer during a connected call: the call
// ends at once, both phones get BYE, and later callbacks fail as closed.
func TestCloseEndsCalls(t *testing.T) {
	r := newRig(t)
	r.phone.Set("401", siptest.Behavior{Action: siptest.Answer})
	r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer})
	connected := make(chan struct{})
	done := make(chan sip.Result, 1)
	go func() {
		done <- r.d.Callback(context.Background(), sip.Plan{Employees: []string{"401"}, Client: clientNumber, Timeouts: short,
			Progress: func(e sip.Event) {
				if e.Type == sip.EventConnected {
					close(connected)
				}
			}})
	}()
	select {
	case <-connected:
	case <-time.After(time.Minute): // a hang guard
		t.Fatal("not connected")
	}
	start := time.Now()
	if err := r.d.Close(); err != nil {
		t.Fatal(err)
	}
	// Close hangs up at once: it does not wait for the call to end on its
	// own (MaxCall, 20 s).
	if took := time.Since(start); took > 2*time.Second+slack {
		t.Errorf("Close took %s", took)
	}
	res := <-done
	if res.Outcome != sip.OutcomeConnected || res.EndReason != "cancelled" || res.HungUp != sip.PartyDialer {
		t.Errorf("outcome %s end %s by %s", res.Outcome, res.EndReason, res.HungUp)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	calls, err := r.phone.WaitCalls(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		if !c.RemoteBye {
			t.Errorf("%s got no BYE", c.User)
		}
	}
	res = r.d.Callback(context.Background(), sip.Plan{Employees: []string{"401"}, Client: clientNumber})
	if sip.KindOf(res.Err) != sip.KindClosed || res.StatusCode != "603-S" {
		t.Errorf("after Close: %v %s", res.Err, res.StatusCode)
	}
}
