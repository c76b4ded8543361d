package speech

import (
	"errors"
	"fmt"
)

// Reason says why speech could not be produced, so a caller can report it
// (on the call card, in `callbackline doctor`) without parsing strings.
type Reason string

// The reasons an engine or the cache fails.
const (
	ReasonMissing   Reason = "missing"    // the engine's program is not installed
	ReasonFailed    Reason = "failed"     // the program ran and failed
	ReasonTimeout   Reason = "timeout"    // the program took longer than allowed
	ReasonCanceled  Reason = "canceled"   // the caller's context ended first
	ReasonBadOutput Reason = "bad_output" // the program's output is not usable audio
	ReasonEmpty     Reason = "empty"      // there is no text to speak
	ReasonTooLong   Reason = "too_long"   // the text is longer than the engine accepts
	ReasonConfig    Reason = "config"     // the engine is configured wrongly
	ReasonCache     Reason = "cache"      // the cache directory cannot be used
)

// Error is the typed error of the package. Reason is the machine-readable
// cause, Package the Debian package that brings a missing program, and the
// message says what to do.
type Error struct {
	Reason  Reason
	Engine  string // engine name, "" when not about an engine
	Package string // Debian package to install, "" when not relevant
	Message string
	Err     error // the underlying cause, if any
}

// Error returns the message with the cause.
func (e *Error) Error() string {
	s := "speech"
	if e.Engine != "" {
		s += " (" + e.Engine + ")"
	}
	s += ": " + e.Message
	if e.Package != "" {
		s += ": install the Debian package " + e.Package
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the Reason of the first *Error in err's chain, "" for nil
// and ReasonFailed for any other error.
func ReasonOf(err error) Reason {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ReasonFailed
}

func errorf(r Reason, engine string, cause error, format string, args ...any) *Error {
	return &Error{Reason: r, Engine: engine, Message: fmt.Sprintf(format, args...), Err: cause}
}
