package sip

import (
	"context"
	"time"
)

// Plan is one callback: whom to ring, what to say, whom to connect.
type Plan struct {
	// ID names the callback in logs (e.g. the request id). Optional.
	ID string
	// Portal is the member_id of the Bitrix24 portal the call is made for.
	// The call goes out only through a trunk that serves this portal,
	// resolved in this order: the trunk the plan names, else that of the
	// dialer's line of the plan's Line; else the portal's own trunk
	// (Dialer.AddTrunk); else the first operator trunk granted to the
	// portal (Config.Serves). A trunk not granted to the portal is
	// refused (KindNoRoute), and checked again right before each INVITE.
	Portal string
	// Trunk is the trunk name; default the line's trunk, else the first
	// one that serves the portal.
	Trunk string
	// Line is the number of a configured Line whose caller ID the client
	// sees. Optional.
	Line string
	// CallerID overrides the line's caller ID. Optional.
	CallerID CallerID

	// Employees are the extensions to ring, in order.
	Employees []string
	// RingAll rings all employees at once; the first to answer wins and the
	// others get CANCEL. Default: one after the other.
	RingAll bool
	// Announcement is the path of an 8 kHz mono 16-bit WAV played to the
	// employee on answer. Empty: click-to-call (no announcement).
	Announcement string
	// Prepare, when set and Announcement is empty, makes the announcement
	// while the employee's phone rings (text to speech takes a moment): it
	// is called when the callback starts, and its path is waited for when
	// the employee answers. An error or an empty path plays the beeps.
	Prepare func(ctx context.Context) (string, error)
	// Beep plays three short 600 Hz beeps (1 s) instead of an announcement:
	// the fallback when no speech could be synthesised. Ignored when
	// Announcement is set.
	Beep bool
	// RequireAccept makes the employee press 1 to accept the callback after
	// the announcement; 2 declines it and the next employee is tried.
	RequireAccept bool

	// Client is the client's number, E.164 ("+4930123456").
	Client string
	// ClientNotice is the path of an 8 kHz mono 16-bit WAV played to the
	// client when they answer, before they are connected to the employee
	// (the announcement that the call is recorded). Empty: none.
	ClientNotice string

	// Timeouts bound each step; zero values get defaults.
	Timeouts Timeouts

	// Recording is the path of the stereo WAV to write (left: employee,
	// right: client, 8 kHz 16-bit), from the moment both are connected.
	// Empty: no recording.
	Recording string

	// Progress, if set, is called as each step happens, from the goroutine
	// running Callback (or a ringing goroutine with RingAll, serialised).
	// It must return quickly.
	Progress func(Event)
}

// Timeouts bound each step of a callback.
type Timeouts struct {
	EmployeeRing time.Duration // ring each employee at most this long; default 30s
	ClientRing   time.Duration // ring the client at most this long; default 45s
	Accept       time.Duration // wait this long for 1/2 after the announcement; default 10s
	MaxCall      time.Duration // maximum bridged time; default 1h
	DeadPeer     time.Duration // end the call after this long without RTP from a leg; default 30s
}

// Default timeouts.
const (
	DefaultEmployeeRing = 30 * time.Second
	DefaultClientRing   = 45 * time.Second
	DefaultAccept       = 10 * time.Second
	DefaultMaxCall      = time.Hour
	DefaultDeadPeer     = 30 * time.Second
)

func (t Timeouts) withDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.EmployeeRing, DefaultEmployeeRing)
	def(&t.ClientRing, DefaultClientRing)
	def(&t.Accept, DefaultAccept)
	def(&t.MaxCall, DefaultMaxCall)
	def(&t.DeadPeer, DefaultDeadPeer)
	return t
}

// Party is a side of the call.
type Party string

// Parties.
const (
	PartyEmployee Party = "employee"
	PartyClient   Party = "client"
	PartyDialer   Party = "dialer" // we ended it: timeout, cancellation, dead peer
)

// EventType names a step of a callback.
type EventType string

// Event types, in the order they happen.
const (
	EventEmployeeRinging  EventType = "employee_ringing"  // an employee's phone rings (1xx)
	EventEmployeeFailed   EventType = "employee_failed"   // an employee did not take the call; the next may be tried
	EventEmployeeAnswered EventType = "employee_answered" // an employee answered
	EventAnnouncementDone EventType = "announcement_done" // the announcement (and the accept prompt) finished
	EventClientRinging    EventType = "client_ringing"    // the client's phone rings (1xx)
	EventConnected        EventType = "connected"         // the client answered, the legs are bridged
	EventEnded            EventType = "ended"             // the call is over; Result is set
)

// Event is one step of a callback.
type Event struct {
	Type     EventType
	Time     time.Time
	Employee string  // the employee's extension, when the step concerns one
	Status   int     // the SIP status, when there is one
	Result   *Result // with EventEnded
}

// Outcome summarises a callback.
type Outcome string

// Outcomes.
const (
	OutcomeConnected      Outcome = "connected"        // employee and client talked
	OutcomeEmployeeFailed Outcome = "employee_failed"  // no employee took the call (see Err)
	OutcomeEmployeeHungUp Outcome = "employee_hung_up" // the employee hung up before the client answered
	OutcomeClientFailed   Outcome = "client_failed"    // the client did not answer (see Err)
	OutcomeCancelled      Outcome = "cancelled"        // cancelled by us (context, Close)
	OutcomeFailed         Outcome = "failed"           // invalid plan, media or stack failure (see Err)
)

// Leg is one SIP call of a callback.
type Leg struct {
	Party    Party
	Target   string    // extension, or the client's number
	Status   int       // final SIP status: 200 answered, 486, 487 (cancelled), 0 none
	Reason   string    // its reason phrase, or what happened instead
	Codec    string    // negotiated codec, "pcmu" or "pcma"
	Invited  time.Time // INVITE sent
	Ringing  time.Time // first 1xx with ringing (180/183), zero if none
	Answered time.Time // 200 OK, zero if not answered
	// FirstAudio is when the first packet of announcement or tone was sent
	// to this leg (employee legs), zero if none.
	FirstAudio time.Time
	Ended      time.Time // leg over
	HungUp     Party     // who ended the answered leg
	Err        *Error    // why the leg failed; nil when answered
}

// RingTime is how long the leg rang: from INVITE to answer or to its end.
func (l *Leg) RingTime() time.Duration {
	if l == nil || l.Invited.IsZero() {
		return 0
	}
	if !l.Answered.IsZero() {
		return l.Answered.Sub(l.Invited)
	}
	return l.Ended.Sub(l.Invited)
}

// TalkTime is how long the leg was answered.
func (l *Leg) TalkTime() time.Duration {
	if l == nil || l.Answered.IsZero() {
		return 0
	}
	return l.Ended.Sub(l.Answered)
}

// TalkSeconds is TalkTime rounded to whole seconds.
func (l *Leg) TalkSeconds() int { return int(l.TalkTime().Round(time.Second) / time.Second) }

// Result is the outcome of a callback.
type Result struct {
	Outcome Outcome
	// StatusCode is the Bitrix24 STATUS_CODE for telephony.externalCall.finish.
	StatusCode string
	// Employee is the employee leg that answered, else the last one tried.
	Employee *Leg
	// Attempts are all employee legs, in the order they were started.
	Attempts []*Leg
	// Client is the client leg, nil if the client was not dialled.
	Client *Leg
	// Connected is when the legs were bridged, Disconnected when the
	// bridged call ended (before hang-up and the recording's write-out);
	// zero if never.
	Connected, Disconnected time.Time
	// Started and Ended bound the whole callback.
	Started, Ended time.Time
	// HungUp is who ended a connected call (or the employee, if they hung
	// up before the client answered).
	HungUp Party
	// EndReason says why a connected call ended: "hangup", "max_call",
	// "dead_peer", "cancelled".
	EndReason string
	// Recording is the path of the stereo WAV, "" if none was written.
	Recording string
	// Err is why the callback did not connect, or a media failure during
	// it; always an *Error. Nil for a normal connected call.
	Err error
}

// Talk is the bridged time.
func (r *Result) Talk() time.Duration {
	if r.Connected.IsZero() || r.Disconnected.IsZero() {
		return 0
	}
	return r.Disconnected.Sub(r.Connected)
}

// TalkSeconds is the bridged time in whole seconds (Bitrix24 DURATION).
func (r *Result) TalkSeconds() int { return int(r.Talk().Round(time.Second) / time.Second) }
