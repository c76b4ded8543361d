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
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/words"
)

// TestRealPhones runs a whole callback between two baresip phones: the
// CRM responsible's phone rings, the employee hears the request spoken by
// espeak-ng, then the client's tone; the client hears the employee; the
// call is registered, finished once and its recording attached.
func TestRealPhones(t *testing.T) {
	const talk = 3 * time.Second
	p := quick()
	p.Announce = true
	rc := realCallback(t, callbackline.Line{Policy: p}, talk, nil)
	e, cache, cb := rc.e, rc.cache, rc.cb
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
	w := rc.heard(t, rc.emp)
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

// realCall is a callback made between two baresip phones: the employee's
// plays 440 Hz, the client's 1000 Hz.
type realCall struct {
	e        *env
	emp, cli *siptest.Baresip
	cache    *speech.Cache
	cb       *callbackline.Callback
}

// realCallback runs one callback on line between two baresip phones, the
// two connected for talk, with espeak-ng speaking; change, when not nil,
// changes the worker's configuration. It fails the test unless the
// callback is done.
func realCallback(t *testing.T, line callbackline.Line, talk time.Duration, change func(*callback.Config)) *realCall {
	t.Helper()
	eng := speechtest.Espeak()
	if err := speech.Check(context.Background(), eng); err != nil {
		t.Skipf("speech: %v (install the Debian package espeak-ng)", err)
	}
	rc := &realCall{
		emp: siptest.StartBaresip(t, siptest.BaresipOptions{User: maxExt, ToneHz: 440}),
		cli: siptest.StartBaresip(t, siptest.BaresipOptions{User: clientE164, ToneHz: 1000}),
	}
	line.Policy.EmployeeRingTimeout, line.Policy.ClientRingTimeout = 10*time.Second, 10*time.Second
	line.Policy.MaxCallLength = talk
	rc.cache = &speech.Cache{Engine: eng, Dir: t.TempDir()}
	rc.e = newEnv(t, line, rc.cache,
		sip.Trunk{Name: "pbx", Employee: "sip:{extension}@" + rc.emp.HostPort(), Client: "sip:{number}@" + rc.cli.HostPort()})
	if change != nil {
		rc.e.worker = rc.e.workerWith(change)
	}
	id := rc.e.request(clientRaw, "LEAD", 5785)
	if after := rc.e.run(id); after != 0 {
		t.Fatalf("scheduled again in %s", after)
	}
	rc.cb = rc.e.callback(id)
	if rc.cb.State != callbackline.StateDone {
		t.Fatalf("callback %s: %s\n%s", rc.cb.State, rc.cb.Reason, rc.e.notes(id))
	}
	return rc
}

// heard stops both phones and returns what ph (one of them) heard,
// analysed in 0.1 s windows for the two phones' tones.
func (rc *realCall) heard(t *testing.T, ph *siptest.Baresip) []siptest.Window {
	t.Helper()
	rc.emp.Stop()
	rc.cli.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // only against a hang
	defer cancel()
	path, err := ph.Recording(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := siptest.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	return a.Analyse(0, 0.1, 440, 1000)
}

// TestRealPhonesNotice: on a line with record_notice the client's real
// phone hears, when it answers, the notice spoken by espeak-ng in the
// portal's language (German) before any of the employee's audio, then
// the employee; the call is still recorded and attached.
func TestRealPhonesNotice(t *testing.T) {
	const talk = 3 * time.Second
	rc := realCallback(t, callbackline.Line{Policy: quick(), RecordNotice: true}, talk,
		func(c *callback.Config) { c.Phrases = callback.PortalPhrases })
	calls := rc.e.checkCRM()
	if len(calls) != 1 || len(calls[0].Records) != 1 {
		t.Fatalf("CRM calls %+v: want one with the recording attached", calls)
	}
	voice := rc.cb.Voice
	if strings.TrimSpace(voice) == "" {
		voice = quick().Voice
	}
	ann, err := rc.cache.Announce(context.Background(), speech.Script{Text: words.Recorded("de"), Voice: voice, Repeat: 1})
	if err != nil || !ann.Speech {
		t.Fatalf("notice %+v %v", ann, err)
	}
	a, err := siptest.ReadWAV(ann.Path)
	if err != nil {
		t.Fatal(err)
	}
	n := a.Duration()
	w := rc.heard(t, rc.cli)
	first := -1.0 // when the employee's tone first reached the client
	for _, x := range w {
		if x.Kind() == "tone:440" {
			first = x.Start
			break
		}
	}
	if first < 0 {
		t.Fatalf("the client never heard the employee: %s", siptest.Summary(w))
	}
	if first < n-0.3 {
		t.Errorf("the employee reached the client at %.1f s, inside the %.1f s notice: %s", first, n, siptest.Summary(w))
	}
	if s := siptest.Share(w, 0.3, n-0.3, "sound"); s < 0.5 {
		t.Errorf("the client heard too little of the notice (%.0f%% speech in 0.3-%.1f s): %s", 100*s, n-0.3, siptest.Summary(w))
	}
	if s := siptest.Share(w, first, first+talk.Seconds()-0.3, "tone:440"); s < 1.0/3 {
		t.Errorf("the client did not hear the employee after the notice (%.0f%%): %s", 100*s, siptest.Summary(w))
	}
}

// TestRealPhonesRecordOff: a line with record: false connects the real
// phones but leaves no recording: no file, nothing attached to the
// Bitrix24 call.
func TestRealPhonesRecordOff(t *testing.T) {
	const talk = 3 * time.Second
	rc := realCallback(t, callbackline.Line{Policy: quick(), NoRecord: true}, talk, nil)
	calls := rc.e.checkCRM()
	if len(calls) != 1 || calls[0].StatusCode != "200" || calls[0].Duration < 2 {
		t.Fatalf("CRM calls %+v", calls)
	}
	if len(calls[0].Records) != 0 || len(rc.e.portal.RESTCalls("telephony.externalcall.attachrecord")) != 0 {
		t.Errorf("%d recordings attached, %d attachRecord calls", len(calls[0].Records), len(rc.e.portal.RESTCalls("telephony.externalcall.attachrecord")))
	}
	dir := filepath.Join(rc.e.dir, "rec")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the recordings folder is missing, so the check for files proves nothing: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 {
		t.Errorf("recordings written: %v", files)
	}
	// The two were really connected: the client heard the employee.
	w := rc.heard(t, rc.cli)
	if s := siptest.Share(w, 0.3, talk.Seconds()-0.3, "tone:440"); s < 1.0/3 {
		t.Errorf("the client heard the employee in only %.0f%% of the call: %s", 100*s, siptest.Summary(w))
	}
}
