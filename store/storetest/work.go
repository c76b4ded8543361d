package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callbackline/callbackline"
)

// runWork runs the callbackline.WorkStore tests (called by Run).
func runWork(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("AdvanceHistory", func(t *testing.T) { testAdvanceHistory(t, open(t)) })
	t.Run("AdvanceNoteCode", func(t *testing.T) { testAdvanceNoteCode(t, open(t)) })
	t.Run("AdvanceErrors", func(t *testing.T) { testAdvanceErrors(t, open(t)) })
	t.Run("AdvanceConcurrent", func(t *testing.T) { testAdvanceConcurrent(t, open(t)) })
	t.Run("AttemptRoundTrip", func(t *testing.T) { testAttemptRoundTrip(t, open(t)) })
	t.Run("AttemptErrors", func(t *testing.T) { testAttemptErrors(t, open(t)) })
	t.Run("ExternalCallIDUnique", func(t *testing.T) { testAttemptExternalUnique(t, open(t)) })
	t.Run("DeletePortalCascades", func(t *testing.T) { testWorkCascade(t, open(t)) })
	t.Run("RecoverJobsNone", func(t *testing.T) { testRecoverNone(t, open(t)) })
	t.Run("QueueAttachOnce", func(t *testing.T) { testQueueAttach(t, open(t)) })
	t.Run("QueueUninstallOnce", func(t *testing.T) { testQueueUninstall(t, open(t)) })
}

// testQueueUninstall: a flood of the same uninstall event queues one
// check; an event asking something else (CLEAN) gets its own.
func testQueueUninstall(t *testing.T, s Backend) {
	ctx := ctxT(t)
	for range 5 {
		must(t, s.QueueUninstall(ctx, callbackline.UninstallJob{MemberID: "m1", Clean: true}, time.Minute))
	}
	must(t, s.QueueUninstall(ctx, callbackline.UninstallJob{MemberID: "m1"}, time.Minute))
	must(t, s.QueueUninstall(ctx, callbackline.UninstallJob{MemberID: "m2", Clean: true}, 0))
	if n, err := s.CountJobs(ctx, callbackline.UninstallJob{}.Kind()); err != nil || n != 3 {
		t.Fatalf("uninstall jobs = %d (%v), want 3: one per portal and request", n, err)
	}
}

// testQueueAttach: one waiting AttachJob per attempt, however often it
// is asked for.
func testQueueAttach(t *testing.T, s Backend) {
	ctx := ctxT(t)
	for range 3 {
		must(t, s.QueueAttach(ctx, callbackline.AttachJob{CallbackID: 1, AttemptID: 7}, time.Minute))
	}
	must(t, s.QueueAttach(ctx, callbackline.AttachJob{CallbackID: 1, AttemptID: 8}, 0))
	if n, err := s.CountJobs(ctx, callbackline.AttachJob{}.Kind()); err != nil || n != 2 {
		t.Fatalf("attach jobs = %d (%v), want 2: one per attempt", n, err)
	}
}

// newCallback takes a fresh callback of portal m1 in.
func newCallback(t *testing.T, s Backend, phone string) *callbackline.Callback {
	t.Helper()
	res := intake(t, s, request("m1", phone))
	if res.Duplicate || !res.Queued {
		t.Fatalf("intake of %s: duplicate %v, queued %v", phone, res.Duplicate, res.Queued)
	}
	return res.Callback
}

func getCallback(t *testing.T, s Backend, id int64) *callbackline.Callback {
	t.Helper()
	cb, err := s.Callback(ctxT(t), id)
	must(t, err)
	return cb
}

func history(t *testing.T, s Backend, id int64) []callbackline.HistoryEntry {
	t.Helper()
	h, err := s.History(ctxT(t), id)
	must(t, err)
	return h
}

// saveAttempt stores a minimal attempt n of cb.
func saveAttempt(t *testing.T, s Backend, cb *callbackline.Callback, n int) *callbackline.Attempt {
	t.Helper()
	a := &callbackline.Attempt{CallbackID: cb.ID, Number: n, ExternalCallID: callbackline.ExternalCallID(cb.ID, n),
		StartedAt: time.Now(), UpdatedAt: time.Now()}
	must(t, s.SaveAttempt(ctxT(t), a))
	if a.ID == 0 {
		t.Fatal("SaveAttempt of a new attempt left its ID 0")
	}
	return a
}

// advanceStep is one Advance of testAdvanceHistory.
type advanceStep struct {
	state   callbackline.State
	attempt int64
	note    string
	edit    func(*callbackline.Callback)
}

func testAdvanceHistory(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	other := newCallback(t, s, "+4930222")
	a := saveAttempt(t, s, cb, 1)

	base := time.Date(2026, 3, 4, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	next := base.Add(10 * time.Minute).Add(123456789 * time.Nanosecond)
	steps := []advanceStep{
		{callbackline.StateRouting, 0, "routing", nil},
		{callbackline.StateRingingEmployee, a.ID, "ringing 101", func(c *callbackline.Callback) { c.EmployeeRounds = 1 }},
		{callbackline.StateRingingClient, a.ID, "ringing the client", func(c *callbackline.Callback) { c.ClientAttempts = 1 }},
		{callbackline.StateScheduled, a.ID, "busy: again in 10 minutes", func(c *callbackline.Callback) {
			c.NextAt, c.Reason = next, "busy"
		}},
	}
	for i, st := range steps {
		cb.State, cb.UpdatedAt = st.state, base.Add(time.Duration(i)*time.Second)
		if st.edit != nil {
			st.edit(cb)
		}
		must(t, s.Advance(ctx, cb, st.attempt, callbackline.Plain(st.note)))
	}
	checkAdvanced(t, s, cb, next, base.Add(3*time.Second))
	checkHistory(t, s, cb.ID, steps, base)
	if oh := history(t, s, other.ID); len(oh) != 0 {
		t.Errorf("another callback has history: %+v", oh)
	}
	if h, err := s.History(ctx, 999999); err != nil || len(h) != 0 {
		t.Errorf("History of an unknown callback = %v, %v; want none", h, err)
	}
	testAdvanceClears(t, s, cb)
}

// checkAdvanced checks the work fields testAdvanceHistory's steps left,
// and that nothing else changed.
func checkAdvanced(t *testing.T, s Backend, cb *callbackline.Callback, next, updated time.Time) {
	t.Helper()
	got := getCallback(t, s, cb.ID)
	if got.State != callbackline.StateScheduled || got.Reason != "busy" || got.ClientAttempts != 1 || got.EmployeeRounds != 1 {
		t.Errorf("callback after Advance: state %q reason %q client attempts %d employee rounds %d",
			got.State, got.Reason, got.ClientAttempts, got.EmployeeRounds)
	}
	if !sameTime(got.NextAt, next) || !sameTime(got.UpdatedAt, updated) {
		t.Errorf("NextAt %v UpdatedAt %v, want %v %v", got.NextAt, got.UpdatedAt, next, updated)
	}
	if got.Phone != cb.Phone || got.Text != cb.Text || !sameTime(got.CreatedAt, cb.CreatedAt) {
		t.Errorf("Advance changed more than the work fields: %+v", got)
	}
	list, err := s.Callbacks(ctxT(t), callbackline.CallbackFilter{State: callbackline.StateScheduled})
	must(t, err)
	if len(list) != 1 || list[0].ID != cb.ID || !sameTime(list[0].NextAt, next) || list[0].ClientAttempts != 1 {
		t.Errorf("Callbacks(scheduled) = %d callbacks, want the advanced one with its work fields", len(list))
	}
}

// checkHistory checks one entry per step, in order, step i at base + i s.
func checkHistory(t *testing.T, s Backend, id int64, steps []advanceStep, base time.Time) {
	t.Helper()
	h := history(t, s, id)
	if len(h) != len(steps) {
		t.Fatalf("history has %d entries, want %d: %+v", len(h), len(steps), h)
	}
	for i, st := range steps {
		e := h[i]
		if e.State != st.state || e.Note != st.note || e.AttemptID != st.attempt || e.CallbackID != id {
			t.Errorf("history[%d] = %+v, want state %q note %q attempt %d", i, e, st.state, st.note, st.attempt)
		}
		if !sameTime(e.At, base.Add(time.Duration(i)*time.Second)) {
			t.Errorf("history[%d].At = %v, want %v", i, e.At, base.Add(time.Duration(i)*time.Second))
		}
		if i > 0 && e.ID <= h[i-1].ID {
			t.Errorf("history ids not increasing: %d after %d", e.ID, h[i-1].ID)
		}
	}
}

// testAdvanceClears: a zero NextAt clears it; a zero UpdatedAt becomes now.
func testAdvanceClears(t *testing.T, s Backend, cb *callbackline.Callback) {
	cb.State, cb.NextAt, cb.Reason, cb.UpdatedAt = callbackline.StateRouting, time.Time{}, "", time.Time{}
	before := time.Now().Add(-time.Second)
	must(t, s.Advance(ctxT(t), cb, 0, callbackline.Plain("working hours began")))
	got := getCallback(t, s, cb.ID)
	if !got.NextAt.IsZero() || got.Reason != "" || got.State != callbackline.StateRouting {
		t.Errorf("after clearing: NextAt %v reason %q state %q", got.NextAt, got.Reason, got.State)
	}
	if got.UpdatedAt.Before(before) || got.UpdatedAt.After(time.Now().Add(time.Second)) || !sameTime(cb.UpdatedAt, got.UpdatedAt) {
		t.Errorf("a zero UpdatedAt: stored %v, cb.UpdatedAt %v; want now", got.UpdatedAt, cb.UpdatedAt)
	}
	h := history(t, s, cb.ID)
	if last := h[len(h)-1]; last.Note != "working hours began" || !sameTime(last.At, got.UpdatedAt) {
		t.Errorf("last history entry %+v, want the note at %v", last, got.UpdatedAt)
	}
}

// testAdvanceNoteCode: a note's code and arguments, nested notes among
// them, come back from History as they were given, with its English in
// Note; a free text has no code; the control actions' entries have theirs.
func testAdvanceNoteCode(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	at := time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC)
	notes := []callbackline.Note{
		callbackline.NewNote("ringing", callbackline.NewNote("employee", "Анна Шульц «A&B»", "101")),
		callbackline.NewNote("scheduled", callbackline.NewNote("client_again", "486"), at),
		callbackline.NewNote("registered", "call-7", callbackline.NoteList([]callbackline.Note{
			callbackline.NewNote("extension", "101"), callbackline.NewNote("employee", callbackline.NewNote("line_target"), "200")})),
		callbackline.NewNote("routing"),
		callbackline.Plain("a free text"),
	}
	for i, n := range notes {
		cb.State, cb.UpdatedAt = callbackline.StateRouting, at.Add(time.Duration(i)*time.Second)
		must(t, s.Advance(ctx, cb, 0, n))
	}
	h := history(t, s, cb.ID)
	if len(h) != len(notes) {
		t.Fatalf("history has %d entries, want %d", len(h), len(notes))
	}
	for i, n := range notes {
		if !reflect.DeepEqual(h[i].Said, n) && !(n.Code == "" && h[i].Said.Code == "") {
			t.Errorf("history[%d].Said = %+v, want %+v", i, h[i].Said, n)
		}
		if h[i].Note != n.English() {
			t.Errorf("history[%d].Note = %q, want the English %q", i, h[i].Note, n.English())
		}
	}
	if want := "call card registered (call-7); ringing extension 101, line target (extension 200)"; h[2].Note != want {
		t.Errorf("history[2].Note = %q, want %q", h[2].Note, want)
	}
	if h[4].Said.Code != "" || h[4].Note != "a free text" {
		t.Errorf("a free text came back as %+v", h[4])
	}
	cb.State, cb.UpdatedAt = callbackline.StateScheduled, at.Add(time.Minute)
	must(t, s.Advance(ctx, cb, 0, callbackline.Plain("waiting")))
	_, err := s.Control(ctx, callbackline.ControlRequest{ID: cb.ID, MemberID: "m1", Action: callbackline.ActionCancel, By: "Anna"})
	must(t, err)
	h = history(t, s, cb.ID)
	if last := h[len(h)-1]; !reflect.DeepEqual(last.Said, callbackline.NewNote("cancel", "Anna")) || last.Note != "cancelled by Anna: nothing is dialled" {
		t.Errorf("the cancel's entry = %+v, want its code and English", last)
	}
}

func testAdvanceErrors(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")

	missing := *cb
	missing.ID, missing.State = 999999, callbackline.StateRouting
	wantCode(t, s.Advance(ctx, &missing, 0, callbackline.Plain("x")), callbackline.ENOTFOUND)

	bad := *cb
	bad.State = "dancing"
	wantCode(t, s.Advance(ctx, &bad, 0, callbackline.Plain("x")), callbackline.EINVALID)

	// An unknown attempt fails the whole step: the callback is unchanged.
	step := *cb
	step.State, step.ClientAttempts, step.UpdatedAt = callbackline.StateRingingClient, 2, time.Now()
	wantCode(t, s.Advance(ctx, &step, 424242, callbackline.Plain("ringing")), callbackline.ENOTFOUND)
	got := getCallback(t, s, cb.ID)
	if got.State != callbackline.StateReceived || got.ClientAttempts != 0 {
		t.Errorf("a failed Advance changed the callback: state %q client attempts %d", got.State, got.ClientAttempts)
	}
	if h := history(t, s, cb.ID); len(h) != 0 {
		t.Errorf("a failed Advance wrote history: %+v", h)
	}
}

func testAdvanceConcurrent(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	const n = 40
	states := []callbackline.State{callbackline.StateRouting, callbackline.StateRingingEmployee,
		callbackline.StateAnnouncing, callbackline.StateScheduled}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			c := *cb
			c.State, c.Reason, c.ClientAttempts, c.UpdatedAt = states[i%len(states)], fmt.Sprintf("r%d", i), i, time.Now()
			errs[i] = s.Advance(ctx, &c, 0, callbackline.Plain(fmt.Sprintf("step %d", i)))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Advance %d: %v", i, err)
		}
	}
	h := history(t, s, cb.ID)
	if len(h) != n {
		t.Fatalf("history has %d entries, want %d", len(h), n)
	}
	seen := map[string]bool{}
	for _, e := range h {
		seen[e.Note] = true
	}
	if len(seen) != n {
		t.Errorf("history notes: %d distinct of %d", len(seen), n)
	}
	// Each Advance is one transaction: the callback is what the last
	// history entry says.
	last := h[n-1]
	var i int
	if _, err := fmt.Sscanf(last.Note, "step %d", &i); err != nil {
		t.Fatalf("last note %q: %v", last.Note, err)
	}
	got := getCallback(t, s, cb.ID)
	if got.State != last.State || got.Reason != fmt.Sprintf("r%d", i) || got.ClientAttempts != i {
		t.Errorf("callback state %q reason %q attempts %d; the last history entry is %+v",
			got.State, got.Reason, got.ClientAttempts, last)
	}
}

func testAttemptRoundTrip(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	zone := time.FixedZone("MSK", 3*3600)
	started := time.Date(2026, 5, 6, 7, 8, 9, 987654321, zone)
	full := &callbackline.Attempt{
		CallbackID:     cb.ID,
		Number:         2,
		ExternalCallID: callbackline.ExternalCallID(cb.ID, 2),
		CallID:         "externalCall.abc123",
		UserID:         17,
		Extension:      "101",
		ClientDialled:  true,
		Connected:      true,
		StatusCode:     "200",
		Reason:         "Разговор состоялся",
		Duration:       95,
		FinishedAt:     started.Add(2 * time.Minute),
		RecordPath:     "/var/lib/callbackline/rec/1-2.wav",
		RecordFileID:   555,
		StartedAt:      started,
		UpdatedAt:      started.Add(3 * time.Minute),
	}
	want := *full
	must(t, s.SaveAttempt(ctx, full))
	if full.ID == 0 {
		t.Fatal("SaveAttempt left the ID 0")
	}
	first := &callbackline.Attempt{CallbackID: cb.ID, Number: 1, ExternalCallID: callbackline.ExternalCallID(cb.ID, 1)}
	must(t, s.SaveAttempt(ctx, first))
	list, err := s.Attempts(ctx, cb.ID)
	must(t, err)
	if len(list) != 2 || list[0].Number != 1 || list[1].Number != 2 {
		t.Fatalf("Attempts = %d, want 2 by Number: %+v", len(list), list)
	}
	want.ID = full.ID
	compareAttempt(t, list[1], &want)
	zero := list[0]
	if !zero.StartedAt.IsZero() || !zero.FinishedAt.IsZero() || !zero.UpdatedAt.IsZero() ||
		zero.ClientDialled || zero.Connected || zero.CallID != "" || zero.Open() {
		t.Errorf("an attempt saved with zero fields came back as %+v", zero)
	}

	// Update: every field changes, finished goes back to zero.
	upd := *list[1]
	upd.Number, upd.ExternalCallID, upd.CallID, upd.UserID, upd.Extension = 3, "ext-3", "externalCall.def", 18, "102"
	upd.ClientDialled, upd.Connected, upd.StatusCode, upd.Reason, upd.Duration = false, false, "486", "busy", 0
	upd.FinishedAt, upd.RecordPath, upd.RecordFileID = time.Time{}, "", 0
	upd.StartedAt, upd.UpdatedAt = started.Add(time.Hour), started.Add(2*time.Hour)
	want = upd
	must(t, s.SaveAttempt(ctx, &upd))
	if upd.ID != want.ID {
		t.Errorf("an update changed the ID from %d to %d", want.ID, upd.ID)
	}
	list, err = s.Attempts(ctx, cb.ID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("Attempts after update = %d, want 2", len(list))
	}
	compareAttempt(t, list[1], &want)
	if !list[1].Open() {
		t.Error("a registered attempt with a zero FinishedAt is not Open")
	}
	if list, err := s.Attempts(ctx, 999999); err != nil || len(list) != 0 {
		t.Errorf("Attempts of an unknown callback = %v, %v; want none", list, err)
	}
}

func compareAttempt(t *testing.T, got, want *callbackline.Attempt) {
	t.Helper()
	g, w := *got, *want
	for _, p := range [][2]time.Time{{g.StartedAt, w.StartedAt}, {g.FinishedAt, w.FinishedAt}, {g.UpdatedAt, w.UpdatedAt}} {
		if p[0].IsZero() != p[1].IsZero() || !sameTime(p[0], p[1]) {
			t.Errorf("attempt time %v, want %v", p[0], p[1])
		}
	}
	g.StartedAt, g.FinishedAt, g.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
	w.StartedAt, w.FinishedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
	if g != w {
		t.Errorf("attempt:\n got %+v\nwant %+v", g, w)
	}
}

func testAttemptErrors(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	a := saveAttempt(t, s, cb, 1)

	unknown := *a
	unknown.ID = a.ID + 1000
	wantCode(t, s.SaveAttempt(ctx, &unknown), callbackline.ENOTFOUND)
	wantCode(t, s.SaveAttempt(ctx, &callbackline.Attempt{CallbackID: 999999, Number: 1, ExternalCallID: "x"}),
		callbackline.ENOTFOUND)
	wantCode(t, s.SaveAttempt(ctx, &callbackline.Attempt{CallbackID: cb.ID, Number: 0}), callbackline.EINVALID)
	wantCode(t, s.SaveAttempt(ctx, &callbackline.Attempt{Number: 1}), callbackline.EINVALID)
	// The same number twice in one callback.
	wantCode(t, s.SaveAttempt(ctx, &callbackline.Attempt{CallbackID: cb.ID, Number: 1, ExternalCallID: "other"}),
		callbackline.ECONFLICT)
	list, err := s.Attempts(ctx, cb.ID)
	must(t, err)
	if len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("failed saves changed the attempts: %+v", list)
	}
}

func testAttemptExternalUnique(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	cb := newCallback(t, s, "+4930111")
	other := newCallback(t, s, "+4930222")
	a := saveAttempt(t, s, cb, 1)

	dup := &callbackline.Attempt{CallbackID: other.ID, Number: 1, ExternalCallID: a.ExternalCallID}
	wantCode(t, s.SaveAttempt(ctx, dup), callbackline.ECONFLICT)
	if dup.ID != 0 {
		t.Errorf("a refused insert set the ID to %d", dup.ID)
	}
	// An update onto another attempt's id conflicts as well.
	b := saveAttempt(t, s, other, 1)
	b.ExternalCallID = a.ExternalCallID
	wantCode(t, s.SaveAttempt(ctx, b), callbackline.ECONFLICT)
	// Attempts without an EXTERNAL_CALL_ID yet do not collide.
	must(t, s.SaveAttempt(ctx, &callbackline.Attempt{CallbackID: cb.ID, Number: 2}))
	must(t, s.SaveAttempt(ctx, &callbackline.Attempt{CallbackID: cb.ID, Number: 3}))
	list, err := s.Attempts(ctx, other.ID)
	must(t, err)
	if len(list) != 1 || list[0].ExternalCallID != callbackline.ExternalCallID(other.ID, 1) {
		t.Errorf("the refused update was stored: %+v", list)
	}
}

func testWorkCascade(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	cb := newCallback(t, s, "+4930111")
	a := saveAttempt(t, s, cb, 1)
	cb.State = callbackline.StateRingingEmployee
	must(t, s.Advance(ctx, cb, a.ID, callbackline.Plain("ringing")))
	keep := intake(t, s, request("m2", "+4930333")).Callback
	ka := saveAttempt(t, s, keep, 1)
	keep.State = callbackline.StateRouting
	must(t, s.Advance(ctx, keep, 0, callbackline.Plain("routing")))

	must(t, s.DeletePortal(ctx, "m1"))
	if list, err := s.Attempts(ctx, cb.ID); err != nil || len(list) != 0 {
		t.Errorf("attempts after DeletePortal: %v, %v", list, err)
	}
	if h, err := s.History(ctx, cb.ID); err != nil || len(h) != 0 {
		t.Errorf("history after DeletePortal: %v, %v", h, err)
	}
	// The attempt's EXTERNAL_CALL_ID is free again.
	must(t, s.SavePortal(ctx, portal("m1")))
	fresh := newCallback(t, s, "+4930444")
	must(t, s.SaveAttempt(ctx, &callbackline.Attempt{CallbackID: fresh.ID, Number: 1, ExternalCallID: a.ExternalCallID}))
	// The other portal keeps everything.
	if list, err := s.Attempts(ctx, keep.ID); err != nil || len(list) != 1 || list[0].ID != ka.ID {
		t.Errorf("the other portal's attempts: %v, %v", list, err)
	}
	if h := history(t, s, keep.ID); len(h) != 1 {
		t.Errorf("the other portal's history: %+v", h)
	}
}

func testRecoverNone(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	newCallback(t, s, "+4930111")
	n, err := s.RecoverJobs(ctx, "me")
	must(t, err)
	if n != 0 {
		t.Errorf("RecoverJobs with no running job = %d, want 0", n)
	}
	_, err = s.RecoverJobs(ctx, "")
	wantCode(t, err, callbackline.EINVALID)
}

// QueueBackend is a Backend with its River queue, for RunRecovery.
type QueueBackend interface {
	Backend
	// StartQueue runs the store's workers until StopQueue or ctx ends.
	StartQueue(ctx context.Context) error
	// StopQueue stops the queue.
	StopQueue(ctx context.Context) error
	// Job returns a queue job.
	Job(ctx context.Context, id int64) (*rivertype.JobRow, error)
	// JobIDs lists the ids of the kind's jobs, ascending.
	JobIDs(ctx context.Context, kind string) ([]int64, error)
	// SetJob puts a job in a state with attempted_by as given, as a
	// client leaves it (attempt at least 1, attempted_at now).
	SetJob(ctx context.Context, id int64, state rivertype.JobState, attemptedBy []string) error
}

// OpenQueue opens a store on the test's database, its queue client
// identified by id and running workers (nil: insert only). The store is
// closed at the end of the test (t.Cleanup); opening another on the same
// database is a restart.
type OpenQueue func(t *testing.T, id string, workers *river.Workers) QueueBackend

// RunRecovery runs the tests of the queue: a worker runs a queued
// callback; and, setting River job states by hand, RecoverJobs and the
// uninstall check's recheck. newDB makes
// an empty database for one test and returns how to open stores on it.
func RunRecovery(t *testing.T, newDB func(t *testing.T) OpenQueue) {
	t.Run("OnlyTheClientsRunningJobs", func(t *testing.T) { testRecoverMine(t, newDB(t)) })
	t.Run("AfterCrash", func(t *testing.T) { testRecoverAfterCrash(t, newDB(t)) })
	t.Run("UninstallRecheck", func(t *testing.T) { testUninstallRecheck(t, newDB(t)) })
	t.Run("QueueRunsWorker", func(t *testing.T) { testQueueRunsWorker(t, newDB(t)) })
}

// testUninstallRecheck: an uninstall event that arrives while the same
// check runs (its answer may predate the event) queues one recheck; more
// such events queue nothing more.
func testUninstallRecheck(t *testing.T, open OpenQueue) {
	ctx := ctxT(t)
	s := open(t, "me", nil)
	j := callbackline.UninstallJob{MemberID: "m1", Clean: true}
	must(t, s.QueueUninstall(ctx, j, 0))
	ids, err := s.JobIDs(ctx, j.Kind())
	must(t, err)
	if len(ids) != 1 {
		t.Fatalf("%d uninstall jobs, want 1", len(ids))
	}
	must(t, s.SetJob(ctx, ids[0], rivertype.JobStateRunning, []string{"me"}))
	for range 3 {
		must(t, s.QueueUninstall(ctx, j, 0))
	}
	ids, err = s.JobIDs(ctx, j.Kind())
	must(t, err)
	if len(ids) != 2 {
		t.Fatalf("%d uninstall jobs, want 2: the running check and one recheck", len(ids))
	}
	var recheck callbackline.UninstallJob
	must(t, json.Unmarshal(job(t, s, ids[1]).EncodedArgs, &recheck))
	if !recheck.Recheck || recheck.MemberID != "m1" || !recheck.Clean {
		t.Errorf("the second job is %+v, want the recheck of the same request", recheck)
	}
}

func job(t *testing.T, s QueueBackend, id int64) *rivertype.JobRow {
	t.Helper()
	j, err := s.Job(ctxT(t), id)
	must(t, err)
	return j
}

func testRecoverMine(t *testing.T, open OpenQueue) {
	ctx := ctxT(t)
	s := open(t, "me", nil)
	savePortals(t, s, "m1")
	for _, p := range []string{"+4930111", "+4930222", "+4930333", "+4930444"} {
		newCallback(t, s, p)
	}
	ids, err := s.JobIDs(ctx, callbackline.CallbackJob{}.Kind())
	must(t, err)
	if len(ids) != 4 {
		t.Fatalf("%d jobs, want 4", len(ids))
	}
	mine, others, notRunning, untouched := ids[0], ids[1], ids[2], ids[3]
	must(t, s.SetJob(ctx, mine, rivertype.JobStateRunning, []string{"other", "me"}))
	must(t, s.SetJob(ctx, others, rivertype.JobStateRunning, []string{"me", "other"}))
	must(t, s.SetJob(ctx, notRunning, rivertype.JobStateRetryable, []string{"me"}))
	before := map[int64]*rivertype.JobRow{}
	for _, id := range ids {
		before[id] = job(t, s, id)
	}

	start := time.Now()
	n, err := s.RecoverJobs(ctx, "me")
	must(t, err)
	if n != 1 {
		t.Fatalf("RecoverJobs(me) = %d, want 1", n)
	}
	j := job(t, s, mine)
	if j.State != rivertype.JobStateAvailable {
		t.Errorf("recovered job state %q, want available", j.State)
	}
	if j.Attempt != before[mine].Attempt || !slices.Equal(j.AttemptedBy, []string{"other", "me"}) {
		t.Errorf("recovered job: attempt %d attempted_by %v; want %d and [other me] kept",
			j.Attempt, j.AttemptedBy, before[mine].Attempt)
	}
	if !bytes.Contains(j.Metadata, []byte(`"callbackline:recovered_from"`)) {
		t.Errorf("recovered job metadata %s: no callbackline:recovered_from", j.Metadata)
	}
	if j.ScheduledAt.Before(start.Add(-2*time.Second)) || j.ScheduledAt.After(time.Now().Add(2*time.Second)) {
		t.Errorf("recovered job scheduled at %v, want now (%v)", j.ScheduledAt, start)
	}
	for _, id := range []int64{others, notRunning, untouched} {
		j, b := job(t, s, id), before[id]
		if j.State != b.State || !j.ScheduledAt.Equal(b.ScheduledAt) || j.Attempt != b.Attempt {
			t.Errorf("job %d changed: %q at %v → %q at %v", id, b.State, b.ScheduledAt, j.State, j.ScheduledAt)
		}
	}
	if n, err := s.RecoverJobs(ctx, "me"); err != nil || n != 0 {
		t.Errorf("second RecoverJobs(me) = %d, %v; want 0", n, err)
	}
	if n, err := s.RecoverJobs(ctx, "other"); err != nil || n != 1 {
		t.Errorf("RecoverJobs(other) = %d, %v; want 1", n, err)
	}
}

// testRecoverAfterCrash: a client with ID "me" starts a job whose worker
// blocks; the process "dies" (the queue is stopped hard and the job put
// back to running, as a killed process leaves it); after the restart
// RecoverJobs("me") and a new client complete it.
func testRecoverAfterCrash(t *testing.T, open OpenQueue) {
	ctx := ctxT(t)
	started := make(chan int64, 1)
	blocking := river.NewWorkers()
	river.AddWorker(blocking, river.WorkFunc(func(ctx context.Context, j *river.Job[callbackline.CallbackJob]) error {
		select {
		case started <- j.ID:
		default:
		}
		<-ctx.Done()
		return ctx.Err()
	}))
	s1 := open(t, "me", blocking)
	savePortals(t, s1, "m1")
	qctx, stopHard := context.WithCancel(ctx)
	defer stopHard()
	must(t, s1.StartQueue(qctx))
	cb := newCallback(t, s1, "+4930111")
	var id int64
	select {
	case id = <-started:
	case <-time.After(time.Minute): // a hang guard
		t.Fatal("the worker did not start the job")
	}
	j := job(t, s1, id)
	if j.State != rivertype.JobStateRunning || len(j.AttemptedBy) == 0 || j.AttemptedBy[len(j.AttemptedBy)-1] != "me" {
		t.Fatalf("running job: state %q attempted_by %v; want running, last attempted by me", j.State, j.AttemptedBy)
	}
	attemptedBy := j.AttemptedBy
	// The crash: the queue stops without finishing; the store closes.
	stopHard()
	must(t, s1.Close())

	var worked sync.Map
	done := make(chan struct{}, 1)
	completing := river.NewWorkers()
	river.AddWorker(completing, river.WorkFunc(func(ctx context.Context, j *river.Job[callbackline.CallbackJob]) error {
		worked.Store(j.Args.CallbackID, j.Attempt)
		select {
		case done <- struct{}{}:
		default:
		}
		return nil
	}))
	s2 := open(t, "me", completing)
	// What a killed process leaves: the job still running, attempted by me.
	must(t, s2.SetJob(ctx, id, rivertype.JobStateRunning, attemptedBy))
	n, err := s2.RecoverJobs(ctx, "me")
	must(t, err)
	if n != 1 {
		t.Fatalf("RecoverJobs(me) after the crash = %d, want 1", n)
	}
	must(t, s2.StartQueue(ctx))
	defer s2.StopQueue(context.WithoutCancel(ctx))
	select {
	case <-done:
	case <-time.After(time.Minute): // a hang guard
		t.Fatal("the recovered job was not worked")
	}
	if _, ok := worked.Load(cb.ID); !ok {
		t.Fatalf("the worker ran, but not for callback %d", cb.ID)
	}
	deadline := time.Now().Add(time.Minute) // a hang guard
	for {
		j = job(t, s2, id)
		if j.State == rivertype.JobStateCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the recovered job is %q, want completed", j.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if j.Attempt < 2 || j.AttemptedBy[len(j.AttemptedBy)-1] != "me" {
		t.Errorf("completed job: attempt %d attempted_by %v; want a second attempt by me", j.Attempt, j.AttemptedBy)
	}
}
