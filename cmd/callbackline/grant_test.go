package main

import (
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestTrunkNotGrantedNotDialled: the built binary with its one trunk
// granted to another portal. The portal's callback request is stored and
// failed with what is missing, nobody is dialled, the CRM shows the
// request as missed, and the app page tells the portal why. With the
// trunk granted to the portal too, the same service calls.
func TestTrunkNotGrantedNotDialled(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	grant := func(portals string) {
		r.editConf(func(s string) string {
			if i := strings.Index(s, "      portals:"); i >= 0 {
				s = s[:i] + s[i+strings.Index(s[i:], "\n")+1:]
			}
			return strings.Replace(s, "      client: ", "      portals: "+portals+"\n      client: ", 1)
		})
	}
	grant(`["0123456789abcdef0123456789abcdef"]`)
	r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer})
	r.phones.Set(crashClient, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, HangupAfter: time.Second})
	svc := r.start()
	r.installAndSubmit()
	err := within(time.Minute, func() bool {
		calls := r.portal.Calls()
		return len(calls) == 1 && calls[0].Finished
	})
	if err != nil {
		t.Fatalf("the request was not shown as missed: %+v", r.portal.Calls())
	}
	if c := r.portal.Calls()[0]; !strings.HasPrefix(c.FailedReason, "no_trunk: nothing was dialled: trunk") && !strings.HasPrefix(c.FailedReason, "no_trunk: nothing was dialled: no trunk serves this portal") {
		t.Errorf("CRM call %+v", c)
	}
	if n := len(r.phones.Calls()); n != 0 {
		t.Errorf("%d SIP calls through a trunk not granted to the portal", n)
	}
	page := r.appPage()
	if !strings.Contains(page, `id="no-trunk"`) || !strings.Contains(page, "no trunk serves this portal") || !strings.Contains(page, "no_trunk: nothing was dialled") {
		t.Errorf("the app page does not say what is missing:\n%s", page)
	}
	svc.stop(t)
	if cb, _ := r.result(); cb.State != callbackline.StateFailed {
		t.Errorf("callback %+v", cb)
	}

	// The genuine flow: granted to the portal, the next request is called.
	grant(`["0123456789abcdef0123456789abcdef", "` + r.portal.MemberID() + `"]`)
	svc = r.start()
	defer svc.stop(t)
	if page := r.appPage(); strings.Contains(page, `id="no-trunk"`) {
		t.Errorf("the app page says a granted portal cannot call:\n%s", page)
	}
	const other = "+494957654321"
	r.phones.Set(other, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, HangupAfter: time.Second})
	r.submit("+49 495 7654321")
	if err := within(time.Minute, func() bool { n, answered := r.callsTo(other); return n == 1 && answered == 1 }); err != nil {
		t.Fatalf("the granted portal's request was not called: %+v", r.phones.Calls())
	}
}
