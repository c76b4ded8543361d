package config

import (
	"fmt"
	"reflect"
	"strings"
)

// Code is the kind of a problem with a key, for a reader that says it in
// its own language (the application page, words.PageProblem): the code,
// with the problem's values (Error.Args), is all it needs. The English
// sentence (Error.Problem) stays what the command line, the log and the
// API show.
type Code string

// The codes of the problems an administrator can make in a portal's own
// lines (the app page's form and its YAML view). Their values, in order,
// are in the comments.
const (
	CodeNumberEmpty      Code = "number_empty"          // a line without a number
	CodeTooLong          Code = "too_long"              // length, most
	CodeSpaces           Code = "spaces"                // value
	CodeNumberTwice      Code = "number_twice"          // value, the other line (1-based)
	CodeAtLeast          Code = "at_least"              // value, least
	CodeMoreThanZero     Code = "more_than_zero"        // value (a duration)
	CodeRange            Code = "range"                 // value, least, most
	CodeLimitMost        Code = "limit_most"            // value, most (portal_limits)
	CodeLimitLeast       Code = "limit_least"           // value, least (portal_limits)
	CodeNotDuration      Code = "not_duration"          // value
	CodeNotWhole         Code = "not_whole_number"      // value
	CodeNotBool          Code = "not_bool"              // value
	CodeNotNumber        Code = "not_number"            // value
	CodeNotSize          Code = "not_size"              // value
	CodeZone             Code = "unknown_time_zone"     // value
	CodeSpan             Code = "not_span"              // value
	CodeDate             Code = "not_date"              // value
	CodeNeverOpen        Code = "never_open"            //
	CodeVoice            Code = "unknown_voice"         // value
	CodeRingMode         Code = "ring_mode"             // value
	CodeLanguage         Code = "unknown_language"      // value, the languages
	CodeEmployeeID       Code = "not_user_id"           // value
	CodeEmployeeTwice    Code = "employee_twice"        // user id
	CodeTooManyEmployees Code = "too_many_employees"    // count, most
	CodeTargetExt        Code = "not_extension"         // value (masked), the rule
	CodeTargetUser       Code = "target_needs_user"     //
	CodeTargetUserAlone  Code = "user_without_target"   //
	CodeTargetEmployees  Code = "target_and_employees"  //
	CodeCallerIDChars    Code = "caller_id_chars"       // value
	CodeCallerName       Code = "caller_name"           //
	CodeCallerIDNotGiven Code = "caller_id_not_given"   //
	CodeSIPLineNotGiven  Code = "sip_line_not_given"    // value
	CodeRetryPastAge     Code = "retry_past_max_age"    // value, max_age
	CodeLinesEmpty       Code = "lines_empty"           //
	CodeTooManyLines     Code = "too_many_lines"        // count, most
	CodeDialer           Code = "unknown_dialer"        // value
	CodeFallback         Code = "unknown_fallback"      // value
	CodeFallbackTwice    Code = "fallback_on_bitrix24"  //
	CodeFromLineEmpty    Code = "from_line_empty"       //
	CodeFromLineOnSIP    Code = "from_line_on_sip"      //
	CodeFromLineID       Code = "not_line_id"           // value
	CodeFromLineOwn      Code = "from_line_own"         // value
	CodeTelVoice         Code = "not_voice_id"          // value
	CodeNoticeNoRecord   Code = "notice_without_record" //
	CodeNoticeBitrix24   Code = "notice_on_bitrix24"    //
	CodeUnknownKey       Code = "unknown_key"           // the key meant
	CodeUnknownKeyHere   Code = "unknown_key_here"      // the keys known there
	CodeNotYAML          Code = "not_yaml"              // the YAML reader's words
	CodeNotList          Code = "not_a_list"            //
	CodeTwice            Code = "key_twice"             // the line first given
	CodeNotMapping       Code = "not_mapping"           //
	CodeNotMappings      Code = "not_mappings"          //
	CodeNotValue         Code = "not_value"             //
	CodeDocuments        Code = "many_documents"        //
)

// Codes are every Code, for a test that each has words in every
// language of the page.
var Codes = []Code{CodeNumberEmpty, CodeTooLong, CodeSpaces, CodeNumberTwice, CodeAtLeast, CodeMoreThanZero,
	CodeRange, CodeLimitMost, CodeLimitLeast, CodeNotDuration, CodeNotWhole, CodeNotBool, CodeNotNumber, CodeNotSize,
	CodeZone, CodeSpan, CodeDate, CodeNeverOpen, CodeVoice, CodeRingMode, CodeLanguage, CodeEmployeeID, CodeEmployeeTwice,
	CodeTooManyEmployees, CodeTargetExt, CodeTargetUser, CodeTargetUserAlone, CodeTargetEmployees, CodeCallerIDChars,
	CodeCallerName, CodeCallerIDNotGiven, CodeSIPLineNotGiven, CodeRetryPastAge, CodeLinesEmpty, CodeTooManyLines,
	CodeDialer, CodeFallback, CodeFallbackTwice, CodeFromLineEmpty, CodeFromLineOnSIP, CodeFromLineID, CodeFromLineOwn,
	CodeTelVoice, CodeNoticeNoRecord, CodeNoticeBitrix24, CodeUnknownKey, CodeUnknownKeyHere, CodeNotYAML, CodeNotList,
	CodeTwice, CodeNotMapping, CodeNotMappings, CodeNotValue, CodeDocuments}

// coded is a problem's code and values, given to a report of a problem
// as its last argument (with): it is not formatted into the sentence.
type coded struct {
	code Code
	args []string
}

// with is the code c with its values, each written as fmt's %v does.
func with(c Code, args ...any) coded {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = fmt.Sprint(a)
	}
	return coded{c, out}
}

// newError is the *Error of a problem with key, set at src: format and
// args are its English sentence; a last argument made by with gives it
// its code and values.
func newError(key, src, format string, args []any) *Error {
	e := &Error{Key: key, Source: src}
	if n := len(args); n > 0 {
		if c, ok := args[n-1].(coded); ok {
			e.Code, e.Args, args = c.code, c.args, args[:n-1]
		}
	}
	e.Problem = fmt.Sprintf(format, args...)
	return e
}

// Coded returns the problem's code and values; "" when it has none (it is
// said in English only).
func (e *Error) Coded() (code string, args []string) { return string(e.Code), e.Args }

// Place returns the key at fault and where its value was set.
func (e *Error) Place() (key, source string) { return e.Key, e.Source }

// parseCode is the code of a value s of type t that parseText refused
// (bytes: a size), with the value; a secret's value is not given.
func parseCode(t reflect.Type, bytes, secret bool, s string) coded {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	s = strings.TrimSpace(s)
	if secret {
		s = "…"
	}
	switch {
	case t == durationType:
		return with(CodeNotDuration, s)
	case t.Kind() == reflect.Bool:
		return with(CodeNotBool, s)
	case t.Kind() == reflect.Int64 && bytes:
		return with(CodeNotSize, s)
	case t.Kind() == reflect.Float64:
		return with(CodeNotNumber, s)
	}
	return with(CodeNotWhole, s)
}
