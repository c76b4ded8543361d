package web

import (
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/words"
)

// sayNote says a history entry's note on the page in lang, its times in
// loc: from its code and arguments (words.PageNote), in English where the
// page has no words of its own; an entry stored before codes were kept
// by its stored English.
func sayNote(lang string, loc *time.Location, h callbackline.HistoryEntry) string {
	if h.Said.Code == "" {
		return h.Note
	}
	return h.Said.Render(noteSayer(lang, loc))
}

// noteSayer says note codes in lang: a moment in loc as the page shows
// times, a stored reason by its code's sentence (words.PageReason), the
// rest from the catalogue.
func noteSayer(lang string, loc *time.Location) func(code string, args []string) (string, bool) {
	return func(code string, args []string) (string, bool) {
		switch code {
		case callbackline.NoteTime:
			t, err := time.Parse(time.RFC3339, args[0])
			if err != nil {
				return "", false
			}
			return t.In(loc).Format("2006-01-02 15:04"), true
		case callbackline.NoteReason:
			return words.PageReason(lang, args[0]), true
		}
		return words.PageNote(lang, code, args)
	}
}

// sayReason says a callback's reason on the page in lang: with its
// details in lang too when the history kept them as a note (the note the
// callback was given up with), else as words.PageReason says it (the
// code's sentence, the details as recorded).
func sayReason(lang string, loc *time.Location, reason string, hist []callbackline.HistoryEntry) string {
	if words.PageLang(lang) == "en" || reason == "" {
		return words.PageReason(lang, reason)
	}
	code, details, _ := strings.Cut(reason, ":")
	details = strings.TrimSpace(details)
	for i := len(hist) - 1; i >= 0; i-- {
		if n := findNote(hist[i].Said, reason); n != nil {
			return n.Render(noteSayer(lang, loc))
		}
		if n := findNote(hist[i].Said, details); details != "" && n != nil {
			return words.PageReason(lang, code) + " (" + n.Render(noteSayer(lang, loc)) + ")"
		}
	}
	return words.PageReason(lang, reason)
}

// findNote finds, among n's arguments at any depth, the note whose
// English is english.
func findNote(n callbackline.Note, english string) *callbackline.Note {
	for _, a := range n.Args {
		if a.Note == nil {
			continue
		}
		if a.Note.Code != "" && a.Note.English() == english {
			return a.Note
		}
		if f := findNote(*a.Note, english); f != nil {
			return f
		}
	}
	return nil
}
