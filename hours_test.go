package callbackline_test

import (
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

func mustSpan(t *testing.T, s string) callbackline.Span {
	t.Helper()
	sp, err := callbackline.ParseSpan(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func TestParseSpan(t *testing.T) {
	if sp := mustSpan(t, "09:00-18:30"); sp.From != 9*time.Hour || sp.To != 18*time.Hour+30*time.Minute || sp.String() != "09:00-18:30" {
		t.Errorf("got %v", sp)
	}
	if sp := mustSpan(t, "00:00-24:00"); sp.To != 24*time.Hour {
		t.Errorf("got %v", sp)
	}
	for _, bad := range []string{"", "9-18", "18:00-09:00", "09:00-09:00", "25:00-26:00", "09:60-10:00", "24:30-24:45", "a:b-c:d"} {
		if _, err := callbackline.ParseSpan(bad); callbackline.ErrorCode(err) != callbackline.EINVALID {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestWorkingHours(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database: install the Debian package tzdata")
	}
	var h callbackline.WorkingHours
	if !h.Open(time.Now()) || !h.Next(time.Unix(0, 0)).Equal(time.Unix(0, 0)) {
		t.Error("zero working hours must always be open")
	}
	h = callbackline.WorkingHours{Location: berlin, Holidays: map[string]bool{"2026-12-25": true}}
	for d := time.Monday; d <= time.Friday; d++ {
		h.Days[d] = []callbackline.Span{mustSpan(t, "09:00-13:00"), mustSpan(t, "14:00-18:00")}
	}
	at := func(s string) time.Time {
		tt, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	for _, tc := range []struct{ now, next string }{
		{"2026-11-25 10:00", "2026-11-25 10:00"}, // Wednesday, open
		{"2026-11-25 13:30", "2026-11-25 14:00"}, // lunch break
		{"2026-11-25 18:00", "2026-11-26 09:00"}, // closing time is closed
		{"2026-11-25 08:59", "2026-11-25 09:00"},
		{"2026-11-27 19:00", "2026-11-30 09:00"}, // Friday evening → Monday
		{"2026-11-28 12:00", "2026-11-30 09:00"}, // Saturday
		{"2026-12-24 18:30", "2026-12-28 09:00"}, // Thursday evening, Friday 25th a holiday, weekend
		{"2026-03-27 20:00", "2026-03-30 09:00"}, // over the DST change (29 March): still 09:00 local
	} {
		now, want := at(tc.now), at(tc.next)
		if got := h.Next(now); !got.Equal(want) {
			t.Errorf("Next(%s) = %s, want %s", tc.now, got.In(berlin).Format("2006-01-02 15:04 MST"), tc.next)
		}
		if open := h.Open(now); open != now.Equal(want) {
			t.Errorf("Open(%s) = %v", tc.now, open)
		}
	}
	// The same instant seen from another zone.
	if !h.Open(at("2026-11-25 10:00").UTC()) {
		t.Error("Open depends on the zone of its argument")
	}
	never := callbackline.WorkingHours{Holidays: map[string]bool{"2000-01-01": true}}
	if !never.Next(time.Now()).IsZero() {
		t.Error("hours without any opening must give the zero time")
	}
}
