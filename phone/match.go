package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// minMatchDigits is the shortest national number Same compares: shorter
// ones would match unrelated numbers.
const minMatchDigits = 6

// National returns the national significant number of an E.164 number
// (its digits without the country code and national prefix), "" when it
// does not parse.
func National(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	return phonenumbers.GetNationalSignificantNumber(n)
}

// Same reports whether logged, a number as a phone system wrote it down
// (Bitrix24's call log keeps "+19061234567", "19061234567" or a national
// "89061234567" alike), is the E.164 number e164: the digits of logged end
// with its national significant number, and nothing but a country code or
// national prefix (at most 3 digits) comes before it. Anything else,
// including text that is no number, is not the same.
func Same(e164, logged string) bool {
	nat := National(e164)
	if len(nat) < minMatchDigits || len(logged) > MaxInput {
		return false
	}
	var b strings.Builder
	for _, r := range logged {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(" +-().", r):
		default:
			return false
		}
	}
	digits := b.String()
	return strings.HasSuffix(digits, nat) && len(digits)-len(nat) <= 3
}
