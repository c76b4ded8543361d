package stats

import (
	"fmt"
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

// PeriodError is why a period does not parse: its Kind, the Field it
// names ("from", "to") and the Value given there. It unwraps to an
// EINVALID *callbackline.Error with the English message, so the API says
// it as before; a page says it in its own language from the fields.
type PeriodError struct {
	Kind  string // NotDate, Reversed or TooLong
	Field string // "from" or "to"
	Value string // the offending value: the text given (NotDate), the first day (Reversed, TooLong)
	Last  string // the period's last day (Reversed)
}

// The kinds of PeriodError.
const (
	NotDate  = "not_date" // Value is not a date in the form 2006-01-02
	Reversed = "reversed" // the first day Value is after the last day Last
	TooLong  = "too_long" // the period from Value is longer than MaxDays
)

// Error says the error in English, naming the field first.
func (e *PeriodError) Error() string {
	switch e.Kind {
	case NotDate:
		return fmt.Sprintf("%s: %q is not a date; write it as 2006-01-02", e.Field, e.Value)
	case Reversed:
		return fmt.Sprintf("%s: %s is after the last day %s", e.Field, e.Value, e.Last)
	default:
		return fmt.Sprintf("%s: the period is longer than %d days; choose a later first day", e.Field, MaxDays)
	}
}

// Unwrap is the error as the domain's EINVALID error.
func (e *PeriodError) Unwrap() error {
	return callbackline.Errorf(callbackline.EINVALID, "%s", e.Error())
}

// ParsePeriod reads a period from its first and last day ("2006-01-02",
// inclusive) in loc. An empty last day is today (at now), an empty first
// day DefaultDays before the last. The error is a *PeriodError, EINVALID,
// and names the field ("from", "to").
func ParsePeriod(from, to string, loc *time.Location, now time.Time) (Period, error) {
	if loc == nil {
		loc = time.UTC
	}
	last := midnight(now.In(loc))
	if to != "" {
		d, err := time.ParseInLocation(time.DateOnly, to, loc)
		if err != nil {
			return Period{}, &PeriodError{Kind: NotDate, Field: "to", Value: to}
		}
		last = d
	}
	first := last.AddDate(0, 0, 1-DefaultDays)
	if from != "" {
		d, err := time.ParseInLocation(time.DateOnly, from, loc)
		if err != nil {
			return Period{}, &PeriodError{Kind: NotDate, Field: "from", Value: from}
		}
		first = d
	}
	end := last.AddDate(0, 0, 1)
	switch {
	case first.After(last):
		return Period{}, &PeriodError{Kind: Reversed, Field: "from", Value: first.Format(time.DateOnly), Last: last.Format(time.DateOnly)}
	case first.AddDate(0, 0, MaxDays).Before(end):
		return Period{}, &PeriodError{Kind: TooLong, Field: "from", Value: first.Format(time.DateOnly)}
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
