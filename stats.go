package callbackline

import (
	"context"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zones load the same on hosts without tzdata
)

// Outcome is how a callback request ended, as the dashboard counts it.
type Outcome string

// Outcomes of callback requests.
const (
	OutcomeConnected        Outcome = "connected"          // the employee and the client talked
	OutcomeAlreadyCalled    Outcome = "already_called"     // closed by itself: Bitrix24's call log showed the client reached another way
	OutcomeCancelled        Outcome = "cancelled"          // cancelled by an administrator before it was called
	OutcomeClientNoAnswer   Outcome = "client_no_answer"   // given up: the client was not reached
	OutcomeEmployeeNoAnswer Outcome = "employee_no_answer" // given up: no employee took the call
	OutcomeOutsideHours     Outcome = "outside_hours"      // given up: the line's hours never opened, or opened too late
	OutcomeRejected         Outcome = "rejected"           // refused by the guard or a limit, never called
	OutcomeFailed           Outcome = "failed"             // given up for another reason (no trunk, errors, reinstall)
	OutcomePending          Outcome = "pending"            // still being worked on
)

// Outcomes lists every outcome in the dashboard's order.
func Outcomes() []Outcome {
	return []Outcome{OutcomeConnected, OutcomeAlreadyCalled, OutcomeClientNoAnswer, OutcomeEmployeeNoAnswer,
		OutcomeOutsideHours, OutcomeRejected, OutcomeCancelled, OutcomeFailed, OutcomePending}
}

// OutcomeOf is the outcome of a callback in state s with reason: the
// reason codes the workers give up with ("client_unreachable: …",
// "no_employee: …", "closed: …", "stale: …", "guard: …") and the states.
func OutcomeOf(s State, reason string) Outcome {
	switch s {
	case StateDone:
		if reasonCode(reason) == ReasonAlreadyCalled {
			return OutcomeAlreadyCalled
		}
		return OutcomeConnected
	case StateRejected:
		return OutcomeRejected
	case StateFailed, StateNotifying:
	default:
		return OutcomePending
	}
	code, _, _ := strings.Cut(reason, ":")
	switch code {
	case "client_unreachable":
		return OutcomeClientNoAnswer
	case "no_employee":
		return OutcomeEmployeeNoAnswer
	case "closed", "stale":
		return OutcomeOutsideHours
	case "guard":
		return OutcomeRejected
	case ReasonCancelled:
		return OutcomeCancelled
	}
	return OutcomeFailed
}

// StatsFilter selects the callback requests a dashboard counts: one
// portal's, received in [From, To), on one line or all.
type StatsFilter struct {
	MemberID string
	From, To time.Time
	Line     string // the line's number; "" for every line
}

// StatsRow is one callback request (not click-to-call) as the dashboard
// counts it, read from the callback, its attempts and its history.
type StatsRow struct {
	ID            int64
	LineNumber    string
	CreatedAt     time.Time
	State         State
	Reason        string
	CRMEntityType string
	CRMEntityID   int64
	// UserID is the employee who first answered, else the one the last
	// attempt was registered for; 0 when no attempt was made.
	UserID int64
	// EmployeeAt is when an employee first answered (the request is
	// announced); zero if none did.
	EmployeeAt time.Time
	// ClientAt is when the client first answered and was connected; zero
	// if never.
	ClientAt time.Time
}

// Outcome is the row's outcome.
func (r StatsRow) Outcome() Outcome { return OutcomeOf(r.State, r.Reason) }

// StatsStore reads what the dashboard counts.
type StatsStore interface {
	// StatsRows lists the portal's callback requests of the filter,
	// oldest first.
	StatsRows(ctx context.Context, f StatsFilter) ([]StatsRow, error)
}

// LoadZone loads the IANA time zone name (Europe/Berlin, UTC). Only
// names of letters, digits, "/", "_", "+" and "-" are looked up; the error
// is EINVALID and says what to write.
func LoadZone(name string) (*time.Location, error) {
	ok := name != "" && len(name) <= 64 && name != "Local" && !strings.Contains(name, "..")
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_+-", r))
	}
	if ok {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	text := fmt.Sprintf("%q is not a known IANA time zone (e.g. Europe/Berlin)", name)
	return nil, WrapError(&InputError{Code: InputZone, Args: []string{name}, Text: text}, EINVALID, "%s", text)
}
