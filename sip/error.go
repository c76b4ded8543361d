package sip

import (
	"errors"
	"fmt"
)

// Kind classifies why a call or a leg did not end up connected.
type Kind string

// Kinds of [Error].
const (
	KindInvalid     Kind = "invalid"     // the plan or configuration is wrong: fix it, do not retry
	KindNoRoute     Kind = "no_route"    // no trunk serves the call's portal: nothing was dialled
	KindNoAnswer    Kind = "no_answer"   // the phone rang until the ring timeout
	KindNoResponse  Kind = "no_response" // the target never answered the INVITE at all (no SIP response)
	KindBusy        Kind = "busy"        // 486/600 busy
	KindDeclined    Kind = "declined"    // 603, or the employee pressed 2 / did not accept
	KindRejected    Kind = "rejected"    // another final SIP status (4xx/5xx/6xx): see Status
	KindUnreachable Kind = "unreachable" // transport error: the address could not be reached
	KindHungUp      Kind = "hung_up"     // the employee hung up before the client was connected
	KindDeadPeer    Kind = "dead_peer"   // no RTP from a leg for the dead-peer timeout
	KindCancelled   Kind = "cancelled"   // the caller cancelled the context, or the dialer closed
	KindMedia       Kind = "media"       // the announcement or recording could not be played or written
	KindClosed      Kind = "closed"      // the dialer is closed
	KindInternal    Kind = "internal"    // a bug or an unexpected failure in the SIP stack
)

// Error is the typed error of this package. Inspect it with errors.As; never
// parse its text.
type Error struct {
	Kind   Kind
	Party  Party  // which leg it concerns: PartyEmployee, PartyClient or "" for the whole call
	Status int    // final SIP status of that leg, 0 when there was none
	Reason string // SIP reason phrase or a short explanation
	Field  string // for KindInvalid: the configuration or plan field at fault
	Err    error  // underlying cause, if any
	// Code is the kind of problem with a portal's own SIP account, with
	// its values in Args, for the application page to say it in its
	// language (words.PageProblem); "" for the others.
	Code string
	Args []string
}

// Codes are the codes an *Error may carry (Error.Code), for a test that
// each has words in every language of the application page.
var Codes = []string{"sip_host_needed", "sip_port", "sip_host", "sip_internal_host", "sip_internal", "sip_resolves_internal",
	"sip_no_resolve", "sip_username", "sip_password_needed", "sip_password_long", "sip_caller_ids_needed",
	"sip_caller_ids_many", "sip_caller_id_e164", "sip_transport", "sip_refused_auth", "sip_refused", "sip_no_answer",
	"sip_refused_auth_registering", "sip_refused_registering", "sip_no_trunk"}

// Coded returns the problem's code and values ("" when it has none).
func (e *Error) Coded() (code string, args []string) { return e.Code, e.Args }

// coded sets e's Code and Args and returns it.
func (e *Error) coded(code string, args ...string) *Error {
	e.Code, e.Args = code, args
	return e
}

// Error describes the failure and what to do about it.
func (e *Error) Error() string {
	var s string
	switch {
	case e.Field != "":
		s = fmt.Sprintf("sip: %s: %s", e.Field, e.Reason)
	case e.Party != "" && e.Status != 0:
		s = fmt.Sprintf("sip: %s leg %s: %d %s", e.Party, e.Kind, e.Status, e.Reason)
	case e.Party != "":
		s = fmt.Sprintf("sip: %s leg %s: %s", e.Party, e.Kind, e.Reason)
	default:
		s = fmt.Sprintf("sip: %s: %s", e.Kind, e.Reason)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &Error{Kind: k}) match any *Error of kind k.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Field == "" && t.Status == 0 && t.Party == ""
}

// ErrClosed is returned (inside Result.Err) when the dialer is closed.
var ErrClosed = &Error{Kind: KindClosed, Reason: "the dialer is closed; create a new one with sip.New"}

func invalid(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// KindOf returns the Kind of the first *Error in err's chain, "" for nil
// and KindInternal for other errors.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}
