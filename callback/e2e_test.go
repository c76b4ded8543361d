package callback_test

import (
	"context"
	"github.com/callbackline/callbackline/speech/speechtest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/speech"
)

// TestRealPhones runs a whole callback between two baresip phones: the
// CRM responsible's phone rings, the employee hears the request spoken by
// espeak-ng, then the client's tone; the client hears the employee; the
// call is registered, finished once and its recording attached.
func TestRealPhones(t *testing.T) {
	eng := speechtest.Espeak()
	if err := speech.Check(context.Background(), eng); err != nil {
		t.Skipf("speech: %v (install the Debian package espeak-ng)", err)
	}
	emp := siptest.StartBaresip(t, siptest.BaresipOptions{User: maxExt, ToneHz: 440})
	cli := siptest.StartBaresip(t, siptest.BaresipOptions{User: clientE164, ToneHz: 1000})
	p := quick()
	p.Announce = true
	p.EmployeeRingTimeout, p.ClientRingTimeout = 10*time.Second, 10*time.Second
	const talk = 3 * time.Second
	p.MaxCallLength = talk
	cache := &speech.Cache{Engine: eng, Dir: t.TempDir()}
	e := newEnv(t, callbackline.Line{Policy: p}, cache,
		sip.Trunk{Name: "pbx", Employee: "sip:{extension}@" + emp.HostPort(), Client: "sip:{number}@" + cli.HostPort()})

	id := e.request(clientRaw, "LEAD", 5785)
	if after := e.run(id); after != 0 {
		t.Fatalf("scheduled again in %s", after)
	}
	cb := e.callback(id)
	if cb.State != callbackline.StateDone {
		t.Fatalf("callback %s: %s", cb.State, cb.Reason)
	}
	calls := e.checkCRM()
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	c := calls[0]
	if c.Type != 4 || c.UserID != maxID || c.CRMEntityType != "LEAD" || c.CRMEntityID != 5785 || c.LineNumber != lineNumber ||
		!strings.HasPrefix(c.ExternalCallID, "callbackline-") || c.StatusCode != "200" || c.Duration < 2 {
		t.Errorf("CRM call %+v", c)
	}
	if len(c.Records) != 1 || !strings.HasSuffix(c.Records[0].FileName, ".wav") {
		t.Fatalf("records %+v", c.Records)
	}
	// The attached recording is the stereo call: employee left, client right.
	rec := filepath.Join(t.TempDir(), "attached.wav")
	if err := os.WriteFile(rec, c.Records[0].Content, 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := siptest.ReadWAV(rec)
	if err != nil {
		t.Fatal(err)
	}
	// Each side its own tone in a third of the windows at least and
	// never the other's: the recorder places audio by when it is read, and
	// on a busy machine late reads leave short silences (as the sip tests
	// judge it).
	l, r := a.Analyse(0, 0.1, 440, 1000), a.Analyse(1, 0.1, 440, 1000)
	if s, o := siptest.Share(l, 0.3, talk.Seconds()-0.3, "tone:440"), siptest.Share(l, 0.3, talk.Seconds()-0.3, "tone:1000"); s < 1.0/3 || o > 0 {
		t.Errorf("recording left: employee tone only %.0f%%, client tone %.0f%% (%s)", 100*s, 100*o, siptest.Summary(l))
	}
	if s, o := siptest.Share(r, 0.3, talk.Seconds()-0.3, "tone:1000"), siptest.Share(r, 0.3, talk.Seconds()-0.3, "tone:440"); s < 1.0/3 || o > 0 {
		t.Errorf("recording right: client tone only %.0f%%, employee tone %.0f%% (%s)", 100*s, 100*o, siptest.Summary(r))
	}

	// What the employee heard: the spoken request first, then the client.
	emp.Stop()
	cli.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // only against a hang
	defer cancel()
	empRec, err := emp.Recording(ctx)
	if err != nil {
		t.Fatal(err)
	}
	heard, err := siptest.ReadWAV(empRec)
	if err != nil {
		t.Fatal(err)
	}
	w := heard.Analyse(0, 0.1, 440, 1000)
	ann, err := cache.Announce(context.Background(), speech.Script{Text: cb.Text, Voice: cb.Voice})
	if err != nil || !ann.Speech {
		t.Fatalf("announcement %+v %v", ann, err)
	}
	annAudio, err := siptest.ReadWAV(ann.Path)
	if err != nil {
		t.Fatal(err)
	}
	annLen := annAudio.Duration()
	if s := siptest.Share(w, 0.3, annLen-0.3, "sound"); s < 0.5 {
		t.Errorf("the employee heard too little of the request (%.0f%%): %s", 100*s, siptest.Summary(w))
	}
	if s := siptest.Share(w, annLen+1, annLen+talk.Seconds()-0.3, "tone:1000"); s < 1.0/3 {
		t.Errorf("the employee did not hear the client after the request (%.0f%%): %s", 100*s, siptest.Summary(w))
	}
}
