package notify_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/notify"
	"github.com/callbackline/callbackline/store/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "callbackline.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SavePortal(context.Background(), &callbackline.Portal{MemberID: "m1", Domain: "m1.bitrix24.test", UserID: 1, Language: "de"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// recorder is a Sender that records what it sent and fails while fail
// is set.
type recorder struct {
	mu   sync.Mutex
	sent []string
	fail atomic.Bool
}

func (r *recorder) send(_ context.Context, p *callbackline.Portal, n *callbackline.Notice) error {
	if r.fail.Load() {
		return errors.New("the portal did not answer")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, string(n.Problem)+"."+n.Pending)
	return nil
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newNotifier(st notify.Store, r *recorder, c *clock) *notify.Notifier {
	return &notify.Notifier{Store: st, Send: r.send, Failures: 3, Now: c.now}
}

// setup is a notifier telling of 3 failures in a row, on a store with the
// portal m1, its messages recorded and its clock at 2026-12-05 10:00 UTC.
func setup(t *testing.T) (*sqlite.Store, *recorder, *clock, *notify.Notifier) {
	st := openStore(t)
	r, c := &recorder{}, &clock{t: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)}
	return st, r, c, newNotifier(st, r, c)
}

func deliver(t *testing.T, nt *notify.Notifier) int {
	t.Helper()
	n, err := nt.Deliver(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Callbacks failing in a row tell the administrators once, at the
// threshold, however many more fail; a success tells them once that it
// is fixed; a success without a told problem tells nothing.
func TestCallbacksOncePerProblem(t *testing.T) {
	_, r, _, nt := setup(t)
	ctx := context.Background()
	end := func(failed bool) {
		t.Helper()
		if err := nt.CallbackEnded(ctx, "m1", failed, "client_unreachable: busy"); err != nil {
			t.Fatal(err)
		}
		deliver(t, nt)
	}
	end(true)
	end(true)
	end(false) // the run is broken before the threshold
	end(true)
	end(true)
	if got := r.list(); len(got) != 0 {
		t.Fatalf("told before 3 in a row: %v", got)
	}
	for range 5 {
		end(true)
	}
	end(false)
	end(false)
	for range 2 {
		end(true)
	}
	if got := r.list(); !slices.Equal(got, []string{"callbacks.problem", "callbacks.fixed"}) {
		t.Fatalf("sent %v, want one problem and one fix", got)
	}
	// A problem again is told again.
	end(true)
	end(false)
	if got := r.list(); !slices.Equal(got, []string{"callbacks.problem", "callbacks.fixed", "callbacks.problem", "callbacks.fixed"}) {
		t.Fatalf("sent %v", got)
	}
}

// A failed delivery is tried again later, not lost, and not before its
// time; a problem fixed before it was told is not told at all.
func TestRetriedNotLost(t *testing.T) {
	_, r, c, nt := setup(t)
	ctx := context.Background()
	r.fail.Store(true)
	if err := nt.Set(ctx, "m1", callbackline.ProblemTrunk, true, "408 Request Timeout"); err != nil {
		t.Fatal(err)
	}
	if deliver(t, nt) != 0 || len(r.list()) != 0 {
		t.Fatal("sent while the portal fails")
	}
	r.fail.Store(false)
	if deliver(t, nt) != 0 {
		t.Fatal("retried before its time")
	}
	c.add(31 * time.Second)
	if deliver(t, nt) != 1 || deliver(t, nt) != 0 {
		t.Fatal("not retried once after its wait")
	}
	// Set again while open: nothing new.
	if err := nt.Set(ctx, "m1", callbackline.ProblemTrunk, true, "408 Request Timeout"); err != nil {
		t.Fatal(err)
	}
	if deliver(t, nt) != 0 {
		t.Fatal("told twice")
	}
	// Fixed before the problem was told: nothing.
	r.fail.Store(true)
	if err := nt.Set(ctx, "m1", callbackline.ProblemReinstall, true, "invalid_grant"); err != nil {
		t.Fatal(err)
	}
	deliver(t, nt)
	if err := nt.Set(ctx, "m1", callbackline.ProblemReinstall, false, ""); err != nil {
		t.Fatal(err)
	}
	r.fail.Store(false)
	c.add(2 * time.Hour)
	deliver(t, nt)
	if got := r.list(); !slices.Equal(got, []string{"trunk.problem"}) {
		t.Fatalf("sent %v", got)
	}
}

// Two notifiers (two instances) on one store tell once.
func TestTwoInstancesTellOnce(t *testing.T) {
	st, r, c, a := setup(t)
	b := newNotifier(st, r, c)
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, nt := range []*notify.Notifier{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := nt.Set(ctx, "m1", callbackline.ProblemTrunk, true, "403 Forbidden"); err != nil {
				t.Error(err)
			}
			if _, err := nt.Deliver(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	deliver(t, a)
	deliver(t, b)
	if got := r.list(); !slices.Equal(got, []string{"trunk.problem"}) {
		t.Fatalf("sent %v, want exactly one", got)
	}
}

// Check opens the reinstall problem of a portal whose tokens were refused
// or that lacks a scope, and the trunk problem of an account that does
// not register; fixed, each is told once more.
func TestCheck(t *testing.T) {
	st, r, _, nt := setup(t)
	ctx := context.Background()
	p, err := st.Portal(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	p.Scope = "telephony,crm,user_basic,timeman" // no im
	if err := st.SavePortal(ctx, p); err != nil {
		t.Fatal(err)
	}
	registered, detail := false, "403 Forbidden"
	trunk := func(string) (bool, bool, string) { return registered, true, detail }
	check := func() {
		t.Helper()
		for range 2 { // twice: an unchanged state tells nothing new
			if err := nt.Check(ctx, trunk); err != nil {
				t.Fatal(err)
			}
			deliver(t, nt)
		}
	}
	check()
	n, _ := st.Notice(ctx, "m1", callbackline.ProblemReinstall)
	if n.Detail != "scope not granted: im" {
		t.Errorf("reinstall detail %q", n.Detail)
	}
	p.Scope, registered = "telephony,crm,user_basic,im,timeman", true
	if err := st.SavePortal(ctx, p); err != nil {
		t.Fatal(err)
	}
	check()
	if got := r.list(); !slices.Equal(got, []string{"reinstall.problem", "trunk.problem", "reinstall.fixed", "trunk.fixed"}) {
		t.Fatalf("sent %v", got)
	}
}

// Run sends a message as soon as a problem is set (not only on its
// tick), and returns when its context ends.
func TestRunSendsAtOnce(t *testing.T) {
	st := openStore(t)
	r := &recorder{}
	nt := &notify.Notifier{Store: st, Send: r.send, Failures: 1}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); nt.Run(ctx, time.Hour, nil) }()
	if err := nt.CallbackEnded(ctx, "m1", true, "no_employee"); err != nil {
		t.Fatal(err)
	}
	wait.For(t, "a message sent", func() bool { return len(r.list()) > 0 })
	if got := r.list(); !slices.Equal(got, []string{"callbacks.problem"}) {
		t.Fatalf("sent %v", got)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Run did not return")
	}
}
