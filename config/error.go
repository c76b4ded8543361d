package config

import "strings"

// Error is one problem with one key. Source says where the value came
// from ("callbackline.yaml:12", "CALLBACKLINE_LISTEN"), "" for a default
// or a value set in code.
type Error struct {
	Key     string
	Problem string // in English, naming what to do
	Source  string
	// Code is the kind of problem, with its values in Args, for a reader
	// that says it in another language; "" for one said in English only.
	Code Code
	Args []string
}

// Error reads like
// `config: intake.dedup_window: "abc" is not a duration (e.g. 10m) (from CALLBACKLINE_INTAKE_DEDUP_WINDOW)`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	switch {
	case e.Source == "":
	case strings.HasPrefix(e.Source, envPrefix):
		b.WriteString(" (from " + e.Source + ")")
	default:
		b.WriteString(" (at " + e.Source + ")")
	}
	return b.String()
}
