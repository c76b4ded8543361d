// Package phone turns phone numbers typed by website visitors into E.164 and
// guards against toll fraud: a public callback form is an open door to
// premium-rate abuse, so only numbers that pass a Policy are dialled.
//
// Whole phone numbers never belong in logs or error messages; Mask gives
// the form to use there.
package phone

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/callbackline/callbackline"
	"github.com/nyaruka/phonenumbers"
)

// MaxInput is the longest raw input Normalize accepts, in bytes. It is the
// limit of the parser itself; longer input is rejected before parsing.
const MaxInput = 250

// Rejection says why a number must not be dialled. Reason is one of the
// callbackline.Reason* codes; Message explains it to a person and shows the
// number only masked. Error() reads "<reason>: <message>", the form
// callbackline.Callback.Reason takes.
type Rejection struct {
	Reason  string
	Message string
}

// Error returns "<reason>: <message>".
func (r *Rejection) Error() string { return r.Reason + ": " + r.Message }

// Unwrap exposes the rejection as a *callbackline.Error, so that
// callbackline.ErrorCode gives EINVALID for a number that is not a number
// and EFORBIDDEN for one the policy stops.
func (r *Rejection) Unwrap() error {
	code := callbackline.EFORBIDDEN
	if r.Reason == callbackline.ReasonInvalidNumber {
		code = callbackline.EINVALID
	}
	return &callbackline.Error{Code: code, Message: r.Message}
}

func invalid(format string, args ...any) *Rejection {
	return &Rejection{Reason: callbackline.ReasonInvalidNumber, Message: fmt.Sprintf(format, args...)}
}

// Normalize turns raw visitor input such as "+7 (495) 123-45-67",
// "8 495 123 45 67" (with region "RU"), "+49 (0) 30 1234567" or
// "0049 30 1234567" into E.164 ("+74951234567").
//
// region is the ISO 3166 alpha-2 code used for numbers typed without a
// country code; "" accepts only numbers with one (a leading + or 00).
// Text around the number ("tel:", "звонить после 18") and an extension are
// dropped: the extension cannot be dialled by us. The number must have a
// possible length and be valid in the numbering plan of its country.
//
// Every failure is a *Rejection with Reason callbackline.ReasonInvalidNumber.
func Normalize(raw, region string) (string, error) {
	n, _, err := parse(raw, region)
	if err != nil {
		return "", err
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// parse does the work of Normalize and keeps the parsed number and its
// type for the policy, so that the intake parses and classifies once.
func parse(raw, region string) (*phonenumbers.PhoneNumber, phonenumbers.PhoneNumberType, error) {
	if len(raw) > MaxInput {
		return nil, 0, invalid("the input is %d bytes long, longer than any phone number (at most %d); ask the client for the number alone", len(raw), MaxInput)
	}
	s := strings.TrimSpace(raw)
	if !hasDigit(s) {
		return nil, 0, invalid("the input contains no phone number; ask the client for one")
	}
	region = strings.ToUpper(strings.TrimSpace(region))

	n, err := phonenumbers.Parse(s, region)
	if t, ok := classify(n, err); ok {
		return n, t, nil
	}
	first, firstErr := n, err
	// Text after the number, such as "звонить после 18", defeats the
	// parser: cut the input after the last character that can belong to
	// a number (including an extension) and try again.
	if c := cut(s); c != s && c != "" {
		if m, err := phonenumbers.Parse(c, region); err == nil {
			if t, ok := classify(m, nil); ok {
				return m, t, nil
			}
			if firstErr != nil {
				first, firstErr = m, nil
			}
		}
	}
	// "00" is the international prefix in most of the world, and visitors
	// type it even where the national prefix differs (Russia: 8~10).
	if d := phonenumbers.NormalizeDigitsOnly(cut(s)); strings.HasPrefix(d, "00") && !strings.ContainsAny(s, "+＋") {
		m, err := phonenumbers.Parse("+"+d[2:], "")
		if t, ok := classify(m, err); ok {
			return m, t, nil
		}
	}
	return nil, 0, explain(s, region, first, firstErr)
}

// classify returns the type of a parsed number and whether it is valid: a
// number in use in its country's plan (a type other than UNKNOWN: the
// library's IsValidNumber is that same test, so the type is worked out
// once) that fits E.164 (15 digits at most; some plans know longer
// internal numbers).
func classify(n *phonenumbers.PhoneNumber, err error) (phonenumbers.PhoneNumberType, bool) {
	if err != nil {
		return phonenumbers.UNKNOWN, false
	}
	t := phonenumbers.GetNumberType(n)
	return t, t != phonenumbers.UNKNOWN &&
		len(strconv.Itoa(int(n.GetCountryCode())))+len(phonenumbers.GetNationalSignificantNumber(n)) <= 15
}

// explain turns a failed parse into a Rejection a person understands.
func explain(s, region string, n *phonenumbers.PhoneNumber, err error) *Rejection {
	if err != nil {
		switch {
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
			if region == "" && !strings.ContainsAny(s, "+＋") {
				return invalid("%s has no country code and no default region is configured; the number must start with + and the country code", Mask(s))
			}
			return invalid("%s does not start with a known country code", Mask(s))
		case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
			return invalid("%s is too short to be a phone number; ask the client for the full number", Mask(s))
		case errors.Is(err, phonenumbers.ErrNumTooLong):
			return invalid("%s is too long to be a phone number", Mask(s))
		default:
			return invalid("%s is not a phone number", Mask(s))
		}
	}
	e := phonenumbers.Format(n, phonenumbers.E164)
	where := fmt.Sprintf("+%d", n.GetCountryCode())
	if r := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode())); r != "" && r != "ZZ" && r != "001" {
		where += " (" + r + ")"
	}
	switch phonenumbers.IsPossibleNumberWithReason(n) {
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return invalid("%s is too short for %s; ask the client for the full number with area code", Mask(e), where)
	case phonenumbers.TOO_LONG:
		return invalid("%s is too long for %s", Mask(e), where)
	case phonenumbers.INVALID_LENGTH:
		return invalid("%s has a length no number in %s has", Mask(e), where)
	case phonenumbers.INVALID_COUNTRY_CODE:
		return invalid("%s does not start with a known country code", Mask(e))
	}
	if len(e) > 16 {
		return invalid("%s is longer than the 15 digits a phone number can have", Mask(e))
	}
	return invalid("%s is not a valid number in %s", Mask(e), where)
}

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// cut returns s from its first '+' or digit up to its last run of
// characters that can be part of a written phone number, dropping the
// text before and after.
func cut(s string) string {
	start := strings.IndexFunc(s, func(r rune) bool { return r == '+' || r == '＋' || unicode.IsDigit(r) })
	if start < 0 {
		return ""
	}
	end := start
	for i := start; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !numberRune(r) {
			break
		}
		i += size
		if unicode.IsDigit(r) {
			end = i
		}
	}
	return s[start:end]
}

// numberRune reports whether r can appear inside a written phone number.
func numberRune(r rune) bool {
	if unicode.IsDigit(r) {
		return true
	}
	switch r {
	case '+', '＋', ' ', '\u00a0', '\t', '-', '‐', '‑', '‒', '–', '—', '−', '(', ')', '[', ']', '.', '/':
		return true
	}
	return false
}

// ReasonOf returns the Reason of the *Rejection in err's chain, "" when
// there is none.
func ReasonOf(err error) string {
	var r *Rejection
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}
