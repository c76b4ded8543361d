// Package statstest writes a realistic history of callback requests into
// a store, the way the workers write it (intake, attempts, every step in
// the history), and keeps what it wrote: the truth a dashboard's figures
// are checked against. Tests, benchmarks and screenshots use it.
package statstest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/callbackline/callbackline"
)

// Options shape a generated history.
type Options struct {
	MemberID  string         // the portal; it must be stored
	Location  *time.Location // the portal's days; nil is UTC
	First     time.Time      // the first day (its date in Location counts)
	Days      int            // how many days
	PerDay    int            // requests per day on average (0: 20)
	Lines     []string       // line numbers (none: "line1")
	Employees []int64        // Bitrix24 user ids (none: 1)
	Seed      uint64         // the same seed writes the same history
}

// Truth is what Generate wrote, counted as it was written.
type Truth struct {
	Tally
	Days        map[string]*Tally   // by date (2006-01-02) in Options.Location
	Lines       map[string]*Tally   // by line number
	Employees   map[int64]*Tally    // by the employee who answered, else the last called; 0: none
	FailedIDs   []int64             // the requests given up
	CRMOfID     map[int64]int64     // each request's CRM entity id
	ReasonOfID  map[int64]string    // each failed request's reason
	CreatedOfID map[int64]time.Time // when each request was received
	LineOfID    map[int64]string    // each request's line
}

// Tally counts a set of requests.
type Tally struct {
	Requests, Connected  int
	Outcomes             map[callbackline.Outcome]int
	ToEmployee, ToClient []time.Duration // in the order written
}

func (t *Tally) add(o callbackline.Outcome, toEmployee, toClient time.Duration) {
	if t.Outcomes == nil {
		t.Outcomes = map[callbackline.Outcome]int{}
	}
	t.Requests++
	t.Outcomes[o]++
	if o == callbackline.OutcomeConnected {
		t.Connected++
	}
	if toEmployee > 0 {
		t.ToEmployee = append(t.ToEmployee, toEmployee)
	}
	if toClient > 0 {
		t.ToClient = append(t.ToClient, toClient)
	}
}

// Generate writes the history into st and returns its truth.
func Generate(ctx context.Context, st callbackline.Store, o Options) (*Truth, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.PerDay <= 0 {
		o.PerDay = 20
	}
	if len(o.Lines) == 0 {
		o.Lines = []string{"line1"}
	}
	if len(o.Employees) == 0 {
		o.Employees = []int64{1}
	}
	g := &gen{ctx: ctx, st: st, o: o, rnd: rand.New(rand.NewPCG(o.Seed, 42)), truth: &Truth{
		Days: map[string]*Tally{}, Lines: map[string]*Tally{}, Employees: map[int64]*Tally{},
		CRMOfID: map[int64]int64{}, ReasonOfID: map[int64]string{}, CreatedOfID: map[int64]time.Time{}, LineOfID: map[int64]string{},
	}}
	y, m, d := o.First.In(o.Location).Date()
	for i := range o.Days {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, o.Location)
		// Weekends are quieter, as on a real line.
		n := o.PerDay/2 + g.rnd.IntN(o.PerDay+1)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			n /= 4
		}
		for range n {
			at := day.Add(time.Duration(7*3600+g.rnd.IntN(14*3600)) * time.Second)
			if err := g.request(at); err != nil {
				return nil, err
			}
		}
	}
	return g.truth, nil
}

// gen is one Generate.
type gen struct {
	ctx   context.Context
	st    callbackline.Store
	o     Options
	rnd   *rand.Rand
	truth *Truth
	n     int
}

// request writes one request received at at, with an outcome drawn by
// weight: most are connected.
func (g *gen) request(at time.Time) error {
	g.n++
	line := g.o.Lines[g.rnd.IntN(len(g.o.Lines))]
	cb := &callbackline.Callback{
		MemberID: g.o.MemberID, Kind: callbackline.KindCallback, State: callbackline.StateReceived,
		Phone: fmt.Sprintf("+4930%07d", 1000000+g.n), PhoneRaw: fmt.Sprintf("030 %07d", 1000000+g.n),
		Text: "Rückruf bitte", CRMEntityType: "LEAD", CRMEntityID: int64(5000 + g.n), LineNumber: line,
		EventAt: at, CreatedAt: at, UpdatedAt: at,
	}
	w := g.rnd.IntN(100)
	if w >= 94 { // junk refused at intake
		cb.State, cb.Reason = callbackline.StateRejected, callbackline.ReasonInvalidNumber+": not a phone number"
		cb.Phone = ""
	}
	res, err := g.st.Intake(g.ctx, callbackline.IntakeRequest{Callback: cb})
	if err != nil {
		return fmt.Errorf("statstest: intake: %w", err)
	}
	c := res.Callback
	g.truth.CRMOfID[c.ID], g.truth.CreatedOfID[c.ID], g.truth.LineOfID[c.ID] = c.CRMEntityID, at, line
	s := &story{g: g, cb: c, at: at}
	switch {
	case w >= 94:
		s.outcome = callbackline.OutcomeRejected
	case w >= 91:
		err = s.fail(nil, callbackline.OutcomeRejected, "guard: +4930… is a premium-rate number")
	case w >= 87:
		err = s.fail(nil, callbackline.OutcomeOutsideHours, "stale: the request is older than 24h0m0s and was not called")
	case w >= 80:
		err = s.employeeNoAnswer()
	case w >= 71:
		err = s.clientNoAnswer()
	case w >= 69:
		err = s.fail(nil, callbackline.OutcomeFailed, "no_trunk: nothing was dialled: no SIP trunk serves this portal")
	case w >= 67:
		err = s.step(callbackline.StateScheduled, nil, time.Minute, "outside working hours: scheduled for the next opening")
		s.outcome = callbackline.OutcomePending
	default:
		err = s.connected()
	}
	if err != nil {
		return fmt.Errorf("statstest: request %d: %w", c.ID, err)
	}
	s.count()
	return nil
}
