package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/callbackline/callbackline"
)

// runAudit tests the AuditStore part of a backend.
func runAudit(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("WrittenWithEachSave", func(t *testing.T) { testAuditWritten(t, open(t)) })
	t.Run("NothingWithoutChange", func(t *testing.T) { testAuditNothing(t, open(t)) })
	t.Run("PagesNewestFirst", func(t *testing.T) { testAuditPages(t, open(t)) })
	t.Run("PrunedAndDeleted", func(t *testing.T) { testAuditPruned(t, open(t)) })
	t.Run("NoteCode", func(t *testing.T) { testAuditNoteCode(t, open(t)) })
}

// testAuditNoteCode: a summary's code and arguments, nested notes and
// lists among them, come back from AuditLog as they were given, with its
// English in Summary; an entry without a code has none.
func testAuditNoteCode(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	n := callbackline.NoteParts([]callbackline.Note{
		callbackline.NewNote("audit_line_changed", callbackline.NewNote("audit_line", "Продажи «A&B»"), callbackline.NoteList([]callbackline.Note{
			callbackline.NewNote("audit_change", callbackline.NewNote("audit_f_ring_mode"), callbackline.Plain("sequential"), callbackline.Plain("all")),
			callbackline.NewNote("audit_change", callbackline.NewNote("audit_f_todo"), callbackline.NewNote("audit_off"), callbackline.NewNote("audit_on")),
		})),
		callbackline.NewNote("audit_line_removed", callbackline.NewNote("audit_line", "+493*****56")),
	})
	c := change(12, "Anna", "")
	c.Said = n
	must(t, s.SaveSettings(ctx, &callbackline.Settings{MemberID: "m1", Lines: "x", Audit: c}))
	must(t, s.SaveCountries(ctx, &callbackline.Countries{MemberID: "m1", Codes: []string{"DE"}, Audit: change(12, "Anna", "added DE")}))
	got := auditLog(t, s, "m1")
	if len(got) != 2 {
		t.Fatalf("%d entries, want 2", len(got))
	}
	if got[0].Said.Code != "" || len(got[0].Said.Args) != 0 || got[0].Summary != "added DE" {
		t.Errorf("an entry without a code came back as %+v", got[0])
	}
	if !reflect.DeepEqual(got[1].Said, n) {
		t.Errorf("Said = %+v, want %+v", got[1].Said, n)
	}
	if got[1].Summary != n.English() || !strings.Contains(got[1].Summary, "Продажи «A&B»: ring mode sequential → all, to-do off → on") {
		t.Errorf("Summary = %q, want the English %q", got[1].Summary, n.English())
	}
}

func change(user int64, name, summary string) *callbackline.Change {
	return &callbackline.Change{UserID: user, UserName: name, Summary: summary}
}

// auditLog is the portal's whole log, newest first.
func auditLog(t *testing.T, s Backend, member string) []*callbackline.Change {
	t.Helper()
	list, err := s.AuditLog(ctxT(t), callbackline.AuditFilter{MemberID: member, Limit: 1000})
	must(t, err)
	return list
}

// testAuditWritten: every settings save that carries a Change writes
// exactly one entry naming the setting, the user and the summary, in the
// portal's own log.
func testAuditWritten(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	at := time.Date(2026, 12, 1, 9, 30, 0, 123456789, time.UTC)
	c := change(12, "Anna Schmidt", "line Sales: added")
	c.At = at
	must(t, s.SaveSettings(ctx, &callbackline.Settings{MemberID: "m1", Lines: "- number: \"1\"\n", Audit: c}))
	must(t, s.SaveCountries(ctx, &callbackline.Countries{MemberID: "m1", Codes: []string{"DE"}, Audit: change(12, "Anna Schmidt", "added DE")}))
	must(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "m1", Name: "Europe/Berlin", Audit: change(13, "Ivan", "UTC → Europe/Berlin")}))
	must(t, s.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: "m1", Entries: []string{"+49900*"}, Audit: change(13, "Ivan", "+49900*: added")}))
	must(t, s.SaveCallerIDs(ctx, &callbackline.CallerIDs{MemberID: "m1", Numbers: []string{"+4930123456"}, Audit: change(0, callbackline.OperatorName, "+4930*****56: added")}))
	got := auditLog(t, s, "m1")
	want := []struct {
		what, name, summary string
		user                int64
	}{
		{callbackline.AuditCallerIDs, "operator", "+4930*****56: added", 0},
		{callbackline.AuditBlocked, "Ivan", "+49900*: added", 13},
		{callbackline.AuditTimeZone, "Ivan", "UTC → Europe/Berlin", 13},
		{callbackline.AuditCountries, "Anna Schmidt", "added DE", 12},
		{callbackline.AuditLines, "Anna Schmidt", "line Sales: added", 12},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.What != w.what || g.UserName != w.name || g.Summary != w.summary || g.UserID != w.user || g.MemberID != "m1" || g.ID <= 0 {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
		if i > 0 && g.ID >= got[i-1].ID {
			t.Errorf("entry %d: id %d not below %d (newest first)", i, g.ID, got[i-1].ID)
		}
	}
	if !sameTime(got[4].At, at) {
		t.Errorf("at = %v, want %v", got[4].At, at)
	}
	if time.Since(got[0].At) > time.Hour || got[0].At.IsZero() {
		t.Errorf("an entry without a time got %v, want now", got[0].At)
	}
	if l := auditLog(t, s, "m2"); len(l) != 0 {
		t.Errorf("another portal's log: %+v", l)
	}
	// Long and odd text is cut and cleaned, never refused.
	long := strings.Repeat("ä", 2*callbackline.ChangeSummaryMax) + "\x00"
	must(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "m2", Name: "UTC", Audit: change(1, strings.Repeat("n", 500), long)}))
	g := auditLog(t, s, "m2")[0]
	if n := utf8.RuneCountInString(g.Summary); n != callbackline.ChangeSummaryMax || !strings.HasSuffix(g.Summary, "…") ||
		utf8.RuneCountInString(g.UserName) != callbackline.ChangeNameMax {
		t.Errorf("cut to %d characters: %q / %q", n, g.Summary, g.UserName)
	}
}

// testAuditNothing: a save without a Change, a save refused (portal not
// installed, invalid value) and a trunk delete that deleted nothing
// write no entry.
func testAuditNothing(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	must(t, s.SaveSettings(ctx, &callbackline.Settings{MemberID: "m1", Lines: "x"}))
	wantCode(t, s.SaveSettings(ctx, &callbackline.Settings{MemberID: "nobody", Lines: "x", Audit: change(1, "a", "b")}), callbackline.ENOTFOUND)
	wantCode(t, s.SaveCountries(ctx, &callbackline.Countries{MemberID: "m1", Codes: []string{"de"}, Audit: change(1, "a", "b")}), callbackline.EINVALID)
	wantCode(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "m1", Name: "Mars/Olympus", Audit: change(1, "a", "b")}), callbackline.EINVALID)
	must(t, s.DeletePortalTrunk(ctx, "m1", change(1, "a", "SIP account removed")))
	if l := auditLog(t, s, "m1"); len(l) != 0 {
		t.Errorf("entries without a change: %+v", l)
	}
	if l := auditLog(t, s, "nobody"); len(l) != 0 {
		t.Errorf("entries of a portal not installed: %+v", l)
	}
}

// testAuditPages: BeforeID and Limit page through the log newest first;
// a bad filter is EINVALID.
func testAuditPages(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	for i := range 7 {
		must(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "m1", Name: "UTC", Audit: change(1, "a", fmt.Sprint("change ", i))}))
	}
	var seen []string
	before := int64(0)
	for range 10 {
		page, err := s.AuditLog(ctx, callbackline.AuditFilter{MemberID: "m1", BeforeID: before, Limit: 3})
		must(t, err)
		if len(page) > 3 {
			t.Fatalf("a page of %d", len(page))
		}
		for _, c := range page {
			seen = append(seen, c.Summary)
		}
		if len(page) < 3 {
			break
		}
		before = page[len(page)-1].ID
	}
	if got := strings.Join(seen, ","); got != "change 6,change 5,change 4,change 3,change 2,change 1,change 0" {
		t.Errorf("paged: %s", got)
	}
	all, err := s.AuditLog(ctx, callbackline.AuditFilter{MemberID: "m1"})
	must(t, err)
	if len(all) != 7 {
		t.Errorf("default limit: %d entries", len(all))
	}
	_, err = s.AuditLog(ctx, callbackline.AuditFilter{MemberID: "m1", Limit: 1001})
	wantCode(t, err, callbackline.EINVALID)
	_, err = s.AuditLog(ctx, callbackline.AuditFilter{MemberID: "m1", BeforeID: -1})
	wantCode(t, err, callbackline.EINVALID)
}

// testAuditPruned: entries older than Retention.History are pruned in
// batches, younger ones stay; a deleted portal's log goes with it.
func testAuditPruned(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	now := time.Now()
	for i := range 3 {
		c := change(1, "a", fmt.Sprint("old ", i))
		c.At = now.Add(-40 * 24 * time.Hour)
		must(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "m1", Name: "UTC", Audit: c}))
	}
	young := change(1, "a", "young")
	young.At = now.Add(-20 * 24 * time.Hour)
	must(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "m1", Name: "UTC", Audit: young}))
	total := 0
	for range 10 {
		p, err := s.Prune(ctx, callbackline.Retention{History: 30 * 24 * time.Hour}, now, 2)
		must(t, err)
		if p.Audit > 2 {
			t.Fatalf("a batch of 2 deleted %d", p.Audit)
		}
		total += p.Audit
		if p.Audit == 0 {
			break
		}
	}
	if l := auditLog(t, s, "m1"); total != 3 || len(l) != 1 || l[0].Summary != "young" {
		t.Errorf("pruned %d, left %+v", total, l)
	}
	p, err := s.Prune(ctx, callbackline.Retention{}, now, 10)
	if must(t, err); p.Audit != 0 {
		t.Errorf("retention 0 pruned %d", p.Audit)
	}
	must(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "m2", Name: "UTC", Audit: change(1, "a", "m2")}))
	must(t, s.DeletePortal(ctx, "m1"))
	savePortals(t, s, "m1")
	if l := auditLog(t, s, "m1"); len(l) != 0 {
		t.Errorf("a deleted portal's log: %+v", l)
	}
	if l := auditLog(t, s, "m2"); len(l) != 1 {
		t.Errorf("another portal's log after the delete: %+v", l)
	}
}
