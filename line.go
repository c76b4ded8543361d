package callbackline

import "time"

// RingMode says how a line rings its employees.
type RingMode string

// Ring modes.
const (
	RingSequential RingMode = "sequential" // one employee after another
	RingAll        RingMode = "all"        // all at once; the first to answer wins
)

// Line is one of callbackline's external lines in a portal: what a CRM
// form picks as its callback line (LINE_NUMBER), with who answers its
// callbacks and how.
type Line struct {
	Number     string  // the NUMBER registered with telephony.externalLine.add
	Name       string  // its display name in Bitrix24
	CallerID   string  // number presented to the client; "" = the trunk's default
	CallerName string  // display name presented to the client
	Employees  []int64 // Bitrix24 user ids tried after the CRM responsible, in order
	Target     string  // a fixed extension (PBX queue, ring group) instead of employees; "" = none
	TargetUser int64   // the Bitrix24 user the calls to Target are registered for
	Policy     Policy  // how callbacks on this line are handled
}

// Policy is how a line handles its callbacks. DefaultPolicy gives the
// defaults; every field is meant to be set.
type Policy struct {
	EmployeeRingTimeout time.Duration // how long an employee's phone rings (20 s)
	ClientRingTimeout   time.Duration // how long the client's phone rings (30 s)
	ClientAttempts      int           // calls to the client on busy / no answer / unavailable (3)
	ClientRetryAfter    time.Duration // time between calls to the client (10 min)
	EmployeeRounds      int           // rounds over all employees before giving up (3)
	EmployeeRetryAfter  time.Duration // time between rounds when nobody answered (10 min)
	MaxAge              time.Duration // requests older than this are not called (24 h)
	MaxCallLength       time.Duration // a connected call is ended after this (1 h)
	RingMode            RingMode      // sequential or all at once
	SkipAbsent          bool          // skip employees marked absent (im.user.get)
	RequireWorkday      bool          // skip employees whose workday is not open (timeman.status)
	RequireAccept       bool          // the employee presses 1 to take the call (2 declines)
	Announce            bool          // speak the request's TEXT to the employee
	AnnounceRepeat      int           // times the TEXT is said (1–3; 0 is once)
	Voice               string        // Bitrix24 voice id used when a request names none ("" = the service's default)
	Todo                bool          // on final failure also add a to-do for the responsible
	Hours               WorkingHours  // when callbacks are made; zero = always
}

// DefaultPolicy returns the policy of a line that sets nothing.
func DefaultPolicy() Policy {
	return Policy{
		EmployeeRingTimeout: 20 * time.Second,
		ClientRingTimeout:   30 * time.Second,
		ClientAttempts:      3,
		ClientRetryAfter:    10 * time.Minute,
		EmployeeRounds:      3,
		EmployeeRetryAfter:  10 * time.Minute,
		MaxAge:              24 * time.Hour,
		MaxCallLength:       time.Hour,
		RingMode:            RingSequential,
		Announce:            true,
		AnnounceRepeat:      1,
	}
}
