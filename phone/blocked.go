package phone

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/callbackline/callbackline"
)

// MaxBlocked is the most entries a portal's list of blocked numbers holds.
const MaxBlocked = 1000

// ParseBlocked reads a list of blocked numbers as an administrator writes
// it: one entry a line (or separated by commas or semicolons), each a
// number in international form (+49 30 1234567; spaces, dashes, dots and
// brackets are ignored) or a prefix ending in "*" (+49 900*: every number
// that starts so). It returns the entries as "+4930…" and "+49900*", each
// once, in the order written; the EINVALID error names every entry at
// fault by its position.
func ParseBlocked(text string) ([]string, error) {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' })
	var (
		out  []string
		errs []error
		seen = map[string]bool{}
	)
	n := 0
	for _, f := range fields {
		if strings.TrimSpace(f) == "" {
			continue
		}
		n++
		e, err := blockedEntry(f)
		if err != nil {
			errs = append(errs, entryError(n, f, err))
			continue
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	if len(out) > MaxBlocked {
		errs = append(errs, &callbackline.InputError{Code: callbackline.InputBlockedMany, Args: []string{strconv.Itoa(len(out)), strconv.Itoa(MaxBlocked)},
			Text: fmt.Sprintf("%d entries; at most %d", len(out), MaxBlocked)})
	}
	if len(errs) > 0 {
		return nil, callbackline.WrapError(errors.Join(errs...), callbackline.EINVALID, "%s", errors.Join(errs...).Error())
	}
	return out, nil
}

// blockedProblem is what is wrong with one entry: its code and English
// sentence.
type blockedProblem struct{ code, text string }

func (p blockedProblem) Error() string { return p.text }

// entryError is the problem err of the n-th entry f, said with its
// position.
func entryError(n int, f string, err error) error {
	p := &callbackline.InputError{Args: []string{strconv.Itoa(n), clip(f)}, Text: fmt.Sprintf("entry %d: %v", n, err)}
	if b, ok := err.(blockedProblem); ok {
		p.Code = b.code
	}
	return p
}

// blockedEntry normalises one entry.
func blockedEntry(f string) (string, error) {
	var b strings.Builder
	prefix := false
	for i, r := range strings.TrimSpace(f) {
		switch {
		case prefix:
			return "", blockedProblem{callbackline.InputBlockedStar, fmt.Sprintf("%q: \"*\" may only end a prefix", clip(f))}
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '*':
			prefix = true
		case strings.ContainsRune(" \t-.()/", r):
		default:
			return "", blockedProblem{callbackline.InputBlockedChars, fmt.Sprintf("%q: write a number as +49 30 1234567 or a prefix as +49 900*", clip(f))}
		}
	}
	digits := strings.TrimPrefix(b.String(), "+")
	switch {
	case !strings.HasPrefix(b.String(), "+") || strings.HasPrefix(digits, "0"):
		return "", blockedProblem{callbackline.InputBlockedPlus, fmt.Sprintf("%q: start with + and the country code, e.g. +49 30 1234567", clip(f))}
	case len(digits) > 15, !prefix && len(digits) < 4, prefix && len(digits) < 1:
		return "", blockedProblem{callbackline.InputBlockedDigits, fmt.Sprintf("%q: a number has 4 to 15 digits after the +, a prefix 1 to 15", clip(f))}
	}
	if prefix {
		return b.String() + "*", nil
	}
	return b.String(), nil
}

// clip keeps an entry short for a message.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Block returns p that also refuses the numbers of entries (ParseBlocked's)
// with callbackline.ReasonBlocked.
func (p Policy) Block(entries []string) Policy {
	p.Blocked = entries
	return p
}

// blockedBy is the entry of p.Blocked that e164 matches; "" for none.
func (p Policy) blockedBy(e164 string) string {
	for _, e := range p.Blocked {
		if pre, ok := strings.CutSuffix(e, "*"); ok && strings.HasPrefix(e164, pre) || e == e164 {
			return e
		}
	}
	return ""
}

// maskEntry masks a blocked entry for messages and logs: a whole number
// as Mask does, a prefix as it is while short (+49900*), masked when it
// could name someone.
func maskEntry(e string) string {
	if pre, ok := strings.CutSuffix(e, "*"); ok {
		if len(pre) <= 8 {
			return e
		}
		return Mask(pre) + "*"
	}
	return Mask(e)
}
