package stats_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/stats"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := callbackline.LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestParsePeriod: whole days in the portal's zone, the last day
// included; today and the 30 days up to it by default; errors name the
// field.
func TestParsePeriod(t *testing.T) {
	loc := zone(t, "Europe/Berlin")
	now := time.Date(2026, 3, 29, 23, 30, 0, 0, time.UTC) // already 30 March in Berlin
	p, err := stats.ParsePeriod("", "", loc, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Last().Format(time.DateOnly); got != "2026-03-30" {
		t.Errorf("default last day %s, want 2026-03-30 (Berlin's today)", got)
	}
	if got := p.From.Format(time.DateOnly); got != "2026-03-01" {
		t.Errorf("default first day %s, want 2026-03-01", got)
	}
	// 29 March 2026 has 23 hours in Berlin.
	p, err = stats.ParsePeriod("2026-03-29", "2026-03-29", loc, now)
	if err != nil || p.To.Sub(p.From) != 23*time.Hour || p.From.Hour() != 0 {
		t.Errorf("the day of the clock change: %v – %v (%v)", p.From, p.To, err)
	}
	for _, c := range []struct{ from, to, field, kind, value string }{
		{"2026-13-01", "", "from", stats.NotDate, "2026-13-01"}, {"", "yesterday", "to", stats.NotDate, "yesterday"},
		{"2026-03-10", "2026-03-09", "from", stats.Reversed, "2026-03-10"}, {"2024-01-01", "2026-01-01", "from", stats.TooLong, "2024-01-01"},
	} {
		_, err := stats.ParsePeriod(c.from, c.to, loc, now)
		if callbackline.ErrorCode(err) != callbackline.EINVALID || !strings.HasPrefix(callbackline.ErrorMessage(err), c.field+":") {
			t.Errorf("ParsePeriod(%q, %q) = %v, want EINVALID naming %s", c.from, c.to, err, c.field)
		}
		var pe *stats.PeriodError
		if !errors.As(err, &pe) || pe.Kind != c.kind || pe.Field != c.field || pe.Value != c.value {
			t.Errorf("ParsePeriod(%q, %q) = %#v, want a PeriodError %s of %s %q", c.from, c.to, err, c.kind, c.field, c.value)
		}
	}
	var pe *stats.PeriodError
	if _, err := stats.ParsePeriod("2026-03-10", "2026-03-09", loc, now); !errors.As(err, &pe) || pe.Last != "2026-03-09" {
		t.Errorf("a reversed period does not give its last day: %#v", err)
	}
	if _, err := stats.ParsePeriod("2025-03-30", "2026-03-30", loc, now); err != nil {
		t.Errorf("366 days: %v", err)
	}
}

// TestRank: the nearest rank, as the dashboard's docs say.
func TestRank(t *testing.T) {
	s := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Second
		}
		return out
	}
	for _, c := range []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{s(), 0.5, 0}, {s(7), 0.9, 7 * time.Second}, {s(1, 2), 0.5, time.Second}, {s(1, 2, 3), 0.5, 2 * time.Second},
		{s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.9, 9 * time.Second}, {s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 0.9, 10 * time.Second},
	} {
		if got := stats.Rank(c.in, c.p); got != c.want {
			t.Errorf("Rank(%v, %v) = %v, want %v", c.in, c.p, got, c.want)
		}
	}
}

// TestComputeDays: every day of the period is listed, requests counted
// on the portal's date (not UTC's), failed ones newest first.
func TestComputeDays(t *testing.T) {
	loc := zone(t, "Asia/Yekaterinburg") // UTC+5
	p, err := stats.ParsePeriod("2026-05-01", "2026-05-03", loc, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	rows := []callbackline.StatsRow{
		{ID: 1, CreatedAt: at("2026-04-30T20:00:00Z"), State: callbackline.StateDone, LineNumber: "a", UserID: 5,
			EmployeeAt: at("2026-04-30T20:00:30Z"), ClientAt: at("2026-04-30T20:01:00Z")}, // 1 May, 01:00 local
		{ID: 2, CreatedAt: at("2026-05-01T20:00:00Z"), State: callbackline.StateFailed, Reason: "no_employee: nobody", LineNumber: "b"},
		{ID: 3, CreatedAt: at("2026-05-01T21:00:00Z"), State: callbackline.StateNotifying, Reason: "stale: old", LineNumber: "b"},
		{ID: 4, CreatedAt: at("2026-05-01T22:00:00Z"), State: callbackline.StateRejected, Reason: "invalid_number: x", LineNumber: "b"},
	}
	r := stats.Compute(rows, p)
	var got []string
	for _, d := range r.Days {
		got = append(got, d.Date+":"+string(rune('0'+d.Requests))+string(rune('0'+d.Connected)))
	}
	if strings.Join(got, " ") != "2026-05-01:11 2026-05-02:30 2026-05-03:00" {
		t.Errorf("days %v", got)
	}
	if r.Share != 0.25 || r.ToEmployee != (stats.Durations{N: 1, Median: 30 * time.Second, P90: 30 * time.Second}) ||
		r.ToClient.Median != time.Minute {
		t.Errorf("figures %+v", r.Figures)
	}
	if len(r.Failed) != 2 || r.Failed[0].ID != 3 || r.Failed[0].Outcome != callbackline.OutcomeOutsideHours || r.Failed[1].ID != 2 {
		t.Errorf("failed %+v", r.Failed)
	}
	if len(r.Lines) != 2 || r.Lines[0].Key != "b" || r.Lines[0].Requests != 3 || r.Employees[0].Key != "0" {
		t.Errorf("lines %+v, employees %+v", r.Lines, r.Employees)
	}
}

// TestComputeClosedByHandOrLog: a callback that closed itself because the
// client was already reached is not counted as connected, and one an
// administrator cancelled is neither connected nor listed as failed;
// each has its own outcome.
func TestComputeClosedByHandOrLog(t *testing.T) {
	p, err := stats.ParsePeriod("2026-05-01", "2026-05-01", time.UTC, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	rows := []callbackline.StatsRow{
		{ID: 1, CreatedAt: at, State: callbackline.StateDone, LineNumber: "a"},
		{ID: 2, CreatedAt: at, State: callbackline.StateDone, Reason: "already_called: the client called in at 10:05", LineNumber: "a"},
		{ID: 3, CreatedAt: at, State: callbackline.StateFailed, Reason: "cancelled: by Anna", LineNumber: "a"},
	}
	r := stats.Compute(rows, p)
	counts := map[callbackline.Outcome]int{}
	for _, c := range r.Outcomes {
		counts[c.Outcome] = c.N
	}
	if r.Connected != 1 || counts[callbackline.OutcomeConnected] != 1 ||
		counts[callbackline.OutcomeAlreadyCalled] != 1 || counts[callbackline.OutcomeCancelled] != 1 {
		t.Errorf("connected %d, outcomes %v", r.Connected, counts)
	}
	if len(r.Failed) != 0 {
		t.Errorf("failed %+v, want none", r.Failed)
	}
}

// FuzzParsePeriod: any form input gives a period of whole days within
// the limits, or EINVALID.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range [][2]string{{"", ""}, {"2026-01-01", "2026-01-31"}, {"2026-02-30", ""}, {"0000-01-01", "9999-12-31"}} {
		f.Add(s[0], s[1])
	}
	loc := zone(f, "Europe/Berlin")
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to string) {
		p, err := stats.ParsePeriod(from, to, loc, now)
		if err != nil {
			if callbackline.ErrorCode(err) != callbackline.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if !p.To.After(p.From) || p.From.AddDate(0, 0, stats.MaxDays).Before(p.To) {
			t.Fatalf("period %v – %v", p.From, p.To)
		}
		if h, m, s := p.From.In(loc).Clock(); h+m+s != 0 {
			t.Fatalf("first day does not start at midnight: %v", p.From)
		}
	})
}
