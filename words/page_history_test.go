package words_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/words"
)

var noteVerb = regexp.MustCompile(`%(\[\d+\])?[a-z]`)

// TestPageNotesTranslated: every history note code has a Russian and a
// German sentence of its own, with as many arguments as English's, each
// said once; a code added without them fails here.
func TestPageNotesTranslated(t *testing.T) {
	codes := callbackline.NoteCodes()
	if len(codes) < 50 {
		t.Fatalf("only %d note codes: NoteCodes lost some", len(codes))
	}
	for _, lang := range []string{"ru", "de"} {
		for _, code := range codes {
			en := callbackline.NoteEnglish(code)
			n := len(noteVerb.FindAllString(en, -1))
			if !words.HasPageNote(lang, code) {
				t.Errorf("%s: no sentence for the note %q (%q)", lang, code, en)
				continue
			}
			args := make([]string, n)
			for i := range args {
				args[i] = fmt.Sprintf("%d", 1001+i) // numbers: one of them is a count
			}
			s, ok := words.PageNote(lang, code, args)
			if !ok || strings.Contains(s, "%!") || strings.ContainsAny(s, "{|}") || s == "" {
				t.Errorf("%s %q: %q, want every argument said once, no verb left", lang, code, s)
			}
			for _, a := range args {
				if strings.Count(s, a) != 1 {
					t.Errorf("%s %q: %q says %s %d times, want once", lang, code, s, a, strings.Count(s, a))
				}
			}
			if n == 0 && s == en && !slices.Contains([]string{"scheduled"}, code) {
				t.Errorf("%s %q: the English sentence %q, want the language's own", lang, code, s)
			}
		}
	}
	if _, ok := words.PageNote("en", "connected", nil); ok {
		t.Error("English has a sentence of the catalogue; want the note's own English")
	}
}

// TestPageNoteCounts: a count's noun agrees with it.
func TestPageNoteCounts(t *testing.T) {
	for _, tc := range []struct{ lang, n, want string }{
		{"ru", "1", "1 звонок,"}, {"ru", "3", "3 звонка,"}, {"ru", "5", "5 звонков,"}, {"ru", "21", "21 звонок,"},
		{"de", "1", "1 Anruf,"}, {"de", "2", "2 Anrufe,"},
	} {
		s, _ := words.PageNote(tc.lang, "reason_unreachable", []string{tc.n, "486"})
		if !strings.Contains(s, tc.want) {
			t.Errorf("%s %s calls: %q, want %q", tc.lang, tc.n, s, tc.want)
		}
	}
}

// TestPageAuditTranslated: every code of the audit log's summaries has a
// Russian and a German sentence of its own (TestPageNotesTranslated
// checks their arguments), and the words inside a summary are the
// language's: a line's changed settings read in Russian and German.
func TestPageAuditTranslated(t *testing.T) {
	codes := callbackline.AuditCodes()
	if len(codes) < 60 {
		t.Fatalf("only %d audit codes: AuditCodes lost some", len(codes))
	}
	for _, lang := range []string{"ru", "de"} {
		for _, code := range codes {
			if !words.HasPageNote(lang, code) {
				t.Errorf("%s: no sentence for the audit code %q (%q)", lang, code, callbackline.NoteEnglish(code))
			}
		}
	}
	n := callbackline.NoteParts([]callbackline.Note{
		callbackline.NewNote("audit_line_changed", callbackline.NewNote("audit_line", "Sales"), callbackline.NoteList([]callbackline.Note{
			callbackline.NewNote("audit_change", callbackline.NewNote("audit_f_todo"), callbackline.NewNote("audit_off"), callbackline.NewNote("audit_on")),
			callbackline.NewNote("audit_change", callbackline.NewNote("audit_f_hours"),
				callbackline.NewNote("", callbackline.NewNote("audit_days", callbackline.NewNote("audit_day_1"), callbackline.NewNote("audit_day_5")), "09:00-18:00"),
				callbackline.NewNote("audit_always")),
		})),
		callbackline.NewNote("audit_added", callbackline.NoteList([]string{"+49900*"})),
	})
	say := func(lang string) func(string, []string) (string, bool) {
		return func(code string, args []string) (string, bool) { return words.PageNote(lang, code, args) }
	}
	for lang, want := range map[string]string{
		"en": "line Sales: to-do off → on, hours Mon–Fri 09:00-18:00 → always; added +49900*",
		"ru": "линия Sales: дело: выкл. → вкл., рабочее время: Пн–Пт 09:00-18:00 → круглосуточно; добавлено: +49900*",
		"de": "Leitung Sales: To-do: aus → an, Arbeitszeiten: Mo–Fr 09:00-18:00 → immer; hinzugefügt: +49900*",
	} {
		if got := n.Render(say(lang)); got != want {
			t.Errorf("%s:\n got %s\nwant %s", lang, got, want)
		}
	}
}
