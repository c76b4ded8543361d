package bitrix24

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// APIError is an error answer of a portal's REST API (docs/bitrix24.md §4.2):
// {"error": Code, "error_description": Description} with HTTPStatus.
// Compare it with errors.Is against the Err… values: they match on the
// code, and on the description where Bitrix24 leaves the code empty (or
// says only ERROR_CORE).
type APIError struct {
	Method      string // the REST method called
	Code        string // error; may be ""
	Description string // error_description
	HTTPStatus  int
	resetAt     time.Time // OPERATION_TIME_LIMIT: time.operating_reset_at when the answer had it
}

// Error says what the portal answered: the code and the description, both
// cut short and stripped of control characters (the answer is the
// portal's text, not ours).
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("bitrix24 ")
	b.WriteString(e.Method)
	b.WriteString(": ")
	if e.Code != "" {
		b.WriteString(clipCode(e.Code))
		if e.Description != "" {
			b.WriteString(": ")
		}
	}
	b.WriteString(clip(e.Description, 160))
	if e.HTTPStatus != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteString(")")
	}
	return b.String()
}

// Errors that an *APIError matches with errors.Is.
var (
	ErrExpiredToken     = errors.New("bitrix24: access token expired")
	ErrInvalidToken     = errors.New("bitrix24: access token invalid")
	ErrNoAuth           = errors.New("bitrix24: no authorisation")
	ErrQueryLimit       = errors.New("bitrix24: request rate limit exceeded")
	ErrOperationLimit   = errors.New("bitrix24: method operating time limit exceeded")
	ErrOverload         = errors.New("bitrix24: portal blocked by support (OVERLOAD_LIMIT)")
	ErrPortalDeleted    = errors.New("bitrix24: portal deleted")
	ErrAccessDenied     = errors.New("bitrix24: access denied")
	ErrScope            = errors.New("bitrix24: scope missing")
	ErrWrongAuthType    = errors.New("bitrix24: method needs application context")
	ErrMethodNotFound   = errors.New("bitrix24: method not found")
	ErrNotFound         = errors.New("bitrix24: not found")
	ErrUserNotFound     = errors.New("bitrix24: user not found or not active")
	ErrCallNotFound     = errors.New("bitrix24: call not found")
	ErrCallNotFinished  = errors.New("bitrix24: call not finished yet")
	ErrAlreadyBound     = errors.New("bitrix24: handler already bound")
	ErrBindingInProcess = errors.New("bitrix24: binding of the handler already started")
	ErrLineExists       = errors.New("bitrix24: line already exists")
	ErrLineNotFound     = errors.New("bitrix24: line not found")
	ErrBadRecord        = errors.New("bitrix24: record file rejected")
)

// errorRules map codes and descriptions to the Err… values. Descriptions
// are matched (case-insensitively, as substrings) only when the code is
// empty or ERROR_CORE, which Bitrix24 uses interchangeably.
var errorRules = []struct {
	err   error
	codes []string
	descs []string
}{
	{ErrExpiredToken, []string{"expired_token"}, nil},
	{ErrInvalidToken, []string{"invalid_token"}, nil},
	{ErrNoAuth, []string{"NO_AUTH_FOUND"}, nil},
	{ErrQueryLimit, []string{"QUERY_LIMIT_EXCEEDED"}, nil},
	{ErrOperationLimit, []string{"OPERATION_TIME_LIMIT"}, nil},
	{ErrOverload, []string{"OVERLOAD_LIMIT"}, nil},
	{ErrPortalDeleted, []string{"PORTAL_DELETED"}, nil},
	{ErrAccessDenied, []string{"ACCESS_DENIED", "INVALID_CREDENTIALS", "user_access_error"}, nil},
	{ErrScope, []string{"insufficient_scope"}, nil},
	{ErrWrongAuthType, []string{"WRONG_AUTH_TYPE"}, nil},
	{ErrMethodNotFound, []string{"ERROR_METHOD_NOT_FOUND"}, nil},
	{ErrCallNotFinished, nil, []string{"not finished yet"}},
	{ErrCallNotFound, nil, []string{"call is not found (call should be registered"}},
	{ErrUserNotFound, []string{"USER_NOT_EXISTS"}, []string{"user is not found or is not active", "user not found"}},
	{ErrNotFound, []string{"NOT_FOUND", "ERROR_NOT_FOUND"}, []string{"not found"}},
	{ErrAlreadyBound, nil, []string{"handler already binded", "handler already bound"}},
	{ErrBindingInProcess, nil, []string{"process of binding the handler has already started"}},
	{ErrLineExists, nil, []string{"line already exists"}},
	{ErrLineNotFound, nil, []string{"could not find line with number"}},
	{ErrNoSuchLine, nil, []string{"could not find line ", "could not find config for number"}},
	{ErrBadToNumber, nil, []string{"phone number is not correct"}},
	{ErrBadRecord, nil, []string{"wrong file extension", "file content is empty", "file content is not properly encoded", "file name is empty"}},
}

// Is reports whether the error is target (one of the Err… values).
func (e *APIError) Is(target error) bool {
	for _, r := range errorRules {
		if r.err != target {
			continue
		}
		for _, c := range r.codes {
			if strings.EqualFold(e.Code, c) {
				return true
			}
		}
		if e.Code == "" || strings.EqualFold(e.Code, "ERROR_CORE") {
			d := strings.ToLower(e.Description)
			for _, s := range r.descs {
				if strings.Contains(d, s) {
					return true
				}
			}
		}
	}
	return false
}
