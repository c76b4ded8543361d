package callbackline_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// A note says in English what the history always said, and comes back
// from JSON as it was, nested notes and all.
func TestNoteEnglishAndJSON(t *testing.T) {
	at := time.Date(2026, 3, 4, 10, 30, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		n    callbackline.Note
		want string
	}{
		{callbackline.NewNote("scheduled", callbackline.NewNote("client_again", "486"), at),
			"the client did not answer (status 486); calling again later (2026-03-04T09:30:00Z)"},
		{callbackline.NewNote("registered", "c-1", callbackline.NoteList([]callbackline.Note{
			callbackline.NewNote("employee", "Max", "101"), callbackline.NewNote("extension", "102")})),
			"call card registered (c-1); ringing Max (extension 101), extension 102"},
		{callbackline.NewNote("failed_told", callbackline.NewNote("reason_stale", 2*time.Hour), int64(7)),
			"failed: stale: the request is older than 2h0m0s and was not called (user 7 told)"},
		{callbackline.NewNote("closed", callbackline.NewNote("called_in", callbackline.NoteAt(at, "2026-03-04 10:30 CET"), "c-9")),
			"closed: the client called in at 2026-03-04 10:30 CET and was answered (Bitrix24 call c-9)"},
		{callbackline.Plain("as written"), "as written"},
	} {
		if got := tc.n.English(); got != tc.want {
			t.Errorf("English() = %q, want %q", got, tc.want)
		}
		if !tc.n.Valid() {
			t.Errorf("%q: not valid", tc.want)
		}
		b, err := json.Marshal(tc.n)
		if err != nil {
			t.Fatal(err)
		}
		var back callbackline.Note
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, tc.n) {
			t.Errorf("%s came back as %+v (%v)", b, back, err)
		}
	}
	if callbackline.NewNote("no_such_code").Valid() {
		t.Error("an unknown code is valid")
	}
}

// Every code's English is a format its arguments fill: no verb is left
// unfilled with as many arguments as it has verbs.
func TestNoteFormats(t *testing.T) {
	for _, code := range callbackline.NoteCodes() {
		f := callbackline.NoteEnglish(code)
		n := strings.Count(f, "%") - 2*strings.Count(f, "%%")
		args := make([]any, n)
		for i := range args {
			args[i] = "x"
		}
		if s := callbackline.NewNote(code, args...).English(); strings.Contains(s, "%!") {
			t.Errorf("%s: %q", code, s)
		}
	}
}
