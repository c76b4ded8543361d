package callbackline

import "time"

// RingMode says how a line rings its employees.
type RingMode string

// Ring modes.
const (
	RingSequential RingMode = "sequential" // one employee after another
	RingAll        RingMode = "all"        // all at once; the first to answer wins
)

// Dialer is how a line's calls are placed.
type Dialer string

// Dialers.
const (
	// DialerSIP places calls through callbackline's own SIP user agent
	// and a trunk or PBX (the default).
	DialerSIP Dialer = "sip"
	// DialerBitrix24 hands each call to the portal's own telephony
	// (voximplant.callback.start from Line.FromLine): Bitrix24 rings the
	// line's queue, speaks the request, calls the client and logs the
	// call; callbackline waits for the outcome.
	DialerBitrix24 Dialer = "bitrix24"
)

// Line is one of callbackline's external lines in a portal: what a CRM
// form picks as its callback line (LINE_NUMBER), with who answers its
// callbacks and how.
type Line struct {
	Number     string  // the NUMBER registered with telephony.externalLine.add
	Name       string  // its display name in Bitrix24
	CallerID   string  // number presented to the client; "" = the trunk's default
	CallerName string  // display name presented to the client
	Language   string  // language of what callbackline says and writes (words.Lang); "" = the portal's
	Employees  []int64 // Bitrix24 user ids tried after the CRM responsible, in order
	Target     string  // a fixed extension (PBX queue, ring group) instead of employees; "" = none
	TargetUser int64   // the Bitrix24 user the calls to Target are registered for
	Policy     Policy  // how callbacks on this line are handled
	// Dialer places the line's calls; "" is DialerSIP.
	Dialer Dialer
	// FromLine is the portal's own Bitrix24 line (a voximplant.line.get
	// id, e.g. reg151083) the Bitrix24 dialer calls from; required with
	// DialerBitrix24 and with Fallback.
	FromLine string
	// Voice is the Bitrix24 voice id the Bitrix24 dialer speaks with; ""
	// is the request's VOICE (the portal language's default).
	Voice string
	// Fallback sends a SIP line's callback through the Bitrix24 dialer
	// (FromLine) when the SIP side has no way out: no trunk serves the
	// portal, the trunk's registration is failing, or the trunk refused
	// every INVITE of an attempt (sip.Result.TrunkRefused).
	Fallback bool
	// NoRecord: the line's connected calls are not recorded, and no
	// recording is attached to their Bitrix24 calls (lines[].record:
	// false). The zero value records as the service is configured.
	NoRecord bool
	// RecordNotice: the client hears that the call is recorded when they
	// answer, before being connected (lines[].record_notice).
	RecordNotice bool
}

// PlacesViaBitrix24 reports whether the line's calls go to Bitrix24's own
// telephony rather than through SIP.
func (l Line) PlacesViaBitrix24() bool { return l.Dialer == DialerBitrix24 }

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
