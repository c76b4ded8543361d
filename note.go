package callbackline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Note is what a history entry says, kept so that it can be said in any
// language: a stable code naming the sentence (NoteRouting, …) and its
// arguments. Code "" is a free text (Plain), said as written. English is
// the sentence stored with the entry for the API and older readers.
type Note struct {
	Code string `json:"code"`
	Args []Arg  `json:"args,omitempty"`
}

// Arg is one argument of a Note: a text said as it is (a number, an id, a
// name, a detail from outside) or a Note of its own, said in the same
// language (a reason, "the employee", a time).
type Arg struct {
	Text string
	Note *Note
}

// MarshalJSON writes a text as a JSON string, a note as an object.
func (a Arg) MarshalJSON() ([]byte, error) {
	if a.Note != nil {
		return json.Marshal(a.Note)
	}
	return json.Marshal(a.Text)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (a *Arg) UnmarshalJSON(b []byte) error {
	*a = Arg{}
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '{' {
		a.Note = new(Note)
		return json.Unmarshal(b, a.Note)
	}
	return json.Unmarshal(b, &a.Text)
}

// NewNote is the note code with args: a string is a text, an int or int64
// its decimal digits, a time.Duration as Go writes it, a time.Time a
// NoteTime, a Note itself.
func NewNote(code string, args ...any) Note {
	n := Note{Code: code}
	for _, v := range args {
		n.Args = append(n.Args, arg(v))
	}
	return n
}

func arg(v any) Arg {
	switch v := v.(type) {
	case string:
		return Arg{Text: v}
	case int:
		return Arg{Text: strconv.Itoa(v)}
	case int64:
		return Arg{Text: strconv.FormatInt(v, 10)}
	case time.Duration:
		return Arg{Text: v.String()}
	case time.Time:
		n := NoteAt(v, "")
		return Arg{Note: &n}
	case Note:
		return Arg{Note: &v}
	case *Note:
		return Arg{Note: v}
	}
	return Arg{Text: fmt.Sprint(v)}
}

// NoteAt is the moment t (NoteTime), said in English as english, or in
// RFC 3339 (UTC) when english is "".
func NoteAt(t time.Time, english string) Note {
	n := Note{Code: NoteTime, Args: []Arg{{Text: t.UTC().Format(time.RFC3339)}}}
	if english != "" {
		n.Args = append(n.Args, Arg{Text: english})
	}
	return n
}

// Plain is a free text note, said as written in every language.
func Plain(s string) Note { return Note{Args: []Arg{{Text: s}}} }

// NoteList is a list of notes or texts said one after the other,
// separated by commas.
func NoteList[T any](items []T) Note {
	n := Note{Code: NoteListCode}
	for _, v := range items {
		n.Args = append(n.Args, arg(v))
	}
	return n
}

// NoteParts is a list of notes or texts said one after the other,
// separated by semicolons.
func NoteParts[T any](items []T) Note {
	n := NoteList(items)
	n.Code = NotePartsCode
	return n
}

// Codes that Render says itself.
const (
	// NoteTime is a moment (NoteAt): its first argument in RFC 3339
	// (UTC), the second, if any, its English; said in English as
	// stored, on the page in its time zone.
	NoteTime = "time"
	// NoteListCode is NoteList's code.
	NoteListCode = "list"
	// NotePartsCode is NoteParts' code.
	NotePartsCode = "parts"
	// NoteReason is a callback's Reason as stored ("<code>: <details>"),
	// its one argument: the page says its code in its language.
	NoteReason = "reason"
)

// English is the note's sentence in English, as the history has always
// stored it.
func (n Note) English() string { return n.Render(nil) }

// String is English.
func (n Note) String() string { return n.English() }

// Render says the note: say gets each code with its arguments already
// said and returns the sentence, or false for the English one. Free
// texts and lists are said here; a nil say says English.
func (n Note) Render(say func(code string, args []string) (string, bool)) string {
	args := make([]string, len(n.Args))
	for i, a := range n.Args {
		if a.Note != nil {
			args[i] = a.Note.Render(say)
		} else {
			args[i] = a.Text
		}
	}
	switch n.Code {
	case "":
		return strings.Join(args, " ")
	case NoteListCode:
		return strings.Join(args, ", ")
	case NotePartsCode:
		return strings.Join(args, "; ")
	}
	if say != nil {
		if s, ok := say(n.Code, args); ok {
			return s
		}
	}
	if n.Code == NoteTime && len(args) > 0 {
		return args[len(args)-1]
	}
	f, ok := noteEnglish[n.Code]
	if !ok {
		return n.Code + ": " + strings.Join(args, ", ")
	}
	return Sprintf(f, args)
}

// Sprintf fills format's verbs with args (strings), reporting none
// missing or extra as fmt would: what a translated note's format is
// given.
func Sprintf(format string, args []string) string {
	vs := make([]any, len(args))
	for i, a := range args {
		vs[i] = a
	}
	return fmt.Sprintf(format, vs...)
}

// Valid reports whether the note's code (and every nested one) is known.
func (n Note) Valid() bool {
	if _, ok := noteEnglish[n.Code]; !ok && n.Code != "" && n.Code != NoteListCode && n.Code != NotePartsCode {
		return false
	}
	for _, a := range n.Args {
		if a.Note != nil && !a.Note.Valid() {
			return false
		}
	}
	return true
}

// NoteCodes are the codes of the sentences a translation must say: every
// code but those Render says itself (free text, lists) and NoteTime and
// NoteReason, which are said by the page's own means.
func NoteCodes() []string {
	var out []string
	for c := range noteEnglish {
		if c != NoteTime && c != NoteReason {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// NoteEnglish is the English format of code's sentence ("" when unknown):
// one verb per argument, in order.
func NoteEnglish(code string) string { return noteEnglish[code] }
