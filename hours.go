package callbackline

import (
	"fmt"
	"strings"
	"time"
)

// Span is one stretch of opening time within a day, as clock times: From
// inclusive, To exclusive, both "HH:MM" offsets from midnight. To may be
// 24:00.
type Span struct {
	From, To time.Duration
}

// ParseSpan reads "09:00-18:00".
func ParseSpan(s string) (Span, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Span{}, Errorf(EINVALID, "opening time %q: write it as HH:MM-HH:MM, e.g. 09:00-18:00", s)
	}
	from, err1 := parseClock(a)
	to, err2 := parseClock(b)
	if err1 != nil || err2 != nil || to <= from {
		return Span{}, Errorf(EINVALID, "opening time %q: write it as HH:MM-HH:MM with the end after the start, e.g. 09:00-18:00", s)
	}
	return Span{From: from, To: to}, nil
}

func parseClock(s string) (time.Duration, error) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("bad clock time %q", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// String writes the span as "HH:MM-HH:MM".
func (s Span) String() string {
	c := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return c(s.From) + "-" + c(s.To)
}

// WorkingHours says when employees take callbacks. The zero value is
// always open.
type WorkingHours struct {
	Location *time.Location  // the company's time zone; nil is UTC
	Days     [7][]Span       // opening times by time.Weekday; a day without spans is closed
	Holidays map[string]bool // closed dates, "2006-01-02" in Location
}

// Always reports whether there are no restrictions at all.
func (h WorkingHours) Always() bool {
	for _, d := range h.Days {
		if len(d) > 0 {
			return false
		}
	}
	return len(h.Holidays) == 0
}

func (h WorkingHours) loc() *time.Location {
	if h.Location == nil {
		return time.UTC
	}
	return h.Location
}

// Open reports whether t falls within the working hours.
func (h WorkingHours) Open(t time.Time) bool {
	if h.Always() {
		return true
	}
	lt := t.In(h.loc())
	if h.Holidays[lt.Format(time.DateOnly)] {
		return false
	}
	for _, s := range h.Days[lt.Weekday()] {
		from, to := h.at(lt, s.From), h.at(lt, s.To)
		if !lt.Before(from) && lt.Before(to) {
			return true
		}
	}
	return false
}

// Next returns t when it is within the working hours, else the next
// opening after t. It looks a little over a year ahead and returns the
// zero time when the hours never open.
func (h WorkingHours) Next(t time.Time) time.Time {
	if h.Open(t) {
		return t
	}
	lt := t.In(h.loc())
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, h.loc())
	for i := 0; i < 400; i++ {
		d := day.AddDate(0, 0, i)
		if h.Holidays[d.Format(time.DateOnly)] {
			continue
		}
		var best time.Time
		for _, s := range h.Days[d.Weekday()] {
			from := h.at(d, s.From)
			if from.Before(t) {
				if h.at(d, s.To).After(t) { // open already (Open said no: DST edge)
					from = t
				} else {
					continue
				}
			}
			if best.IsZero() || from.Before(best) {
				best = from
			}
		}
		if !best.IsZero() {
			return best
		}
	}
	return time.Time{}
}

// at is the wall-clock time off after midnight on day's date, in the
// working hours' zone (so a DST change day keeps clock times).
func (h WorkingHours) at(day time.Time, off time.Duration) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, h.loc())
}
