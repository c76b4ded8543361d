package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// runLimits runs the tests of the limits and of retention (called by Run).
func runLimits(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("JunkDoesNotFillPortalLimit", func(t *testing.T) { testJunkPortalLimit(t, open(t)) })
	t.Run("PlaceNumberAcrossPortals", func(t *testing.T) { testPlaceNumber(t, open(t)) })
	t.Run("PlacePortal", func(t *testing.T) { testPlacePortal(t, open(t)) })
	t.Run("PlaceStoredAttempt", func(t *testing.T) { testPlaceStored(t, open(t)) })
	t.Run("PlaceConcurrent", func(t *testing.T) { testPlaceConcurrent(t, open(t)) })
	t.Run("Prune", func(t *testing.T) { testPrune(t, open(t)) })
}

// testJunkPortalLimit: a flood of rejected requests (numbers the guard
// refuses, huge texts) is stored cut and does not count for the portal's
// hourly limit, nor do click-to-call requests count for either limit; a
// genuine request is still accepted, and only accepted ones fill the
// limit.
func testJunkPortalLimit(t *testing.T, s Backend) {
	savePortals(t, s, "m1")
	const limit = 3
	huge := strings.Repeat("ш", 5000)
	for i := range 50 {
		r := request("m1", fmt.Sprintf("+88213000%03d", i))
		r.PortalLimit, r.NumberLimit = limit, 100
		r.Callback.State, r.Callback.Reason = callbackline.StateRejected, callbackline.ReasonNumberType+": junk"
		r.Callback.Text, r.Callback.PhoneRaw = huge, huge
		res := intake(t, s, r)
		if res.Queued || len([]rune(res.Callback.Text)) != callbackline.RejectedTextMax ||
			len([]rune(res.Callback.PhoneRaw)) != callbackline.RejectedTextMax {
			t.Fatalf("junk %d: queued %v, text %d and raw number %d characters, want %d", i, res.Queued,
				len([]rune(res.Callback.Text)), len([]rune(res.Callback.PhoneRaw)), callbackline.RejectedTextMax)
		}
		if got := getCallback(t, s, res.Callback.ID); got.Text != res.Callback.Text {
			t.Fatalf("junk %d: stored text of %d characters, want it cut", i, len([]rune(got.Text)))
		}
	}
	// Click-to-call requests (forgeable) count for neither intake limit:
	// the dial limits count their calls.
	const clicks = 10
	for i := range clicks {
		r := request("m1", "+4930100000")
		r.PortalLimit, r.NumberLimit = limit, 1
		r.Callback.Kind, r.Callback.CallID, r.Callback.CRMEntityID = callbackline.KindCall, fmt.Sprintf("externalCall.%d", i), int64(500+i)
		if res := intake(t, s, r); !res.Queued {
			t.Fatalf("click-to-call %d: %s %s", i, res.Callback.State, res.Callback.Reason)
		}
	}
	for i := range limit {
		r := request("m1", fmt.Sprintf("+49301000%02d", i))
		r.PortalLimit, r.NumberLimit = limit, 1
		if res := intake(t, s, r); !res.Queued {
			t.Fatalf("genuine request %d after the junk: %s %s", i, res.Callback.State, res.Callback.Reason)
		}
	}
	// Over the limit now, cut too; and its rejection does not count.
	for i := range 2 {
		r := request("m1", fmt.Sprintf("+49301001%02d", i))
		r.PortalLimit, r.NumberLimit = limit, 100
		r.Callback.Text = huge
		res := intake(t, s, r)
		if res.Queued || !strings.HasPrefix(res.Callback.Reason, callbackline.ReasonPortalRate+": ") ||
			len([]rune(res.Callback.Text)) != callbackline.RejectedTextMax {
			t.Fatalf("over the portal limit: queued %v, reason %q, text %d characters", res.Queued, res.Callback.Reason,
				len([]rune(res.Callback.Text)))
		}
	}
	wantJobs(t, s, clicks+limit)
}

// placeable takes a callback of member for phone in and returns attempt
// n of it, not stored.
func placeable(t *testing.T, s Backend, member, phone string, crm int64) *callbackline.Attempt {
	t.Helper()
	r := request(member, phone)
	r.Callback.CRMEntityID = crm
	cb := intake(t, s, r).Callback
	return &callbackline.Attempt{CallbackID: cb.ID, Number: 1, ExternalCallID: callbackline.ExternalCallID(cb.ID, 1),
		StartedAt: time.Now(), UpdatedAt: time.Now()}
}

// place places a at at and returns the time PlaceAttempt gave.
func place(t *testing.T, s Backend, a *callbackline.Attempt, l callbackline.DialLimits, at time.Time) time.Time {
	t.Helper()
	until, err := s.PlaceAttempt(ctxT(t), a, l, at)
	must(t, err)
	switch {
	case until.IsZero() && (a.ID == 0 || !sameTime(a.PlacedAt, at)):
		t.Fatalf("placed, but ID %d and PlacedAt %v (want %v)", a.ID, a.PlacedAt, at)
	case !until.IsZero() && !a.PlacedAt.IsZero():
		t.Fatalf("limited until %v, but PlacedAt %v", until, a.PlacedAt)
	}
	return until
}

func wantAttempts(t *testing.T, s Backend, callbackID int64, want int) {
	t.Helper()
	list, err := s.Attempts(ctxT(t), callbackID)
	must(t, err)
	if len(list) != want {
		t.Fatalf("callback %d has %d attempts, want %d", callbackID, len(list), want)
	}
}

// testPlaceNumber: one number asked by two portals counts once across
// both; a call over the limit is not stored and learns when the limit
// frees up; another number is not held back.
func testPlaceNumber(t *testing.T, s Backend) {
	savePortals(t, s, "m1", "m2")
	l := callbackline.DialLimits{Number: 2}
	t0 := time.Now().Add(-30 * time.Minute).UTC().Truncate(time.Second)
	if u := place(t, s, placeable(t, s, "m1", "+4930111", 1), l, t0); !u.IsZero() {
		t.Fatalf("first call limited until %v", u)
	}
	if u := place(t, s, placeable(t, s, "m2", "+4930111", 1), l, t0.Add(time.Minute)); !u.IsZero() {
		t.Fatalf("second call (other portal) limited until %v", u)
	}
	third := placeable(t, s, "m1", "+4930111", 2)
	u := place(t, s, third, l, t0.Add(2*time.Minute))
	if !sameTime(u, t0.Add(time.Hour)) || third.ID != 0 {
		t.Fatalf("third call in the hour: until %v (want %v), ID %d (want none stored)", u, t0.Add(time.Hour), third.ID)
	}
	wantAttempts(t, s, third.CallbackID, 0)
	if u := place(t, s, placeable(t, s, "m1", "+4930222", 1), l, t0.Add(2*time.Minute)); !u.IsZero() {
		t.Fatalf("another number limited until %v", u)
	}
	if u := place(t, s, third, l, t0.Add(time.Hour+time.Second)); !u.IsZero() {
		t.Fatalf("after the hour: limited until %v", u)
	}
	wantAttempts(t, s, third.CallbackID, 1)
	got, err := s.Attempts(ctxT(t), third.CallbackID)
	must(t, err)
	if !sameTime(got[0].PlacedAt, t0.Add(time.Hour+time.Second)) {
		t.Errorf("stored PlacedAt %v, want %v", got[0].PlacedAt, t0.Add(time.Hour+time.Second))
	}
}

// testPlacePortal: the portal limit counts the portal's calls to every
// number, and not another portal's.
func testPlacePortal(t *testing.T, s Backend) {
	savePortals(t, s, "m1", "m2")
	l := callbackline.DialLimits{Number: 10, Portal: 3}
	t0 := time.Now().Add(-10 * time.Minute).UTC().Truncate(time.Second)
	for i := range 3 {
		if u := place(t, s, placeable(t, s, "m1", fmt.Sprintf("+493020%d", i), 1), l, t0.Add(time.Duration(i)*time.Minute)); !u.IsZero() {
			t.Fatalf("call %d limited until %v", i, u)
		}
	}
	if u := place(t, s, placeable(t, s, "m1", "+4930209", 1), l, t0.Add(5*time.Minute)); !sameTime(u, t0.Add(time.Hour)) {
		t.Fatalf("fourth call of the portal: until %v, want %v", u, t0.Add(time.Hour))
	}
	if u := place(t, s, placeable(t, s, "m2", "+4930209", 1), l, t0.Add(5*time.Minute)); !u.IsZero() {
		t.Fatalf("another portal limited until %v", u)
	}
}

// testPlaceStored: an attempt stored unplaced (SaveAttempt) does not
// count; PlaceAttempt places it, and SaveAttempt keeps PlacedAt.
func testPlaceStored(t *testing.T, s Backend) {
	savePortals(t, s, "m1")
	l := callbackline.DialLimits{Number: 1}
	at := time.Now().UTC().Truncate(time.Second)
	unplaced := placeable(t, s, "m1", "+4930333", 1)
	must(t, s.SaveAttempt(ctxT(t), unplaced))
	a := placeable(t, s, "m1", "+4930333", 2)
	must(t, s.SaveAttempt(ctxT(t), a))
	id := a.ID
	if u := place(t, s, a, l, at); !u.IsZero() || a.ID != id {
		t.Fatalf("placing a stored attempt: until %v, ID %d (was %d)", u, a.ID, id)
	}
	if u := place(t, s, unplaced, l, at.Add(time.Second)); u.IsZero() || unplaced.ID == 0 {
		t.Fatalf("second call to the number placed (until %v), or its stored attempt forgotten (ID %d)", u, unplaced.ID)
	}
	a.Reason = "finished"
	must(t, s.SaveAttempt(ctxT(t), a))
	got, err := s.Attempts(ctxT(t), a.CallbackID)
	must(t, err)
	if !sameTime(got[0].PlacedAt, at) {
		t.Errorf("PlacedAt after SaveAttempt %v, want %v", got[0].PlacedAt, at)
	}
	if _, err := s.PlaceAttempt(ctxT(t), &callbackline.Attempt{CallbackID: 1 << 40, Number: 1}, l, at); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Errorf("unknown callback: %v, want ENOTFOUND", err)
	}
}

// testPlaceConcurrent: placements racing for one number never pass the
// limit (the store's lock, on every instance).
func testPlaceConcurrent(t *testing.T, s Backend) {
	savePortals(t, s, "m1", "m2")
	const n, limit = 20, 3
	l := callbackline.DialLimits{Number: limit}
	as := make([]*callbackline.Attempt, n)
	for i := range as {
		as[i] = placeable(t, s, []string{"m1", "m2"}[i%2], "+4930444", int64(i))
	}
	at := time.Now().UTC()
	var wg sync.WaitGroup
	placed := make([]bool, n)
	errs := make([]error, n)
	for i, a := range as {
		wg.Go(func() {
			u, err := s.PlaceAttempt(ctxT(t), a, l, at)
			placed[i], errs[i] = err == nil && u.IsZero(), err
		})
	}
	wg.Wait()
	count := 0
	for i := range as {
		must(t, errs[i])
		if placed[i] {
			count++
		}
	}
	if count != limit {
		t.Fatalf("%d calls placed at once, want exactly %d", count, limit)
	}
}

// testPrune: rejected requests and finished callbacks older than their
// retention go, in batches; what is younger or still worked on stays;
// history entries go by their own age.
func testPrune(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	now := time.Now()
	r := callbackline.Retention{Rejected: 7 * 24 * time.Hour, Finished: 30 * 24 * time.Hour, History: 60 * 24 * time.Hour}
	var oldRejected, keep []int64
	for i := range 5 {
		req := request("m1", fmt.Sprintf("+88213000%03d", i))
		req.Callback.State, req.Callback.Reason = callbackline.StateRejected, callbackline.ReasonNumberType+": junk"
		req.Callback.CreatedAt = now.Add(-8 * 24 * time.Hour)
		oldRejected = append(oldRejected, intake(t, s, req).Callback.ID)
	}
	young := request("m1", "+882130009")
	young.Callback.State, young.Callback.Reason = callbackline.StateRejected, callbackline.ReasonNumberType+": junk"
	keep = append(keep, intake(t, s, young).Callback.ID)
	finish := func(phone string, state callbackline.State, age time.Duration) int64 {
		cb := newCallback(t, s, phone)
		cb.State, cb.UpdatedAt = state, now.Add(-age)
		must(t, s.Advance(ctx, cb, 0, callbackline.Plain("step")))
		saveAttempt(t, s, cb, 1)
		return cb.ID
	}
	oldDone := finish("+4930501", callbackline.StateDone, 31*24*time.Hour)
	oldFailed := finish("+4930502", callbackline.StateFailed, 31*24*time.Hour)
	keep = append(keep, finish("+4930503", callbackline.StateDone, 29*24*time.Hour))
	// Scheduled long ago: still worked on, kept; its old history goes.
	working := finish("+4930504", callbackline.StateScheduled, 61*24*time.Hour)
	keep = append(keep, working)
	cb := getCallback(t, s, working)
	cb.UpdatedAt = now
	must(t, s.Advance(ctx, cb, 0, callbackline.Plain("later step")))

	var total callbackline.Pruned
	for range 10 {
		p, err := s.Prune(ctx, r, now, 2)
		must(t, err)
		if p.Rejected > 2 || p.Finished > 2 || p.History > 2 {
			t.Fatalf("a batch of 2 deleted %+v", p)
		}
		total.Rejected, total.Finished, total.History = total.Rejected+p.Rejected, total.Finished+p.Finished, total.History+p.History
		if p == (callbackline.Pruned{}) {
			break
		}
	}
	if total.Rejected != 5 || total.Finished != 2 || total.History != 1 {
		t.Fatalf("pruned %+v, want 5 rejected, 2 finished, 1 history entry", total)
	}
	for _, id := range append(oldRejected, oldDone, oldFailed) {
		if _, err := s.Callback(ctx, id); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
			t.Errorf("callback %d: %v, want it pruned", id, err)
		}
	}
	wantAttempts(t, s, oldDone, 0)
	for _, id := range keep {
		getCallback(t, s, id)
	}
	if h := history(t, s, working); len(h) != 1 || h[0].Note != "later step" {
		t.Errorf("history of the callback still worked on: %+v, want only the later step", h)
	}
	if _, err := s.Prune(ctx, r, now, 0); callbackline.ErrorCode(err) != callbackline.EINVALID {
		t.Errorf("batch 0: %v, want EINVALID", err)
	}
}
