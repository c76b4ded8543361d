package sip_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestTrunkRefused tells a trunk that refuses the INVITEs (the cue for a
// line's fallback to Bitrix24) from an employee who is busy or declines:
// only legs that never rang and were refused, or got no answer at all,
// count, and only when every employee leg of the callback did.
func TestTrunkRefused(t *testing.T) {
	r := newRig(t)
	refuse := func(status int) siptest.Behavior { return siptest.Behavior{Action: siptest.Refuse, Status: status} }
	answer := siptest.Behavior{Action: siptest.Answer}
	cases := []struct {
		name    string
		emps    []siptest.Behavior // one employee each, rung one after the other (all at once with ringAll)
		ringAll bool
		cli     siptest.Behavior
		want    bool
	}{
		{name: "403 from the trunk", emps: []siptest.Behavior{refuse(403)}, want: true},
		{name: "480 from the trunk", emps: []siptest.Behavior{refuse(480)}, want: true},
		{name: "503 from the trunk for two employees", emps: []siptest.Behavior{refuse(503), refuse(503)}, want: true},
		{name: "refused at once for all rung together", emps: []siptest.Behavior{refuse(403), refuse(404)}, ringAll: true, want: true},
		{name: "no SIP response", emps: []siptest.Behavior{{Action: siptest.Drop}}, want: true},
		{name: "busy without ringing", emps: []siptest.Behavior{refuse(486)}},
		{name: "declined without ringing", emps: []siptest.Behavior{refuse(603)}},
		{name: "busy", emps: []siptest.Behavior{{Action: siptest.Busy}}},
		{name: "declined", emps: []siptest.Behavior{{Action: siptest.Decline}}},
		// After ringing: the phone rings a moment before it refuses, as a
		// real one does (sent back to back, the 180 may be handled by the dialer
		// after the final answer, and then nothing rang).
		{name: "480 after ringing", emps: []siptest.Behavior{{Action: siptest.Reject, Status: 480, Delay: 300 * time.Millisecond}}},
		{name: "503 after ringing", emps: []siptest.Behavior{{Action: siptest.Reject, Status: 503, Delay: 300 * time.Millisecond}}},
		{name: "rang without answer", emps: []siptest.Behavior{{Action: siptest.Ring}}},
		{name: "one refused, one busy", emps: []siptest.Behavior{refuse(503), {Action: siptest.Busy}}},
		{name: "employee answered, client refused", emps: []siptest.Behavior{answer}, cli: refuse(503)},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var users []string
			for j, b := range tc.emps {
				user := strconv.Itoa(71000 + 10*i + j) // within the default extension rule
				r.phone.Set(user, b)
				users = append(users, user)
			}
			r.phone.Set(clientNumber, tc.cli)
			res := r.d.Callback(context.Background(), sip.Plan{Employees: users, RingAll: tc.ringAll, Client: clientNumber, Timeouts: short})
			if got := res.TrunkRefused(); got != tc.want {
				t.Errorf("TrunkRefused = %v, want %v (outcome %s, err %v)", got, tc.want, res.Outcome, res.Err)
				for _, l := range res.Attempts {
					t.Logf("leg %s: status %d rang %v err %v", l.Target, l.Status, !l.Ringing.IsZero(), l.Err)
				}
			}
		})
	}
	var nothing *sip.Result
	if nothing.TrunkRefused() || (&sip.Leg{}).TrunkRefused() {
		t.Error("an empty result or leg counts as refused")
	}
}
