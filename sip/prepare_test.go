package sip_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestPrepareWhileRinging: the announcement is made while the employee's
// phone rings and played when they answer; a failed Prepare plays beeps
// and the call still connects.
func TestPrepareWhileRinging(t *testing.T) {
	r := newRig(t)
	ann := filepath.Join(r.dir, "ann.wav")
	if err := siptest.WriteSpeechLike(ann, 8000, 1.5); err != nil {
		t.Fatal(err)
	}
	r.phone.Set("201", siptest.Behavior{Action: siptest.Answer, Delay: 400 * time.Millisecond})
	r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer, HangupAfter: 500 * time.Millisecond})
	var started, answered time.Time
	prepared := make(chan time.Time, 1)
	var ev events
	res := r.d.Callback(context.Background(), sip.Plan{
		Employees: []string{"201"}, Client: clientNumber,
		Prepare: func(ctx context.Context) (string, error) {
			started = time.Now()
			time.Sleep(200 * time.Millisecond) // synthesis
			prepared <- time.Now()
			return ann, nil
		},
		Progress: func(e sip.Event) {
			ev.add(e)
			if e.Type == sip.EventEmployeeAnswered {
				answered = e.Time
			}
		},
		Timeouts: sip.Timeouts{EmployeeRing: 3 * time.Second, ClientRing: 3 * time.Second},
	})
	if res.Outcome != sip.OutcomeConnected {
		t.Fatalf("outcome %s: %v", res.Outcome, res.Err)
	}
	done := <-prepared
	inv := res.Attempts[0].Invited
	if !started.Before(answered) || !done.After(inv) {
		t.Errorf("Prepare did not run while the phone rang: started %s, done %s, invited %s", started, done, inv)
	}
	annDone, ok := ev.first(sip.EventAnnouncementDone)
	if !ok || annDone.Time.Sub(answered) < 1400*time.Millisecond {
		t.Errorf("the prepared announcement was not played (answered %s, done %v)", answered, annDone.Time)
	}

	// A failing Prepare: beeps, and the call goes on.
	res = r.d.Callback(context.Background(), sip.Plan{
		Employees: []string{"201"}, Client: clientNumber,
		Prepare:  func(ctx context.Context) (string, error) { return "", errors.New("no speech engine") },
		Timeouts: sip.Timeouts{EmployeeRing: 3 * time.Second, ClientRing: 3 * time.Second},
	})
	if res.Outcome != sip.OutcomeConnected {
		t.Fatalf("with a failed Prepare: outcome %s: %v", res.Outcome, res.Err)
	}
}
