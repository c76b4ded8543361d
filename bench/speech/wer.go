package main

import (
	"strings"
	"unicode"
)

// words returns s as the words word error rate compares: lower case (Turkish
// casing for tr), ё read as е, apostrophes dropped inside a word (d'une →
// dune, зв'язатися → звязатися), every other punctuation mark a space.
func words(lang, s string) []string {
	if lang == "tr" {
		s = strings.ToLowerSpecial(unicode.TurkishCase, s)
	} else {
		s = strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 'ё':
			b.WriteRune('е')
		case r == '\'' || r == '’' || r == 'ʼ' || r == '`' || r == '‘':
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	return strings.Fields(b.String())
}

// edits returns the word-level edit distance between the reference and
// the hypothesis: the substitutions, deletions and insertions that turn
// one into the other.
func edits(ref, hyp []string) int {
	prev := make([]int, len(hyp)+1)
	cur := make([]int, len(hyp)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ref); i++ {
		cur[0] = i
		for j := 1; j <= len(hyp); j++ {
			sub := prev[j-1]
			if ref[i-1] != hyp[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(hyp)]
}

// tally sums a word error rate over several texts.
type tally struct{ edits, words int }

func (t *tally) add(lang, ref, hyp string) {
	r := words(lang, ref)
	t.edits += edits(r, words(lang, hyp))
	t.words += len(r)
}

// rate is edits per reference word, 0 when there were none.
func (t tally) rate() float64 {
	if t.words == 0 {
		return 0
	}
	return float64(t.edits) / float64(t.words)
}
