package statstest

import (
	"fmt"
	"time"

	"github.com/callbackline/callbackline"
)

// story is one request's life as the workers write it.
type story struct {
	g        *gen
	cb       *callbackline.Callback
	at       time.Time // the time of the last step
	attempts int
	outcome  callbackline.Outcome
	employee int64         // who answered first, else the last called
	answered bool          // an employee answered
	toEmp    time.Duration // request to the first employee's answer
	toClient time.Duration // request to the client's answer
}

// step advances the callback to state after d, in attempt a (nil: none).
func (s *story) step(state callbackline.State, a *callbackline.Attempt, d time.Duration, note string) error {
	s.at = s.at.Add(d)
	s.cb.State, s.cb.UpdatedAt = state, s.at
	var id int64
	if a != nil {
		id = a.ID
	}
	return s.g.st.Advance(s.g.ctx, s.cb, id, callbackline.Plain(note))
}

// attempt routes and registers a new call for user, ringing.
func (s *story) attempt(user int64) (*callbackline.Attempt, error) {
	if err := s.step(callbackline.StateRouting, nil, s.wait(), "choosing the employee"); err != nil {
		return nil, err
	}
	s.attempts++
	a := &callbackline.Attempt{CallbackID: s.cb.ID, Number: s.attempts, UserID: user, Extension: fmt.Sprint(100 + user),
		ExternalCallID: callbackline.ExternalCallID(s.cb.ID, s.attempts), CallID: fmt.Sprintf("externalCall.%d.%d", s.cb.ID, s.attempts),
		StartedAt: s.at, UpdatedAt: s.at}
	if err := s.g.st.SaveAttempt(s.g.ctx, a); err != nil {
		return nil, err
	}
	if !s.answered {
		s.employee = user
	}
	return a, s.step(callbackline.StateRingingEmployee, a, 2*time.Second, "ringing")
}

// answer: user takes attempt a's call after some rings.
func (s *story) answer(a *callbackline.Attempt, user int64) error {
	a.UserID = user
	if err := s.g.st.SaveAttempt(s.g.ctx, a); err != nil {
		return err
	}
	if err := s.step(callbackline.StateAnnouncing, a, s.rings(), "answered; speaking the request"); err != nil {
		return err
	}
	if !s.answered {
		s.answered, s.employee, s.toEmp = true, user, s.at.Sub(s.cb.CreatedAt)
	}
	return s.step(callbackline.StateRingingClient, a, 8*time.Second, "calling the client")
}

// wait is the time a request waits for its next call: mostly minutes,
// sometimes hours (every employee was busy).
func (s *story) wait() time.Duration {
	r := s.g.rnd.IntN(100)
	switch {
	case r < 70:
		return time.Duration(1+s.g.rnd.IntN(120)) * time.Second
	case r < 95:
		return time.Duration(2+s.g.rnd.IntN(28)) * time.Minute
	}
	return time.Duration(60+s.g.rnd.IntN(180)) * time.Minute
}

func (s *story) rings() time.Duration { return time.Duration(4+s.g.rnd.IntN(30)) * time.Second }

func (s *story) user() int64 { return s.g.o.Employees[s.g.rnd.IntN(len(s.g.o.Employees))] }

// connected: sometimes the client does not answer the first call and
// is called again; then the employee and the client talk.
func (s *story) connected() error {
	if s.g.rnd.IntN(4) == 0 {
		a, err := s.attempt(s.user())
		if err == nil {
			err = s.answer(a, a.UserID)
		}
		if err == nil {
			err = s.step(callbackline.StateScheduled, a, 30*time.Second, "the client did not answer (status 486); calling again later")
		}
		if err != nil {
			return err
		}
		s.at = s.at.Add(10 * time.Minute)
	}
	a, err := s.attempt(s.user())
	if err != nil {
		return err
	}
	if err := s.answer(a, a.UserID); err != nil {
		return err
	}
	if err := s.step(callbackline.StateConnected, a, s.rings(), "the client answered: connected"); err != nil {
		return err
	}
	s.toClient = s.at.Sub(s.cb.CreatedAt)
	a.Connected, a.Duration, a.StatusCode = true, 30+s.g.rnd.IntN(600), "200"
	if err := s.g.st.SaveAttempt(s.g.ctx, a); err != nil {
		return err
	}
	if err := s.step(callbackline.StateFinishing, a, time.Duration(a.Duration)*time.Second, "finishing"); err != nil {
		return err
	}
	s.outcome = callbackline.OutcomeConnected
	return s.step(callbackline.StateDone, a, time.Second, fmt.Sprintf("done: the employee and the client talked for %d s", a.Duration))
}

// clientNoAnswer: an employee answers, the client never does.
func (s *story) clientNoAnswer() error {
	a, err := s.attempt(s.user())
	if err == nil {
		err = s.answer(a, a.UserID)
	}
	if err != nil {
		return err
	}
	return s.fail(a, callbackline.OutcomeClientNoAnswer, "client_unreachable: the client could not be reached after 1 call(s) (last status 480)")
}

// employeeNoAnswer: two rounds in which nobody answers.
func (s *story) employeeNoAnswer() error {
	a, err := s.attempt(s.user())
	if err == nil {
		err = s.step(callbackline.StateScheduled, a, 30*time.Second, "no employee took the call; trying again later (round 1 of 2)")
	}
	if err == nil {
		a, err = s.attempt(s.user())
	}
	if err != nil {
		return err
	}
	return s.fail(a, callbackline.OutcomeEmployeeNoAnswer, "no_employee: no employee took the call in 2 round(s)")
}

// fail gives the request up with reason, telling the responsible.
func (s *story) fail(a *callbackline.Attempt, o callbackline.Outcome, reason string) error {
	s.cb.Reason = reason
	if err := s.step(callbackline.StateNotifying, a, 30*time.Second, "giving up: "+reason); err != nil {
		return err
	}
	s.outcome = o
	s.g.truth.FailedIDs = append(s.g.truth.FailedIDs, s.cb.ID)
	s.g.truth.ReasonOfID[s.cb.ID] = reason
	return s.step(callbackline.StateFailed, nil, time.Second, "failed: "+reason)
}

// count adds the request to the truth.
func (s *story) count() {
	t := s.g.truth
	t.add(s.outcome, s.toEmp, s.toClient)
	day := s.cb.CreatedAt.In(s.g.o.Location).Format(time.DateOnly)
	for _, m := range []*Tally{at(t.Days, day), at(t.Lines, s.cb.LineNumber), at(t.Employees, s.employee)} {
		m.add(s.outcome, s.toEmp, s.toClient)
	}
}

func at[K comparable](m map[K]*Tally, k K) *Tally {
	if m[k] == nil {
		m[k] = &Tally{}
	}
	return m[k]
}
