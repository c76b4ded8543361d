package speech

import (
	"strings"
	"unicode"
)

// DefaultMaxText is the longest text, in characters, an engine speaks
// unless configured otherwise: about a minute of speech.
const DefaultMaxText = 1000

// Clean prepares outside text for an engine: control characters become
// spaces, runs of white space collapse to one, espeak-ng's phoneme
// brackets "[[" and "]]" are broken up, and text longer than max
// characters (max <= 0: DefaultMaxText) is cut at a word boundary.
func Clean(text string, max int) string {
	if max <= 0 {
		max = DefaultMaxText
	}
	text = strings.ToValidUTF8(text, " ")
	var b strings.Builder
	space := true // at the start or after a space: drop white space
	n := 0
	cut := false
	for _, r := range text {
		blank := unicode.IsSpace(r) || unicode.IsControl(r) || r == '\uFEFF'
		if blank && space {
			continue
		}
		if n == max {
			cut = true
			break
		}
		if blank {
			r = ' '
		}
		b.WriteRune(r)
		space = blank
		n++
	}
	s := b.String()
	if cut && !space {
		if i := strings.LastIndexByte(s, ' '); i > len(s)/2 {
			s = s[:i]
		}
	}
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "[[", "[ [")
	return strings.ReplaceAll(s, "]]", "] ]")
}
