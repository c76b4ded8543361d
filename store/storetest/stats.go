package storetest

import (
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/stats"
	"github.com/callbackline/callbackline/stats/statstest"
)

// runStats tests the StatsStore part of a backend and the portal's time
// zone.
func runStats(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("Figures", func(t *testing.T) { testStatsFigures(t, open(t)) })
	t.Run("Filter", func(t *testing.T) { testStatsFilter(t, open(t)) })
	t.Run("TimeZone", func(t *testing.T) { testTimeZone(t, open(t)) })
}

// berlin is a zone with a daylight saving change inside the generated
// week (25 October 2026).
func berlin(t *testing.T) *time.Location {
	loc, err := callbackline.LoadZone("Europe/Berlin")
	must(t, err)
	return loc
}

// testStatsFigures: a week of history written the way the workers write
// it gives, through StatsRows and stats.Compute, exactly the figures the
// generator counted as it wrote.
func testStatsFigures(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	loc := berlin(t)
	o := statstest.Options{MemberID: "m1", Location: loc, First: time.Date(2026, 10, 21, 0, 0, 0, 0, loc), Days: 7, PerDay: 8,
		Lines: []string{"sales", "support"}, Employees: []int64{12, 34, 56}, Seed: 7}
	truth, err := statstest.Generate(ctx, s, o)
	must(t, err)
	// Another portal's requests never count.
	o.MemberID, o.Seed = "m2", 8
	_, err = statstest.Generate(ctx, s, o)
	must(t, err)
	p, err := stats.ParsePeriod("2026-10-21", "2026-10-27", loc, time.Now())
	must(t, err)
	rows, err := s.StatsRows(ctx, callbackline.StatsFilter{MemberID: "m1", From: p.From, To: p.To})
	must(t, err)
	r := stats.Compute(rows, p)
	if err := truth.Check(r); err != nil {
		t.Fatal(err)
	}
	if len(r.Days) != 7 || r.Requests == 0 || r.Connected == 0 || r.ToEmployee.N == 0 {
		t.Fatalf("a week of history gave %d days, %d requests, %d connected", len(r.Days), r.Requests, r.Connected)
	}
}

// testStatsFilter: the period is [From, To) in stored time, one line
// only when asked; click-to-call requests are not callback requests.
func testStatsFilter(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i, line := range []string{"a", "b", "a"} {
		req := request("m1", "+4930123456"+string(rune('0'+i)))
		req.Callback.LineNumber, req.Callback.CreatedAt = line, at.Add(time.Duration(i)*time.Hour)
		_, err := s.Intake(ctx, req)
		must(t, err)
	}
	click := request("m1", "+49301234599")
	click.Callback.Kind, click.Callback.CallID, click.Callback.CreatedAt = callbackline.KindCall, "externalCall.1", at
	_, err := s.Intake(ctx, click)
	must(t, err)
	count := func(f callbackline.StatsFilter) int {
		t.Helper()
		f.MemberID = "m1"
		rows, err := s.StatsRows(ctx, f)
		must(t, err)
		return len(rows)
	}
	if n := count(callbackline.StatsFilter{From: at, To: at.Add(3 * time.Hour)}); n != 3 {
		t.Errorf("whole period: %d rows, want 3", n)
	}
	if n := count(callbackline.StatsFilter{From: at.Add(time.Microsecond), To: at.Add(2 * time.Hour)}); n != 1 {
		t.Errorf("(from, to) exclusive of to: %d rows, want 1", n)
	}
	if n := count(callbackline.StatsFilter{From: at, To: at.Add(3 * time.Hour), Line: "a"}); n != 2 {
		t.Errorf("line a: %d rows, want 2", n)
	}
	_, err = s.StatsRows(ctx, callbackline.StatsFilter{MemberID: "m1", From: at, To: at})
	wantCode(t, err, callbackline.EINVALID)
}

// testTimeZone: a portal's time zone is its own, replaced on save,
// refused when unknown or for a portal not installed, gone with it.
func testTimeZone(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	_, err := s.TimeZone(ctx, "m1")
	wantCode(t, err, callbackline.ENOTFOUND)
	at := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	must(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "m1", Name: "Europe/Berlin", UpdatedAt: at, UpdatedBy: 12}))
	must(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "m1", Name: "Asia/Yekaterinburg", UpdatedAt: at, UpdatedBy: 34}))
	z, err := s.TimeZone(ctx, "m1")
	must(t, err)
	if z.Name != "Asia/Yekaterinburg" || z.UpdatedBy != 34 || !sameTime(z.UpdatedAt, at) {
		t.Fatalf("time zone = %+v", z)
	}
	for _, bad := range []string{"", "Mars/Olympus", "../../etc/passwd", "Local"} {
		wantCode(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "m1", Name: bad}), callbackline.EINVALID)
	}
	wantCode(t, s.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: "nobody", Name: "UTC"}), callbackline.ENOTFOUND)
	must(t, s.DeletePortal(ctx, "m1"))
	savePortals(t, s, "m1")
	_, err = s.TimeZone(ctx, "m1")
	wantCode(t, err, callbackline.ENOTFOUND)
}
