package callback_test

import (
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// A visitor's TEXT reaches the responsible's notification, the timeline
// comment and the to-do with its BB-code and links neutralised: nothing
// in it can become a link, a mention or an image in the portal. A
// genuine request's text arrives as it was written.
func TestVisitorTextEscaped(t *testing.T) {
	const hostile = "[url=https://evil.example]click[/url] [USER=1]boss[/USER]"
	for _, tc := range []struct {
		name, text, want string
	}{
		{"hostile", hostile, "„［url=https:／／evil.example］click［/url］ ［USER=1］boss［/USER］“"},
		{"genuine", "Bitte zurückrufen wegen Angebot 4711, ab 10:30 Uhr (Frau Müller)",
			"„Bitte zurückrufen wegen Angebot 4711, ab 10:30 Uhr (Frau Müller)“"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := quick()
			p.Todo = true
			e := newEnv(t, callbackline.Line{Employees: []int64{annaID}, Policy: p}, nil)
			id := e.requestText(clientRaw, tc.text, "LEAD", 5785)
			e.clock.Advance(25 * time.Hour) // stale: given up and told without a call
			e.run(id)
			if cb := e.callback(id); cb.State != callbackline.StateFailed {
				t.Fatalf("callback %+v", cb)
			}
			var texts []string
			for _, n := range e.portal.Notifications() {
				texts = append(texts, n.Message)
			}
			for _, c := range e.portal.Comments() {
				texts = append(texts, c.Comment)
			}
			for _, td := range e.portal.Todos() {
				texts = append(texts, td.Title, td.Description)
			}
			if len(texts) != 4 {
				t.Fatalf("want a notification, a comment and a to-do; the portal has %q", texts)
			}
			for i, s := range texts {
				if i != 2 && !strings.Contains(s, tc.want) { // texts[2] is the to-do's title
					t.Errorf("text %d does not hold %s: %s", i, tc.want, s)
				}
				for _, bad := range []string{"[", "]", "://"} {
					if strings.Contains(s, bad) {
						t.Errorf("text %d holds %q: %s", i, bad, s)
					}
				}
			}
		})
	}
}
