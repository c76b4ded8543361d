package web

import (
	"errors"
	"strings"

	"github.com/callbackline/callbackline/words"
)

// coded is an error the page can say in its language: the kind of
// problem and its values (config.Error), as words.PageProblem takes them.
type coded interface {
	error
	Coded() (code string, args []string)
}

// placed is an error about one key, set at a place ("settings:4"), as
// config.Error is.
type placed interface {
	Place() (key, source string)
}

// isPlaced reports whether err is about one key (placed).
func isPlaced(err error) bool {
	_, ok := err.(placed)
	return ok
}

// problemIn is the problem of err, whose English sentence is problem, in
// the page's language lang: in English the sentence itself, which says
// the most; else its code's words when the language has them, the
// English sentence when not.
func problemIn(lang string, err error, problem string) string {
	if words.PageLang(lang) == "en" {
		return problem
	}
	if c, ok := errors.AsType[coded](err); ok {
		code, args := c.Coded()
		if s, ok := words.PageProblem(lang, code, args); ok {
			return s
		}
	}
	return problem
}

// errorLinesIn is each problem of a (joined) error on its own line in
// the page's language lang (the YAML view's list): in English as
// errorLines says them; else the key at fault, its problem in lang and
// its line in the text.
func errorLinesIn(lang string, err error) []string {
	if words.PageLang(lang) == "en" {
		return errorLines(err)
	}
	var out []string
	for _, e := range leafErrors(err) {
		c, isCoded := e.(coded)
		p, isPlaced := e.(placed)
		if !isCoded || !isPlaced {
			out = append(out, e.Error())
			continue
		}
		code, args := c.Coded()
		said, ok := words.PageProblem(lang, code, args)
		if !ok {
			out = append(out, e.Error())
			continue
		}
		key, src := p.Place()
		s := said
		if key != "" {
			s = key + ": " + said
		}
		if _, line, ok := strings.Cut(src, ":"); ok && line != "" {
			s += " (" + words.Page(lang, "line %s of the text", line) + ")"
		}
		out = append(out, s)
	}
	return out
}

// problemsIn are the problems of err, an *callbackline.Error whose cause
// joins each problem (phone.ParseBlocked, the countries' check), each
// in the page's language lang.
func problemsIn(lang string, err error) []string {
	var out []string
	for _, e := range leafErrors(errors.Unwrap(err)) {
		out = append(out, problemIn(lang, e, e.Error()))
	}
	return out
}
