package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// runCluster runs the callbackline.ClusterStore and RecordingStore tests
// (called by Run).
func runCluster(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("JoinBeatGenerations", func(t *testing.T) { testJoinBeat(t, open(t)) })
	t.Run("TakeOverOnce", func(t *testing.T) { testTakeOverOnce(t, open(t)) })
	t.Run("ClaimFence", func(t *testing.T) { testClaimFence(t, open(t)) })
	t.Run("RestartSameID", func(t *testing.T) { testRestartSameID(t, open(t)) })
	t.Run("PruneOnce", func(t *testing.T) { testPruneOnce(t, open(t)) })
	t.Run("Recordings", func(t *testing.T) { testRecordings(t, open(t)) })
}

func join(t *testing.T, s Backend, id string) callbackline.Lease {
	t.Helper()
	l, err := s.Join(ctxT(t), &callbackline.Instance{ID: id, Fingerprint: "fp-" + id, Version: "test"})
	must(t, err)
	return l
}

func isFenced(err error) bool { return errors.Is(err, callbackline.ErrFenced) }

// testJoinBeat: every start is a new generation; the old one's heartbeat
// is refused as fenced, the new one's is taken.
func testJoinBeat(t *testing.T, s Backend) {
	ctx := ctxT(t)
	l1 := join(t, s, "host:8080")
	l2 := join(t, s, "host:8080")
	if l1.Instance != "host:8080" || l2.Generation != l1.Generation+1 {
		t.Fatalf("leases %+v then %+v: the second start must be the next generation", l1, l2)
	}
	if err := s.Beat(ctx, l1); !isFenced(err) {
		t.Errorf("heartbeat of the replaced generation: %v, want ErrFenced", err)
	}
	must(t, s.Beat(ctx, l2))
	list, err := s.Instances(ctx)
	must(t, err)
	if len(list) != 1 || list[0].Generation != l2.Generation || !list[0].Alive() || list[0].Fingerprint != "fp-host:8080" ||
		list[0].HeartbeatAt.IsZero() || time.Since(list[0].HeartbeatAt) > time.Minute {
		t.Errorf("instances: %+v", list)
	}
	must(t, s.Leave(ctx, l1)) // an old generation cannot remove the row
	if list, _ := s.Instances(ctx); len(list) != 1 {
		t.Errorf("Leave of an old generation removed the row: %+v", list)
	}
	must(t, s.Leave(ctx, l2))
	if list, _ := s.Instances(ctx); len(list) != 0 {
		t.Errorf("instances after Leave: %+v", list)
	}
}

// staleAfter waits until the instance's heartbeat is older than d by
// this machine's clock (the database's in these tests).
func staleAfter(t *testing.T, s Backend, id string, d time.Duration) {
	t.Helper()
	list, err := s.Instances(ctxT(t))
	must(t, err)
	for _, in := range list {
		if in.ID == id {
			for time.Since(in.HeartbeatAt) <= d+50*time.Millisecond { // the heartbeat ages
				select {
				case <-ctxT(t).Done():
					t.Fatal("the heartbeat did not age")
				case <-time.After(20 * time.Millisecond):
				}
			}
			return
		}
	}
	t.Fatalf("no instance %s", id)
}

// testTakeOverOnce: two living instances take a dead one over at the
// same time: exactly one of them does, its callbacks are released and
// its writes fenced from then on.
func testTakeOverOnce(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	dead := join(t, s, "dead")
	claimed(t, s, dead, cb.ID, true)
	const after = 3 * time.Second
	staleAfter(t, s, "dead", after)
	b, c := join(t, s, "b"), join(t, s, "c")
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got []callbackline.Takeover
	)
	for _, l := range []callbackline.Lease{b, c, b, c} {
		wg.Go(func() {
			tk, err := s.TakeOver(ctx, l, after)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			got = append(got, tk...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(got) != 1 || got[0].Dead.ID != "dead" || got[0].Callbacks != 1 || !slices.Contains([]string{"b", "c"}, got[0].Dead.TakenBy) {
		t.Fatalf("takeovers: %+v, want one of instance dead with its callback", got)
	}
	list, err := s.Instances(ctx)
	must(t, err)
	for _, in := range list {
		if (in.ID == "dead") == in.Alive() {
			t.Errorf("instance %s: dead at %v", in.ID, in.DeadAt)
		}
	}
	if err := s.Beat(ctx, dead); !isFenced(err) {
		t.Errorf("heartbeat of the dead instance: %v, want ErrFenced", err)
	}
	cb.State = callbackline.StateDone
	if err := s.Advance(callbackline.WithLease(ctx, dead), cb, 0, callbackline.Plain("late")); !isFenced(err) {
		t.Errorf("Advance under the dead lease: %v, want ErrFenced", err)
	}
	claimed(t, s, c, cb.ID, true)
}

func claimed(t *testing.T, s Backend, l callbackline.Lease, id int64, want bool) {
	t.Helper()
	ok, err := s.Claim(ctxT(t), l, id)
	must(t, err)
	if ok != want {
		t.Fatalf("Claim(%+v, %d) = %v, want %v", l, id, ok, want)
	}
}

// testClaimFence: a living owner keeps its callback; only its lease
// writes the callback's work; a write without a lease is not fenced.
func testClaimFence(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	a, b := join(t, s, "a"), join(t, s, "b")
	claimed(t, s, a, cb.ID, true)
	claimed(t, s, a, cb.ID, true)
	claimed(t, s, b, cb.ID, false)
	actx, bctx := callbackline.WithLease(ctx, a), callbackline.WithLease(ctx, b)
	cb.State = callbackline.StateRouting
	if err := s.Advance(bctx, cb, 0, callbackline.Plain("not mine")); !isFenced(err) {
		t.Errorf("Advance by another lease: %v, want ErrFenced", err)
	}
	must(t, s.Advance(actx, cb, 0, callbackline.Plain("mine")))
	att := &callbackline.Attempt{CallbackID: cb.ID, Number: 1, ExternalCallID: callbackline.ExternalCallID(cb.ID, 1)}
	if err := s.SaveAttempt(bctx, att); !isFenced(err) || att.ID != 0 {
		t.Errorf("SaveAttempt by another lease: %v (id %d), want ErrFenced and nothing stored", err, att.ID)
	}
	if until, err := s.PlaceAttempt(bctx, att, callbackline.DialLimits{}, time.Now()); !isFenced(err) || !until.IsZero() || att.ID != 0 {
		t.Errorf("PlaceAttempt by another lease: %v, want ErrFenced and nothing stored", err)
	}
	if until, err := s.PlaceAttempt(actx, att, callbackline.DialLimits{}, time.Now()); err != nil || !until.IsZero() || att.ID == 0 {
		t.Fatalf("PlaceAttempt by the owner: %v %v", until, err)
	}
	att.CallID = "CALL-1"
	must(t, s.SaveAttempt(actx, att))
	if list, _ := s.Attempts(ctx, cb.ID); len(list) != 1 || list[0].CallID != "CALL-1" {
		t.Errorf("attempts: %+v", list)
	}
	if ids, err := s.Claims(ctx, a); err != nil || !slices.Equal(ids, []int64{cb.ID}) {
		t.Errorf("claims of a: %v %v", ids, err)
	}
	if ids, err := s.Claims(ctx, b); err != nil || len(ids) != 0 {
		t.Errorf("claims of b: %v %v", ids, err)
	}
	must(t, s.Release(ctx, b, cb.ID)) // not b's: nothing changes
	claimed(t, s, b, cb.ID, false)
	must(t, s.Release(ctx, a, cb.ID))
	claimed(t, s, b, cb.ID, true)
	if err := s.Advance(actx, cb, 0, callbackline.Plain("released")); !isFenced(err) {
		t.Errorf("Advance after the release: %v, want ErrFenced", err)
	}
	must(t, s.Advance(context.WithoutCancel(ctx), cb, 0, callbackline.Plain("no lease: not fenced")))
}

// testRestartSameID: a process that starts again under its id takes its
// callbacks back at once (the old generation's claims are void and it
// cannot write), and its
// fresh heartbeat keeps any takeover away.
func testRestartSameID(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	old := join(t, s, "a")
	claimed(t, s, old, cb.ID, true)
	const after = 3 * time.Second
	staleAfter(t, s, "a", after)
	fresh := join(t, s, "a")
	other := join(t, s, "b")
	if tk, err := s.TakeOver(ctx, other, after); err != nil || len(tk) != 0 {
		t.Fatalf("takeover of an instance that started again: %+v %v", tk, err)
	}
	claimed(t, s, fresh, cb.ID, true) // the old generation's claim is void
	claimed(t, s, other, cb.ID, false)
	cb.State = callbackline.StateRouting
	if err := s.Advance(callbackline.WithLease(ctx, old), cb, 0, callbackline.Plain("old")); !isFenced(err) {
		t.Errorf("Advance by the old generation: %v, want ErrFenced", err)
	}
	must(t, s.Advance(callbackline.WithLease(ctx, fresh), cb, 0, callbackline.Plain("fresh")))
}

// testPruneOnce: a row declared dead, taken over and silent for longer
// than the bound is deleted exactly once, however many instances prune at
// the same time; a silent row not declared dead, a row started again, a
// dead row still named by a callback and a dead row younger than the
// bound are kept; the deleted instance's lease stays fenced.
func testPruneOnce(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	dead, held := join(t, s, "dead"), join(t, s, "held")
	join(t, s, "silent")
	const after = 2 * time.Second
	staleAfter(t, s, "held", after)
	b := join(t, s, "b")
	join(t, s, "c")
	tk, err := s.TakeOver(ctx, b, after)
	must(t, err)
	if len(tk) != 3 {
		t.Fatalf("takeovers: %+v, want dead, held and silent", tk)
	}
	claimed(t, s, held, cb.ID, true) // a lease of the dead instance claims again (it was paused)
	if got, err := s.PruneInstances(ctx, time.Hour); err != nil || len(got) != 0 {
		t.Fatalf("Prune(1h) of heartbeats seconds old: %+v %v, want none", got, err)
	}
	// Every row is older than the bound now (held joined last of the
	// three); b and c are silent too but were never declared dead, and
	// silent comes back (a new process under its id).
	staleAfter(t, s, "held", 2*after)
	staleAfter(t, s, "c", 2*after)
	join(t, s, "silent")
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got []string
	)
	for range 4 {
		wg.Go(func() {
			list, err := s.PruneInstances(ctx, 2*after)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			for _, in := range list {
				got = append(got, in.ID)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if !slices.Equal(got, []string{"dead"}) {
		t.Errorf("pruned %v, want dead once (held names a callback, silent and the takers are alive)", got)
	}
	list, err := s.Instances(ctx)
	must(t, err)
	var ids []string
	for _, in := range list {
		ids = append(ids, in.ID)
	}
	if !slices.Equal(ids, []string{"b", "c", "held", "silent"}) {
		t.Errorf("instances after pruning: %v", ids)
	}
	if err := s.Beat(ctx, dead); !isFenced(err) {
		t.Errorf("heartbeat of the pruned instance: %v, want ErrFenced", err)
	}
	must(t, s.Release(ctx, held, cb.ID))
	if list, err := s.PruneInstances(ctx, 2*after); err != nil || len(list) != 1 || list[0].ID != "held" || list[0].TakenBy != "b" {
		t.Errorf("Prune once its callback was released: %+v %v, want held (taken by b)", list, err)
	}
}

// testRecordings: a recording is kept until deleted, replaced when saved
// again, and goes with its attempt.
func testRecordings(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	a := saveAttempt(t, s, cb, 1)
	if _, _, err := s.Recording(ctx, a.ID); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Fatalf("no recording yet: %v", err)
	}
	wav := make([]byte, 300_000)
	for i := range wav {
		wav[i] = byte(i * 7)
	}
	must(t, s.SaveRecording(ctx, a.ID, "m1-1-1.wav", []byte("first")))
	must(t, s.SaveRecording(ctx, a.ID, "m1-1-1.wav", wav))
	name, data, err := s.Recording(ctx, a.ID)
	if err != nil || name != "m1-1-1.wav" || !slices.Equal(data, wav) {
		t.Fatalf("recording: %q, %d bytes, %v", name, len(data), err)
	}
	wantCode(t, s.SaveRecording(ctx, a.ID+1000, "x.wav", wav), callbackline.ENOTFOUND)
	must(t, s.DeleteRecording(ctx, a.ID))
	if _, _, err := s.Recording(ctx, a.ID); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
	must(t, s.SaveRecording(ctx, a.ID, "m1-1-1.wav", wav))
	must(t, s.DeletePortal(ctx, "m1"))
	if _, _, err := s.Recording(ctx, a.ID); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Errorf("after the portal was deleted: %v", err)
	}
}
