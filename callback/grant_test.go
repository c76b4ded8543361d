package callback_test

import (
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// A portal no trunk serves (the only trunk is granted to another portal)
// has its callbacks and click-to-calls stored and failed with what is
// missing: nothing is dialled, the CRM shows the request missed, and a
// click-to-call's call is finished with 403. With the trunk granted to it, the same request is called.
func TestPortalWithoutTrunkNotDialled(t *testing.T) {
	trunk := func(e *env, portals ...string) sip.Trunk {
		return sip.Trunk{Name: "pbx", Employee: "sip:{extension}@" + e.phones.Addr(), Client: "sip:{number}@" + e.phones.Addr(), Portals: portals}
	}
	t.Run("callback", func(t *testing.T) {
		e := newEnvTrunks(t, callbackline.Line{Policy: quick()}, nil, func(e *env) []sip.Trunk { return []sip.Trunk{trunk(e, "another-portal")} })
		e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
		id := e.request(clientRaw, "LEAD", 5785)
		e.run(id)
		cb := e.callback(id)
		if cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "no_trunk: nothing was dialled: no trunk serves this portal") {
			t.Fatalf("callback %+v\n%s", cb, e.notes(id))
		}
		if n := len(e.phones.Calls()); n != 0 {
			t.Errorf("%d SIP calls", n)
		}
		// The CRM shows the request as missed, with what is missing.
		if calls := e.checkCRM(); len(calls) != 1 || !calls[0].Finished || !strings.HasPrefix(calls[0].FailedReason, "no_trunk:") {
			t.Errorf("CRM %+v", calls)
		}
	})
	t.Run("click-to-call", func(t *testing.T) {
		e := newEnvTrunks(t, callbackline.Line{Policy: quick()}, nil, func(e *env) []sip.Trunk { return []sip.Trunk{trunk(e, "another-portal")} })
		e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
		id := e.clickRequest(maxID)
		e.run(id)
		if cb := e.callback(id); cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "no_trunk:") {
			t.Fatalf("callback %+v", cb)
		}
		if n := len(e.phones.Calls()); n != 0 {
			t.Errorf("%d SIP calls", n)
		}
		if calls := e.checkCRM(); len(calls) != 1 || calls[0].StatusCode != "403" {
			t.Errorf("CRM %+v", calls)
		}
	})
	t.Run("granted", func(t *testing.T) {
		e := newEnvTrunks(t, callbackline.Line{Policy: quick()}, nil, func(e *env) []sip.Trunk {
			return []sip.Trunk{trunk(e, "another-portal", e.member.MemberID)}
		})
		e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
		e.phones.Set(clientE164, answerThenHangUp)
		id := e.request(clientRaw, "LEAD", 5785)
		e.run(id)
		if cb := e.callback(id); cb.State != callbackline.StateDone {
			t.Fatalf("callback %+v\n%s", cb, e.notes(id))
		}
		if n := e.callsTo(maxExt); n != 1 {
			t.Errorf("the employee's phone rang %d times", n)
		}
	})
}
