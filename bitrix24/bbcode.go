package bitrix24

import (
	"strings"
	"unicode/utf8"
)

// Look-alikes that Plain puts in place of the characters Bitrix24 reads
// as markup. They are visible and read as the original, but no BB-code
// parser or link detector treats them as markup.
const (
	openBracket  = '［' // U+FF3B FULLWIDTH LEFT SQUARE BRACKET for [
	closeBracket = '］' // U+FF3D FULLWIDTH RIGHT SQUARE BRACKET for ]
	slash        = '／' // U+FF0F FULLWIDTH SOLIDUS for the / of ://
	dot          = '․' // U+2024 ONE DOT LEADER for the . of www.
)

// Plain makes text written by someone outside the portal (a website
// visitor's request, a name) safe to put into a message that Bitrix24
// renders as BB-code: im.notify.system.add's MESSAGE, a timeline
// comment, a to-do's description (docs/bitrix24.md §8.3). Bitrix24
// documents no escape for BB-code, so Plain writes look-alikes instead:
//
//   - [ and ] become ［ and ］, so no tag ([url=…], [user=…], [img], [send=…],
//     [call=…], [br] …) can be opened or closed;
//   - the // of "://" becomes ／／ and the dot of "www." becomes ․, so no
//     address is turned into a link;
//   - line breaks, other control characters and the marks that turn the
//     text's direction become spaces, and ">>" becomes "> >", so the text
//     cannot start a quote or fake a line of the message around it.
//
// Anything else, and so an ordinary request, is left as it is; invalid
// UTF-8 becomes U+FFFD. Plain(Plain(s)) == Plain(s).
func Plain(s string) string {
	if !needsPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	var (
		prev    rune // the last rune written
		slashes int  // how many of the next runes are the slashes of "://"
	)
	for i, r := range s { // an invalid byte comes as utf8.RuneError
		switch {
		case r == '[':
			r = openBracket
		case r == ']':
			r = closeBracket
		case r == ':' && strings.HasPrefix(s[i+1:], "//"):
			slashes = 2
		case r == '/' && slashes > 0:
			r = slash
			slashes--
		case r == '.' && endsWithFold(b.String(), "www"):
			r = dot
		case r == '>' && prev == '>':
			b.WriteByte(' ')
		case control(r):
			r = ' '
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// needsPlain reports whether Plain changes s.
func needsPlain(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for i, r := range s {
		switch {
		case r == '[' || r == ']' || control(r):
			return true
		case r == '>' && strings.HasPrefix(s[i+1:], ">"),
			r == ':' && strings.HasPrefix(s[i+1:], "//"),
			r == '.' && endsWithFold(s[:i], "www"):
			return true
		}
	}
	return false
}

// control reports whether r is a control character, breaks a line or
// turns the direction of the text around (which could make it read as
// something else).
func control(r rune) bool {
	return r < ' ' || r >= 0x7f && r < 0xa0 || r == '\u2028' || r == '\u2029' ||
		r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// endsWithFold reports whether s ends with suffix, ignoring ASCII case.
func endsWithFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
