package stats

import (
	"time"

	"github.com/callbackline/callbackline"
)

// Period is whole days in a time zone: From is the first day's midnight,
// To the midnight after the last day (exclusive).
type Period struct {
	From, To time.Time
	Location *time.Location
}

// DefaultDays is the length of the period shown when none is asked for.
const DefaultDays = 30

// MaxDays is the longest period counted.
const MaxDays = 366

// ParsePeriod reads a period from its first and last day ("2006-01-02",
// inclusive) in loc. An empty last day is today (at now), an empty first
// day DefaultDays before the last. The error is EINVALID and names the
// field ("from", "to").
func ParsePeriod(from, to string, loc *time.Location, now time.Time) (Period, error) {
	if loc == nil {
		loc = time.UTC
	}
	last := midnight(now.In(loc))
	if to != "" {
		d, err := time.ParseInLocation(time.DateOnly, to, loc)
		if err != nil {
			return Period{}, callbackline.Errorf(callbackline.EINVALID, "to: %q is not a date; write it as 2006-01-02", to)
		}
		last = d
	}
	first := last.AddDate(0, 0, 1-DefaultDays)
	if from != "" {
		d, err := time.ParseInLocation(time.DateOnly, from, loc)
		if err != nil {
			return Period{}, callbackline.Errorf(callbackline.EINVALID, "from: %q is not a date; write it as 2006-01-02", from)
		}
		first = d
	}
	end := last.AddDate(0, 0, 1)
	switch {
	case first.After(last):
		return Period{}, callbackline.Errorf(callbackline.EINVALID, "from: %s is after the last day %s", first.Format(time.DateOnly), last.Format(time.DateOnly))
	case first.AddDate(0, 0, MaxDays).Before(end):
		return Period{}, callbackline.Errorf(callbackline.EINVALID, "from: the period is longer than %d days; choose a later first day", MaxDays)
	}
	return Period{From: first, To: end, Location: loc}, nil
}

// Last is the period's last day.
func (p Period) Last() time.Time { return p.To.AddDate(0, 0, -1) }

// midnight is the start of t's day in its location.
func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
