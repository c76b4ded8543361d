package statstest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/stats"
)

// Check compares a report of the whole generated period with the truth
// and returns every difference joined (nil when they agree).
func (t *Truth) Check(r *stats.Report) error {
	var errs []error
	errs = append(errs, t.Tally.check("all", r.Figures)...)
	for _, d := range r.Days {
		want := t.Days[d.Date]
		if want == nil {
			want = &Tally{}
		}
		if d.Requests != want.Requests || d.Connected != want.Connected {
			errs = append(errs, fmt.Errorf("day %s: %d requests, %d connected; want %d, %d", d.Date, d.Requests, d.Connected, want.Requests, want.Connected))
		}
	}
	if len(r.Days) < len(t.Days) {
		errs = append(errs, fmt.Errorf("%d days shown; %d have requests", len(r.Days), len(t.Days)))
	}
	errs = append(errs, checkGroups("line", r.Lines, t.Lines, func(k string) string { return k })...)
	errs = append(errs, checkGroups("employee", r.Employees, t.Employees, func(k int64) string { return strconv.FormatInt(k, 10) })...)
	errs = append(errs, t.checkFailed(r)...)
	return errors.Join(errs...)
}

// checkFailed: the newest failed requests, each with its reason and CRM
// entity.
func (t *Truth) checkFailed(r *stats.Report) []error {
	var errs []error
	// Newest first: by the time received, then by id.
	want := slices.Clone(t.FailedIDs)
	slices.SortFunc(want, func(a, b int64) int {
		if c := t.CreatedOfID[b].Compare(t.CreatedOfID[a]); c != 0 {
			return c
		}
		return int(b - a)
	})
	if len(r.Failed)+r.MoreFailed != len(want) {
		errs = append(errs, fmt.Errorf("%d+%d failed; want %d", len(r.Failed), r.MoreFailed, len(want)))
	}
	for i, f := range r.Failed {
		if i >= len(want) || f.ID != want[i] || f.Reason != t.ReasonOfID[f.ID] || f.CRMEntityID != t.CRMOfID[f.ID] {
			errs = append(errs, fmt.Errorf("failed #%d: %+v is not what was written", i, f))
			break
		}
	}
	return errs
}

func checkGroups[K comparable](kind string, got []stats.Group, want map[K]*Tally, key func(K) string) []error {
	var errs []error
	if len(got) != len(want) {
		errs = append(errs, fmt.Errorf("%d %ss; want %d", len(got), kind, len(want)))
	}
	byKey := map[string]stats.Group{}
	for _, g := range got {
		byKey[g.Key] = g
	}
	for k, w := range want {
		g, ok := byKey[key(k)]
		if !ok {
			errs = append(errs, fmt.Errorf("%s %s is missing", kind, key(k)))
			continue
		}
		errs = append(errs, w.check(kind+" "+key(k), g.Figures)...)
	}
	return errs
}

// check compares one set's figures with its tally.
func (w *Tally) check(name string, f stats.Figures) []error {
	var errs []error
	if f.Requests != w.Requests || f.Connected != w.Connected {
		errs = append(errs, fmt.Errorf("%s: %d requests, %d connected; want %d, %d", name, f.Requests, f.Connected, w.Requests, w.Connected))
	}
	if w.Requests > 0 && math.Abs(f.Share-float64(w.Connected)/float64(w.Requests)) > 1e-9 {
		errs = append(errs, fmt.Errorf("%s: share %.4f; want %d/%d", name, f.Share, w.Connected, w.Requests))
	}
	for _, c := range f.Outcomes {
		if c.N != w.Outcomes[c.Outcome] {
			errs = append(errs, fmt.Errorf("%s: %d %s; want %d", name, c.N, c.Outcome, w.Outcomes[c.Outcome]))
		}
	}
	if len(f.Outcomes) != len(callbackline.Outcomes()) {
		errs = append(errs, fmt.Errorf("%s: %d outcomes listed; want every one", name, len(f.Outcomes)))
	}
	errs = append(errs, durations(name+": to the employee", f.ToEmployee, w.ToEmployee)...)
	return append(errs, durations(name+": to the client", f.ToClient, w.ToClient)...)
}

// durations checks a summary against the times written: the median is
// the middle one (the lower of the two middle ones for an even count),
// the 90th percentile the one that 90 % do not exceed.
func durations(name string, got stats.Durations, written []time.Duration) []error {
	s := slices.Clone(written)
	slices.Sort(s)
	want := stats.Durations{N: len(s)}
	if n := len(s); n > 0 {
		want.Median = s[(n+1)/2-1]
		want.P90 = s[(9*n+9)/10-1]
	}
	if got != want {
		return []error{fmt.Errorf("%s: %+v; want %+v", name, got, want)}
	}
	return nil
}
