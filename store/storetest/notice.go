package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// runNotices tests the NoticeStore part of a backend.
func runNotices(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("SaveConditional", func(t *testing.T) { testNoticeSave(t, open(t)) })
	t.Run("OneWinnerOfMany", func(t *testing.T) { testNoticeRace(t, open(t)) })
	t.Run("DueAndDeleted", func(t *testing.T) { testNoticeDue(t, open(t)) })
}

// testNoticeSave: a notice not stored reads as version 0; a save is
// conditional on the version read; a portal not installed is ENOTFOUND.
func testNoticeSave(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	n, err := s.Notice(ctx, "m1", callbackline.ProblemCallbacks)
	must(t, err)
	if n.Version != 0 || n.MemberID != "m1" || n.Problem != callbackline.ProblemCallbacks || n.Open || n.Pending != "" {
		t.Fatalf("a notice not stored: %+v", n)
	}
	stale := *n
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	n.Open, n.Failures, n.Detail, n.Pending, n.NextAt = true, 5, "no answer", callbackline.NoticeProblem, at
	ok, err := s.SaveNotice(ctx, n)
	if must(t, err); !ok || n.Version != 1 {
		t.Fatalf("first save: %v, version %d", ok, n.Version)
	}
	// Another writer that read version 0 loses.
	stale.Failures = 1
	if ok, err := s.SaveNotice(ctx, &stale); err != nil || ok {
		t.Fatalf("a stale insert: %v %v", ok, err)
	}
	got, err := s.Notice(ctx, "m1", callbackline.ProblemCallbacks)
	must(t, err)
	if !got.Open || got.Failures != 5 || got.Detail != "no answer" || got.Pending != callbackline.NoticeProblem || !sameTime(got.NextAt, at) || got.Version != 1 {
		t.Fatalf("read back %+v", got)
	}
	got.Told, got.Pending = callbackline.NoticeProblem, ""
	got.NextAt = time.Time{}
	if ok, err := s.SaveNotice(ctx, got); err != nil || !ok || got.Version != 2 {
		t.Fatalf("update: %v %v %d", ok, err, got.Version)
	}
	if ok, err := s.SaveNotice(ctx, n); err != nil || ok { // n still has version 1
		t.Fatalf("a stale update: %v %v", ok, err)
	}
	if got, _ := s.Notice(ctx, "m1", callbackline.ProblemCallbacks); got.Told != callbackline.NoticeProblem || !got.NextAt.IsZero() {
		t.Errorf("after the stale update: %+v", got)
	}
	// The other problems are apart.
	if other, _ := s.Notice(ctx, "m1", callbackline.ProblemTrunk); other.Version != 0 {
		t.Errorf("another problem: %+v", other)
	}
	_, err = s.SaveNotice(ctx, &callbackline.Notice{MemberID: "nobody", Problem: callbackline.ProblemTrunk, Open: true})
	wantCode(t, err, callbackline.ENOTFOUND)
	_, err = s.SaveNotice(ctx, &callbackline.Notice{MemberID: "m1", Problem: "weather"})
	wantCode(t, err, callbackline.EINVALID)
}

// testNoticeRace: of many writers that read the same version, exactly
// one saves.
func testNoticeRace(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	for round := range 2 {
		base, err := s.Notice(ctx, "m1", callbackline.ProblemTrunk)
		must(t, err)
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := *base
				n.Open = round == 0
				ok, err := s.SaveNotice(ctx, &n)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Errorf("round %d (version %d): %d writers saved, want 1", round, base.Version, won)
		}
	}
}

// testNoticeDue: only notices with a message pending and due are listed,
// earliest first; they go with their portal.
func testNoticeDue(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	save := func(member string, p callbackline.Problem, pending string, next time.Time) {
		n := &callbackline.Notice{MemberID: member, Problem: p, Open: true, Pending: pending, NextAt: next}
		if ok, err := s.SaveNotice(ctx, n); err != nil || !ok {
			t.Fatalf("save %s %s: %v %v", member, p, ok, err)
		}
	}
	save("m1", callbackline.ProblemCallbacks, callbackline.NoticeProblem, now.Add(-time.Minute))
	save("m1", callbackline.ProblemTrunk, callbackline.NoticeProblem, now.Add(time.Minute)) // not yet
	save("m2", callbackline.ProblemTrunk, callbackline.NoticeFixed, now.Add(-time.Hour))
	save("m2", callbackline.ProblemReinstall, "", time.Time{}) // nothing to tell
	due, err := s.DueNotices(ctx, now, 10)
	must(t, err)
	if len(due) != 2 || due[0].MemberID != "m2" || due[0].Pending != callbackline.NoticeFixed || due[1].Problem != callbackline.ProblemCallbacks {
		t.Fatalf("due %+v", due)
	}
	if one, _ := s.DueNotices(ctx, now, 1); len(one) != 1 {
		t.Errorf("limit 1: %d", len(one))
	}
	_, err = s.DueNotices(ctx, now, 0)
	wantCode(t, err, callbackline.EINVALID)
	must(t, s.DeletePortal(ctx, "m2"))
	if due, _ := s.DueNotices(ctx, now, 10); len(due) != 1 || due[0].MemberID != "m1" {
		t.Errorf("after the portal's delete: %+v", due)
	}
}
