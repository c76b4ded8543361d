package callback_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/words"
)

// TestRecordOff: a line with record: false connects the call as usual, but
// no recording is written nor attached to the Bitrix24 call.
func TestRecordOff(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick(), NoRecord: true}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.request(clientRaw, "LEAD", 5785)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %+v", cb)
	}
	calls := e.checkCRM()
	if len(calls) != 1 || calls[0].StatusCode != "200" || calls[0].Duration < 1 {
		t.Fatalf("CRM calls %+v", calls)
	}
	if len(calls[0].Records) != 0 || len(e.portal.RESTCalls("telephony.externalcall.attachrecord")) != 0 {
		t.Errorf("a recording was attached: %+v", calls[0].Records)
	}
	files, _ := filepath.Glob(filepath.Join(e.dir, "rec", "*"))
	if len(files) != 0 {
		t.Errorf("recordings written: %v", files)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "rec")); err != nil {
		t.Fatalf("the recordings folder is missing, so the check above proves nothing: %v", err)
	}
}

// noticeSpeaker speaks every script as 2.5 s of speech-like sound and
// keeps what it was asked.
type noticeSpeaker struct {
	path string
	mu   sync.Mutex
	asks []speech.Script
}

func (s *noticeSpeaker) Announce(_ context.Context, sc speech.Script) (speech.Announcement, error) {
	s.mu.Lock()
	s.asks = append(s.asks, sc)
	s.mu.Unlock()
	return speech.Announcement{Path: s.path, Speech: true}, nil
}

// TestRecordNotice: on a line with record_notice the client hears, when
// they answer, the notice in the portal's language (German here) before
// the employee; without it, the employee at once.
func TestRecordNotice(t *testing.T) {
	sp := &noticeSpeaker{}
	p := quick()
	p.Announce = false
	e := newEnv(t, callbackline.Line{Policy: p, RecordNotice: true}, sp)
	sp.path = filepath.Join(e.dir, "notice.wav")
	if err := siptest.WriteSpeechLike(sp.path, 8000, 2.5); err != nil {
		t.Fatal(err)
	}
	e.worker = e.workerWith(func(c *callback.Config) { c.Phrases = callback.PortalPhrases })
	cliRec := filepath.Join(e.dir, "client-heard.wav")
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond, ToneHz: 600, HangupAfter: 7 * time.Second})
	e.phones.Set(clientE164, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond, ToneHz: 1000, Record: cliRec})
	id := e.request(clientRaw, "LEAD", 5785)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %+v\n%s", cb, e.notes(id))
	}
	sp.mu.Lock()
	asks := append([]speech.Script(nil), sp.asks...)
	sp.mu.Unlock()
	if len(asks) != 1 || asks[0].Text != words.Recorded("de") {
		t.Fatalf("speech asked %+v, want the German notice %q", asks, words.Recorded("de"))
	}
	a, err := siptest.ReadWAV(cliRec)
	if err != nil {
		t.Fatal(err)
	}
	ws := a.Analyse(0, 0.1, 600, 1000)
	if s := siptest.Share(ws, 0.3, 2.0, "sound"); s < 0.5 || siptest.Share(ws, 0.3, 2.0, "tone:600") > 0.1 {
		t.Errorf("the client's first 2 s are %.0f%% sound, not the notice: %s", 100*s, siptest.Summary(ws))
	}
	if s := siptest.Share(ws, 3.2, 5.0, "tone:600"); s < 0.3 {
		t.Errorf("the client did not hear the employee after the notice (%.0f%%): %s", 100*s, siptest.Summary(ws))
	}
}
