package callback_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/sip/siptest"
)

// A recording whose attachment failed on the instance that made it is
// attached by another instance after that one is gone with its disk: the
// recording was kept in the database.
func TestAttachFromAnotherInstance(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	w := e.workerWith(func(c *callback.Config) { c.AttachTries, c.AttachBackoff = 1, 10*time.Millisecond })
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	e.portal.InjectFault("telephony.externalCall.attachRecord", bitrix24test.Fault{Status: 503, Code: "INTERNAL_SERVER_ERROR"})
	e.crm.MaxRetries = 1
	id := e.request(clientRaw, "LEAD", 5785)
	if _, err := w.Run(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	attempts, err := e.store.Attempts(context.Background(), id)
	if err != nil || len(attempts) != 1 || attempts[0].RecordPath == "" || attempts[0].RecordFileID != 0 {
		t.Fatalf("attempts %+v %v: want one with a recording not attached", attempts, err)
	}
	made, err := os.ReadFile(attempts[0].RecordPath)
	if err != nil || len(made) < 1000 {
		t.Fatalf("the recording: %d bytes, %v", len(made), err)
	}
	// The holder is gone, and its disk with it.
	if err := os.RemoveAll(filepath.Dir(attempts[0].RecordPath)); err != nil {
		t.Fatal(err)
	}
	other := e.workerWith(func(c *callback.Config) { c.RecordDir = filepath.Join(e.dir, "other") })
	e.portal.ClearFaults()
	if err := other.Attach(context.Background(), callbackline.AttachJob{CallbackID: id, AttemptID: attempts[0].ID}); err != nil {
		t.Fatal(err)
	}
	calls := e.checkCRM()
	if len(calls) != 1 || len(calls[0].Records) != 1 || !bytes.Equal(calls[0].Records[0].Content, made) {
		t.Fatalf("CRM %+v: want the recording attached once, as it was made", calls)
	}
	if _, _, err := e.store.Recording(context.Background(), attempts[0].ID); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Errorf("the database's copy after the attachment: %v, want it removed", err)
	}
}

// member is a cluster membership whose lease holds until lapse.
type member struct {
	mu    sync.Mutex
	lease callbackline.Lease
	holds bool
}

func (m *member) Lease() callbackline.Lease { m.mu.Lock(); defer m.mu.Unlock(); return m.lease }
func (m *member) Holds(l callbackline.Lease) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.holds && l == m.lease
}
func (m *member) lapse() { m.mu.Lock(); m.holds = false; m.mu.Unlock() }

// joined is a member of a fresh instance id on the env's store.
func (e *env) joined(id string) *member {
	e.t.Helper()
	l, err := e.store.Join(context.Background(), &callbackline.Instance{ID: id})
	if err != nil {
		e.t.Fatal(err)
	}
	return &member{lease: l, holds: true}
}

// work runs the worker's River Work on the callback's job.
func work(w *callback.Worker, id int64) error {
	return w.Work(context.Background(), &river.Job[callbackline.CallbackJob]{
		JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 25}, Args: callbackline.CallbackJob{CallbackID: id}})
}

func snoozed(err error) bool {
	var s *river.JobSnoozeError
	return errors.As(err, &s)
}

// A callback another living instance works on is left alone (the job
// waits); released, it is worked here.
func TestClaimedElsewhere(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	a, b := e.joined("a"), e.joined("b")
	wa := e.workerWith(func(c *callback.Config) { c.Member = a })
	id := e.request(clientRaw, "LEAD", 5785)
	if ok, err := e.store.Claim(context.Background(), b.lease, id); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := work(wa, id); !snoozed(err) {
		t.Fatalf("work on a callback claimed by a living instance: %v, want the job snoozed", err)
	}
	if len(e.portal.Calls()) != 0 || len(e.phones.Calls()) != 0 {
		t.Fatal("a callback claimed elsewhere was registered or dialled")
	}
	if err := e.store.Release(context.Background(), b.lease, id); err != nil {
		t.Fatal(err)
	}
	if err := work(wa, id); err != nil {
		t.Fatal(err)
	}
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %s %q", cb.State, cb.Reason)
	}
	if calls := e.checkCRM(); len(calls) != 1 {
		t.Errorf("calls %+v", calls)
	}
	if ok, _ := e.store.Claim(context.Background(), b.lease, id); !ok {
		t.Error("the worker kept its claim after the run")
	}
}

// An instance declared dead while it holds a bridged call (it was
// paused): another takes over and finishes the call card once; the
// paused one, told it was declared dead, hangs up and neither finishes
// nor dials anything.
func TestTakenOverMidCall(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond, ToneHz: 1000, HangupAfter: time.Minute})
	paused := e.joined("paused")
	wp := e.workerWith(func(c *callback.Config) { c.Member = paused })
	id := e.request(clientRaw, "LEAD", 5785)
	done := make(chan error, 1)
	go func() { done <- work(wp, id) }()
	wait.For(t, "the call bridged", func() bool { return e.callback(id).State == callbackline.StateConnected })
	// Its heartbeat stops; another instance declares it dead.
	paused.lapse()
	const deadAfter = time.Second
	hb := time.Now()
	wait.For(t, "dead_after passed", func() bool { return time.Since(hb) > deadAfter+100*time.Millisecond })
	taker := e.joined("taker")
	tk, err := e.store.TakeOver(context.Background(), taker.lease, deadAfter)
	if err != nil || len(tk) != 1 || tk[0].Callbacks != 1 {
		t.Fatalf("takeover %+v %v", tk, err)
	}
	wp.HangUp() // what cluster.Member does when its heartbeat is refused
	if err := <-done; !snoozed(err) {
		t.Fatalf("the paused instance's work: %v, want it stopped (snoozed)", err)
	}
	if n := e.finishes(e.portal.Calls()[0].CallID); n != 0 {
		t.Fatalf("the paused instance finished the call %d time(s)", n)
	}
	wt := e.workerWith(func(c *callback.Config) { c.Member = taker })
	if err := work(wt, id); err != nil {
		t.Fatal(err)
	}
	cb := e.callback(id)
	calls := e.checkCRM()
	if cb.State != callbackline.StateDone || len(calls) != 1 || calls[0].StatusCode != "200" {
		t.Errorf("callback %s %q, calls %+v: want done, the bridged call finished once as answered", cb.State, cb.Reason, calls)
	}
	if n, _ := e.phones.CallsTo(clientE164); n != 1 {
		t.Errorf("the client was dialled %d times", n)
	}
}

// A claim this instance kept on a callback it does not work on (its
// release failed) is dropped by ReleaseIdle; another instance may then
// claim the callback.
func TestReleaseIdle(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	a, b := e.joined("a"), e.joined("b")
	wa := e.workerWith(func(c *callback.Config) { c.Member = a })
	kept, free := e.request(clientRaw, "LEAD", 5785), e.request("+49 495 7654321", "LEAD", 5785)
	ctx := context.Background()
	for _, id := range []int64{kept, free} {
		if ok, err := e.store.Claim(ctx, a.lease, id); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if ok, _ := e.store.Claim(ctx, b.lease, kept); ok {
		t.Fatal("b claimed a callback a holds")
	}
	wa.ReleaseIdle(ctx)
	if ids, err := e.store.Claims(ctx, a.lease); err != nil || len(ids) != 0 {
		t.Errorf("a's claims after ReleaseIdle: %v %v", ids, err)
	}
	if ok, _ := e.store.Claim(ctx, b.lease, kept); !ok {
		t.Error("b cannot claim the callback a released")
	}
}
