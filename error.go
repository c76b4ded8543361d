package callbackline

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. The web package maps them to HTTP
// statuses in one place; everything else only creates and inspects them.
const (
	EINVALID      = "invalid"      // the input is malformed or fails validation
	EUNAUTHORIZED = "unauthorized" // credentials or tokens are missing or wrong
	EFORBIDDEN    = "forbidden"    // the caller is known but not allowed
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	ECONFLICT     = "conflict"     // the request conflicts with the current state
	ETOOLARGE     = "too_large"    // the input is larger than allowed
	EUNSUPPORTED  = "unsupported"  // the media type or operation is not supported
	EMETHOD       = "method"       // the HTTP method is not allowed
	EUNAVAILABLE  = "unavailable"  // a dependency (store, SIP, portal) is not ready
	EREINSTALL    = "reinstall"    // the portal must reinstall the application
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is the error type of the domain: a machine-readable Code and a
// Message for a person that says what went wrong and what to do.
type Error struct {
	Code    string
	Message string
	Err     error // the underlying cause, if any; never shown to callers
}

// Error returns the message, with the cause when there is one and it
// says more (an InputError says the message itself).
func (e *Error) Error() string {
	if e.Err != nil && e.Err.Error() != e.Message {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with the code and message that keeps err as
// its cause.
func WrapError(err error, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain. Other
// errors give a generic message, so internal details never reach a caller.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
