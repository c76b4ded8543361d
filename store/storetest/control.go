package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// runControl runs the tests of actions on callbacks by hand (called by Run).
func runControl(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("CallNow", func(t *testing.T) { testControlCallNow(t, open(t)) })
	t.Run("Cancel", func(t *testing.T) { testControlCancel(t, open(t)) })
	t.Run("Retry", func(t *testing.T) { testControlRetry(t, open(t)) })
	t.Run("Concurrent", func(t *testing.T) { testControlConcurrent(t, open(t)) })
}

// scheduled advances a new callback to StateScheduled at next.
func scheduled(t *testing.T, s Backend, phone string, next time.Time) *callbackline.Callback {
	t.Helper()
	cb := newCallback(t, s, phone)
	cb.State, cb.NextAt, cb.ClientAttempts = callbackline.StateScheduled, next, 1
	must(t, s.Advance(ctxT(t), cb, 0, callbackline.Plain("outside working hours: scheduled")))
	return cb
}

func control(t *testing.T, s Backend, id int64, member string, a callbackline.Action) (*callbackline.Callback, error) {
	return s.Control(ctxT(t), callbackline.ControlRequest{ID: id, MemberID: member, Action: a, By: "Anna Admin (user 1)", At: time.Now()})
}

func lastNote(t *testing.T, s Backend, id int64) string {
	t.Helper()
	h := history(t, s, id)
	return h[len(h)-1].Note
}

// testControlCallNow: a scheduled callback becomes due now, marked with
// who asked; a second ask, another portal, an unknown id and a callback
// in another state are refused with their codes.
func testControlCallNow(t *testing.T, s Backend) {
	savePortals(t, s, "m1", "m2")
	cb := scheduled(t, s, "+74951234567", time.Now().Add(10*time.Hour))
	_, err := control(t, s, cb.ID, "m2", callbackline.ActionCallNow)
	wantCode(t, err, callbackline.ENOTFOUND)
	_, err = control(t, s, 999999, "", callbackline.ActionCallNow)
	wantCode(t, err, callbackline.ENOTFOUND)
	got, err := control(t, s, cb.ID, "m1", callbackline.ActionCallNow)
	must(t, err)
	if got.State != callbackline.StateScheduled || got.NextAt.After(time.Now()) || got.DialNowBy != "Anna Admin (user 1)" {
		t.Fatalf("after call now: %+v", got)
	}
	if n := lastNote(t, s, cb.ID); !strings.Contains(n, "call now asked by Anna Admin") {
		t.Fatalf("history: %q", n)
	}
	_, err = control(t, s, cb.ID, "m1", callbackline.ActionCallNow)
	wantCode(t, err, callbackline.ECONFLICT)
	// The run clears the mark when it dials.
	got.State, got.DialNowBy = callbackline.StateRouting, ""
	must(t, s.Advance(ctxT(t), got, 0, callbackline.Plain("choosing the employee")))
	if c := getCallback(t, s, cb.ID); c.DialNowBy != "" {
		t.Fatalf("DialNowBy kept: %q", c.DialNowBy)
	}
	_, err = control(t, s, cb.ID, "", callbackline.ActionCallNow)
	wantCode(t, err, callbackline.ECONFLICT)
	if !strings.Contains(callbackline.ErrorMessage(err), "routing") {
		t.Fatalf("the refusal does not name the state: %v", err)
	}
}

// testControlCancel: a pending callback ends failed with the reason; its
// work is not written any more (ErrCancelled); a finished one is not
// cancelled.
func testControlCancel(t *testing.T, s Backend) {
	savePortals(t, s, "m1")
	cb := scheduled(t, s, "+74951234567", time.Now().Add(time.Hour))
	got, err := control(t, s, cb.ID, "m1", callbackline.ActionCancel)
	must(t, err)
	if !got.Cancelled() || got.Reason != "cancelled: cancelled by Anna Admin (user 1)" {
		t.Fatalf("after cancel: %+v", got)
	}
	stale := *cb
	stale.State = callbackline.StateRouting
	err = s.Advance(ctxT(t), &stale, 0, callbackline.Plain("choosing the employee"))
	wantCode(t, err, callbackline.ECONFLICT)
	if c := getCallback(t, s, cb.ID); !c.Cancelled() {
		t.Fatalf("a run overwrote the cancellation: %+v", c)
	}
	_, err = control(t, s, cb.ID, "m1", callbackline.ActionCancel)
	wantCode(t, err, callbackline.ECONFLICT)

	received := newCallback(t, s, "+74951234568")
	if got, err := control(t, s, received.ID, "m1", callbackline.ActionCancel); err != nil || !got.Cancelled() {
		t.Fatalf("cancel a received callback: %+v %v", got, err)
	}
	done := newCallback(t, s, "+74951234569")
	done.State = callbackline.StateDone
	must(t, s.Advance(ctxT(t), done, 0, callbackline.Plain("connected")))
	_, err = control(t, s, done.ID, "m1", callbackline.ActionCancel)
	wantCode(t, err, callbackline.ECONFLICT)
}

// testControlRetry: a failed callback starts a new round with one new
// job; a second retry finds it scheduled; a pending one is not retried
// and gets no job.
func testControlRetry(t *testing.T, s Backend) {
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+74951234567")
	cb.State, cb.Reason, cb.ClientAttempts, cb.EmployeeRounds = callbackline.StateFailed, "client_unreachable: called 3 times", 3, 2
	must(t, s.Advance(ctxT(t), cb, 0, callbackline.Plain("given up")))
	before := jobs(t, s)
	got, err := control(t, s, cb.ID, "m1", callbackline.ActionRetry)
	must(t, err)
	if got.State != callbackline.StateScheduled || got.Reason != "" || got.ClientAttempts != 0 || got.EmployeeRounds != 0 ||
		got.NextAt.After(time.Now()) {
		t.Fatalf("after retry: %+v", got)
	}
	if n := jobs(t, s); n != before+1 {
		t.Fatalf("jobs after retry: %d, want %d", n, before+1)
	}
	_, err = control(t, s, cb.ID, "m1", callbackline.ActionRetry)
	wantCode(t, err, callbackline.ECONFLICT)
	pending := scheduled(t, s, "+74951234568", time.Now().Add(time.Hour))
	before = jobs(t, s)
	_, err = control(t, s, pending.ID, "m1", callbackline.ActionRetry)
	wantCode(t, err, callbackline.ECONFLICT)
	if n := jobs(t, s); n != before {
		t.Fatalf("a refused retry left a job: %d, want %d", n, before)
	}
	if n := lastNote(t, s, cb.ID); !strings.Contains(n, "retry asked by Anna Admin") {
		t.Fatalf("history: %q", n)
	}
}

// testControlConcurrent: of many simultaneous asks (a double click, two
// instances) exactly one changes the callback.
func testControlConcurrent(t *testing.T, s Backend) {
	savePortals(t, s, "m1")
	for _, a := range []callbackline.Action{callbackline.ActionCallNow, callbackline.ActionCancel} {
		cb := scheduled(t, s, "+7495123456"+string(rune('0'+len(a)%10)), time.Now().Add(time.Hour))
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			ok, conf int
		)
		for range 8 {
			wg.Go(func() {
				_, err := control(t, s, cb.ID, "m1", a)
				mu.Lock()
				defer mu.Unlock()
				switch callbackline.ErrorCode(err) {
				case "":
					ok++
				case callbackline.ECONFLICT:
					conf++
				default:
					t.Errorf("%s: %v", a, err)
				}
			})
		}
		wg.Wait()
		if ok != 1 || conf != 7 {
			t.Fatalf("%s: %d succeeded, %d conflicted; want 1 and 7", a, ok, conf)
		}
	}
}
