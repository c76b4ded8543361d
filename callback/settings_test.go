package callback_test

import (
	"context"
	"errors"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/sip/siptest"
)

// A portal with lines of its own is served by them, not by the configured
// lines: here its line rings a fixed target instead of the CRM
// responsible. A portal whose lines cannot be read is retried, not
// called on the wrong line.
func TestPortalOwnLines(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	own := callbackline.Line{Number: lineNumber, Target: "600", TargetUser: annaID, Policy: quick()}
	var lookups []string
	var fail error
	w := e.workerWith(func(c *callback.Config) {
		c.PortalLines = func(_ context.Context, member string) ([]callbackline.Line, error) {
			lookups = append(lookups, member)
			if fail != nil {
				return nil, fail
			}
			return []callbackline.Line{{Number: "other", Policy: quick()}, own}, nil
		}
	})
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set("600", siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)

	fail = errors.New("settings unreadable")
	id := e.request(clientRaw, "LEAD", 5785)
	if _, err := w.Run(context.Background(), id); err == nil {
		t.Fatal("Run went on without the portal's lines")
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Fatalf("%d phones rang without the portal's lines", n)
	}
	fail = nil
	if _, err := w.Run(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %s %q", cb.State, cb.Reason)
	}
	for _, c := range e.phones.Calls() {
		if c.User == maxExt {
			t.Error("the configured line's routing (the CRM responsible) rang, not the portal's own line")
		}
	}
	if calls := e.checkCRM(); len(calls) != 1 || calls[0].FinishedBy != annaID {
		t.Errorf("CRM %+v, want the call registered for the target's user", calls)
	}
	if len(lookups) == 0 || lookups[0] != e.member.MemberID {
		t.Errorf("lookups %v", lookups)
	}
}
