package callback_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/speech"
)

// setLanguage stores the portal's language as its installation did
// (LANGUAGE_ID, LANG).
func (e *env) setLanguage(lang string) {
	e.t.Helper()
	e.member.Language = lang
	if err := e.store.SavePortal(context.Background(), e.member); err != nil {
		e.t.Fatal(err)
	}
}

// A Russian portal is told of a callback given up in Russian: the
// notification, the timeline comment and the to-do; the visitor's text is
// still escaped for BB-code. A line's own language wins over the portal's.
func TestToldInPortalLanguage(t *testing.T) {
	const hostile = "[url=https://evil.example]Перезвоните[/url]"
	for _, tc := range []struct {
		name, line string
		want       []string // in the notification and the comment
		title      string
	}{
		{"portal", "", []string{"Заявку на обратный звонок с номера " + clientE164 + " выполнить не удалось: заявка устарела",
			"Текст заявки: «［url=https:／／evil.example］Перезвоните［/url］».", "Пожалуйста, перезвоните клиенту."}, "Перезвонить "},
		{"line", "pl", []string{"Nie udało się zrealizować prośby o oddzwonienie z numeru " + clientE164,
			"Proszę oddzwonić do klienta."}, "Oddzwonić: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := quick()
			p.Todo = true
			e := newEnv(t, callbackline.Line{Employees: []int64{annaID}, Language: tc.line, Policy: p}, nil)
			e.setLanguage("ru")
			id := e.requestText(clientRaw, hostile, "LEAD", 5785)
			e.clock.Advance(25 * time.Hour) // stale: given up and told without a call
			e.run(id)
			ns, cs, ts := e.portal.Notifications(), e.portal.Comments(), e.portal.Todos()
			if len(ns) != 1 || len(cs) != 1 || len(ts) != 1 {
				t.Fatalf("want a notification, a comment and a to-do: %+v %+v %+v", ns, cs, ts)
			}
			for _, s := range []string{ns[0].Message, cs[0].Comment, ts[0].Description} {
				for _, w := range tc.want {
					if !strings.Contains(s, w) {
						t.Errorf("%q lacks %q", s, w)
					}
				}
				if strings.Contains(s, "[") || strings.Contains(s, "://") || strings.Contains(s, "could not be completed") {
					t.Errorf("unescaped or English: %s", s)
				}
			}
			if !strings.HasPrefix(ts[0].Title, tc.title) || strings.Contains(ts[0].Title, clientE164) {
				t.Errorf("to-do title %q, want %q and the number masked", ts[0].Title, tc.title)
			}
		})
	}
}

// heardText is a Speaker that keeps the texts it is asked to speak; the
// employee hears the beep.
type heardText struct {
	mu    sync.Mutex
	texts []string
}

func (h *heardText) Announce(ctx context.Context, sc speech.Script) (speech.Announcement, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.texts = append(h.texts, sc.Text, sc.Prompt)
	return speech.Announcement{}, nil
}

// A form without text is announced in the portal's language, and so is
// the accept prompt (callback.PortalPhrases, as the service configures it).
func TestNoTextAnnouncedInPortalLanguage(t *testing.T) {
	p := quick()
	p.Announce, p.RequireAccept = true, true
	h := &heardText{}
	e := newEnv(t, callbackline.Line{Policy: p}, h)
	e.worker = e.workerWith(func(c *callback.Config) { c.Phrases = callback.PortalPhrases })
	e.setLanguage("ua") // Bitrix24's id of Ukrainian
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.requestText(clientRaw, "", "LEAD", 5785)
	e.run(id)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.texts) < 2 || h.texts[0] != "Заявка на зворотний дзвінок із сайту. З'єдную вас із клієнтом." ||
		h.texts[1] != "Натисніть 1, щоб з'єднатися з клієнтом, або 2, щоб відмовитися." {
		t.Errorf("announced %q, want the Ukrainian words for a form without text and the accept prompt", h.texts)
	}
}
