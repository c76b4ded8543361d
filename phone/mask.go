package phone

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// maxStars bounds the masked run, so that junk input gives a short mask.
const maxStars = 12

// Mask returns a form of number fit for logs and messages: the country
// code (when the number starts with +), at most three leading digits of
// the national number when at least five others stay hidden, and the last
// two digits: "+74951234567" → "+7495*****67". It takes raw input as well
// ("8 (495) 123-45-67" → "*********67"), never returns all the digits of a
// number, and returns "" for input without digits.
func Mask(number string) string {
	digits := phonenumbers.NormalizeDigitsOnly(number)
	if digits == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(digits) + 2)
	rest, cc := digits, 0
	if t := strings.TrimLeft(number, " \t\u00a0"); strings.HasPrefix(t, "+") || strings.HasPrefix(t, "＋") {
		b.WriteByte('+')
		if cc = countryCode(digits); cc > 0 {
			b.WriteString(digits[:cc])
			rest = digits[cc:]
		}
	}
	if cc == 0 && len(rest) > 15 {
		rest = rest[len(rest)-15:]
	}
	n := len(rest)
	keepStart, keepEnd := 0, 0
	switch {
	case n >= 8:
		keepStart, keepEnd = min(3, n-7), 2
	case n >= 5:
		keepEnd = 2
	}
	if cc == 0 { // no country code: the leading digits say too much
		keepStart = 0
	}
	b.WriteString(rest[:keepStart])
	b.WriteString(strings.Repeat("*", min(n-keepStart-keepEnd, maxStars)))
	b.WriteString(rest[n-keepEnd:])
	return b.String()
}

// countryCode returns the length of the calling code digits start with,
// 0 when none is known.
func countryCode(digits string) int {
	if digits == "" || digits[0] == '0' {
		return 0
	}
	codes := phonenumbers.GetSupportedCallingCodes()
	for l := 1; l <= 3 && l < len(digits); l++ {
		if c, err := strconv.Atoi(digits[:l]); err == nil && codes[c] {
			return l
		}
	}
	return 0
}
