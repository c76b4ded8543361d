// Package stats counts a portal's callback requests for the dashboard of
// the app page and GET /api/v1/stats: requests per day, the share called
// back, the time to the employee's and to the client's answer (median and
// 90th percentile), outcomes, the same by line and by employee, and the
// failed requests. The rows come from the store
// (callbackline.StatsStore); the days are the portal's.
package stats

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/callbackline/callbackline"
)

// Report is what the dashboard shows for one period.
type Report struct {
	Period    Period
	Figures           // every request of the period
	Days      []Day   // one per day of the period, oldest first
	Lines     []Group // by line number, most requests first
	Employees []Group // by employee (0: none was called), most requests first
	// Failed are the requests given up (not those rejected at intake),
	// newest first, at most MaxFailed.
	Failed []Failure
	// MoreFailed counts the failed requests not in Failed.
	MoreFailed int
}

// MaxFailed is the most failed requests a Report lists.
const MaxFailed = 100

// Figures are the counts of a set of requests.
type Figures struct {
	Requests  int
	Connected int
	// Share is Connected / Requests (0 without requests).
	Share float64
	// ToEmployee is the time from the request to an employee's answer,
	// ToClient to the client's, over the requests that got that far.
	ToEmployee, ToClient Durations
	// Outcomes count the requests by outcome, in callbackline.Outcomes'
	// order, every outcome present.
	Outcomes []Count
}

// Count is how many requests had one outcome.
type Count struct {
	Outcome callbackline.Outcome
	N       int
}

// Durations summarise waiting times: how many, the median and the 90th
// percentile (nearest rank: the smallest time that at least half, or 90
// %, of them do not exceed); zero without any.
type Durations struct {
	N           int
	Median, P90 time.Duration
}

// Day is one day of the period, in the portal's time zone.
type Day struct {
	Date      string // 2006-01-02
	Requests  int
	Connected int
}

// Group is Figures of one line or one employee.
type Group struct {
	Key string // the line number, or the employee's Bitrix24 user id
	Figures
}

// Failure is one request given up.
type Failure struct {
	ID            int64
	At            time.Time // received, in the portal's time zone
	Line          string
	Outcome       callbackline.Outcome
	Reason        string
	CRMEntityType string
	CRMEntityID   int64
}

// Compute counts rows (callbackline.StatsStore's, received within p)
// for the period p.
func Compute(rows []callbackline.StatsRow, p Period) *Report {
	r := &Report{Period: p, Days: days(p)}
	index := make(map[string]int, len(r.Days))
	for i, d := range r.Days {
		index[d.Date] = i
	}
	var all acc
	lines, employees := map[string]*acc{}, map[string]*acc{}
	for _, row := range rows {
		all.add(row)
		group(lines, row.LineNumber).add(row)
		group(employees, strconv.FormatInt(row.UserID, 10)).add(row)
		if i, ok := index[row.CreatedAt.In(p.Location).Format(time.DateOnly)]; ok {
			r.Days[i].Requests++
			if row.Outcome() == callbackline.OutcomeConnected {
				r.Days[i].Connected++
			}
		}
		if (row.State == callbackline.StateFailed || row.State == callbackline.StateNotifying) && row.Outcome() != callbackline.OutcomeCancelled {
			r.Failed = append(r.Failed, Failure{ID: row.ID, At: row.CreatedAt.In(p.Location), Line: row.LineNumber,
				Outcome: row.Outcome(), Reason: row.Reason, CRMEntityType: row.CRMEntityType, CRMEntityID: row.CRMEntityID})
		}
	}
	r.Figures = all.figures()
	r.Lines, r.Employees = groups(lines), groups(employees)
	slices.Reverse(r.Failed)
	if len(r.Failed) > MaxFailed {
		r.MoreFailed = len(r.Failed) - MaxFailed
		r.Failed = r.Failed[:MaxFailed]
	}
	return r
}

// acc gathers one set's rows.
type acc struct {
	requests, connected  int
	toEmployee, toClient []time.Duration
	outcomes             map[callbackline.Outcome]int
}

func group(m map[string]*acc, key string) *acc {
	a := m[key]
	if a == nil {
		a = &acc{}
		m[key] = a
	}
	return a
}

func (a *acc) add(row callbackline.StatsRow) {
	if a.outcomes == nil {
		a.outcomes = map[callbackline.Outcome]int{}
	}
	a.requests++
	o := row.Outcome()
	a.outcomes[o]++
	if o == callbackline.OutcomeConnected {
		a.connected++
	}
	if !row.EmployeeAt.IsZero() {
		a.toEmployee = append(a.toEmployee, row.EmployeeAt.Sub(row.CreatedAt))
	}
	if !row.ClientAt.IsZero() {
		a.toClient = append(a.toClient, row.ClientAt.Sub(row.CreatedAt))
	}
}

func (a *acc) figures() Figures {
	f := Figures{Requests: a.requests, Connected: a.connected,
		ToEmployee: summarise(a.toEmployee), ToClient: summarise(a.toClient)}
	if a.requests > 0 {
		f.Share = float64(a.connected) / float64(a.requests)
	}
	for _, o := range callbackline.Outcomes() {
		f.Outcomes = append(f.Outcomes, Count{Outcome: o, N: a.outcomes[o]})
	}
	return f
}

// groups are the sets by key, most requests first (then by key).
func groups(m map[string]*acc) []Group {
	out := make([]Group, 0, len(m))
	for k, a := range m {
		out = append(out, Group{Key: k, Figures: a.figures()})
	}
	slices.SortFunc(out, func(a, b Group) int {
		if a.Requests != b.Requests {
			return b.Requests - a.Requests
		}
		if a.Key < b.Key {
			return -1
		}
		if a.Key > b.Key {
			return 1
		}
		return 0
	})
	return out
}

// summarise is the count, median and 90th percentile of ds (sorted in
// place).
func summarise(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	return Durations{N: len(ds), Median: Rank(ds, 0.5), P90: Rank(ds, 0.9)}
}

// Rank is the nearest-rank p-quantile of sorted (0 < p <= 1): the
// element at ⌈p·n⌉ counting from 1.
func Rank(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// days lists the period's days with no requests yet.
func days(p Period) []Day {
	var out []Day
	for d := p.From.In(p.Location); d.Before(p.To); d = d.AddDate(0, 0, 1) {
		out = append(out, Day{Date: d.Format(time.DateOnly)})
	}
	return out
}
