package callback_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/speech"
)

// scripts is a Speaker that keeps the scripts it is asked for; its
// announcement is the beeps.
type scripts struct {
	mu   sync.Mutex
	list []speech.Script
}

func (s *scripts) Announce(_ context.Context, sc speech.Script) (speech.Announcement, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, sc)
	return speech.Announcement{}, nil
}

func (s *scripts) last(t *testing.T) speech.Script {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.list) == 0 {
		t.Fatal("no announcement was asked for")
	}
	return s.list[len(s.list)-1]
}

// requestVoice stores a queued callback request with the form's TEXT and
// VOICE as given.
func (e *env) requestVoice(text, voice string, entityID int64) int64 {
	e.t.Helper()
	now := e.clock.Now()
	res, err := e.store.Intake(context.Background(), callbackline.IntakeRequest{Callback: &callbackline.Callback{
		MemberID: e.member.MemberID, Kind: callbackline.KindCallback, Phone: clientE164, PhoneRaw: clientRaw,
		Text: text, Voice: voice, CRMEntityType: "LEAD", CRMEntityID: entityID,
		LineNumber: lineNumber, State: callbackline.StateReceived, EventAt: now, CreatedAt: now, UpdatedAt: now,
	}})
	if err != nil || !res.Queued {
		e.t.Fatalf("intake: %+v %v", res, err)
	}
	return res.Callback.ID
}

// TestAnnouncementScript: the worker asks for the request's text in its
// voice; a request without a voice gets the line's policy.voice, one
// without a text the phrase for it; the text is said policy.announce_repeat
// times, and a line that requires acceptance ends with the accept prompt,
// in the portal's language when Phrases gives one (English otherwise).
func TestAnnouncementScript(t *testing.T) {
	p := quick()
	p.Announce, p.AnnounceRepeat, p.Voice, p.RequireAccept = true, 2, "ruinternalfemale", true
	sp := &scripts{}
	e := newEnv(t, callbackline.Line{Policy: p, Employees: []int64{maxID}}, sp) // requests of unknown entities ring the line's employee
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, HangupAfter: 300 * time.Millisecond})

	e.run(e.requestVoice("Bitte zurückrufen", "eurgermanfemale", 5785))
	if got, want := sp.last(t), (speech.Script{Text: "Bitte zurückrufen", Voice: "eurgermanfemale", Repeat: 2, Prompt: callback.EnglishPhrases.Accept}); got != want {
		t.Errorf("script %+v, want %+v", got, want)
	}

	e.run(e.requestVoice("", "", 9001))
	if got, want := sp.last(t), (speech.Script{Text: callback.EnglishPhrases.NoText, Voice: "ruinternalfemale", Repeat: 2, Prompt: callback.EnglishPhrases.Accept}); got != want {
		t.Errorf("no text, no voice: script %+v, want %+v", got, want)
	}

	var asked string
	e.worker = e.workerWith(func(c *callback.Config) {
		c.Phrases = func(lang string) callback.Phrases {
			asked = lang
			return callback.Phrases{Accept: "Drücken Sie 1."} // NoText left out: English
		}
	})
	e.run(e.requestVoice("", "", 9002))
	if got, want := sp.last(t), (speech.Script{Text: callback.EnglishPhrases.NoText, Voice: "ruinternalfemale", Repeat: 2, Prompt: "Drücken Sie 1."}); got != want || asked != e.member.Language {
		t.Errorf("with the portal's phrases (%q asked, portal %q): script %+v, want %+v", asked, e.member.Language, got, want)
	}
}
