package callback_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/speech/speechtest"
	"github.com/callbackline/callbackline/store/sqlite"
	"github.com/callbackline/callbackline/store/sqlstore"
)

// leftovers are what a portal's callback leaves on disk: its recording
// and the cached speech of its text.
type leftovers struct {
	id                  int64
	recording, announce string
}

// exist reports whether both files are there.
func (l leftovers) exist() (rec, spk bool) {
	_, rerr := os.Stat(l.recording)
	_, serr := os.Stat(l.announce)
	return rerr == nil, serr == nil
}

// seed stores a finished callback of the portal with its own text, and
// the files a call of it leaves: the recording (named as the worker names
// it) and the announcement the speech cache made of the text.
func seed(t *testing.T, st callbackline.Store, cache *speech.Cache, recDir, memberID, text string) leftovers {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	res, err := st.Intake(ctx, callbackline.IntakeRequest{Callback: &callbackline.Callback{
		MemberID: memberID, Kind: callbackline.KindCallback, Phone: clientE164, PhoneRaw: clientRaw,
		Text: text, Voice: "eurgermanfemale", State: callbackline.StateRejected, Reason: "test: no job",
		EventAt: now, CreatedAt: now, UpdatedAt: now,
	}})
	if err != nil {
		t.Fatal(err)
	}
	ann, err := cache.Announce(ctx, speech.Script{Text: text, Voice: "eurgermanfemale"})
	if err != nil || !ann.Speech {
		t.Fatalf("announcement: %+v %v", ann, err)
	}
	if !strings.HasPrefix(filepath.Base(ann.Path), cache.AnnouncementKey(text)+"-") {
		t.Fatalf("the announcement %s is not under its AnnouncementKey", ann.Path)
	}
	l := leftovers{id: res.Callback.ID, announce: ann.Path,
		recording: filepath.Join(recDir, memberID+"-"+itoa(res.Callback.ID)+"-1.wav")}
	if err := os.MkdirAll(recDir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(l.recording, []byte("RIFF"), 0o640); err != nil {
		t.Fatal(err)
	}
	return l
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// uninstallEvent is ONAPPUNINSTALL as the portal (or anyone with the
// application token) posts it.
func uninstallEvent(t *testing.T, clean bool) *bitrix24.Event {
	t.Helper()
	c := "0"
	if clean {
		c = "1"
	}
	ev, err := bitrix24.ParseEvent("application/x-www-form-urlencoded",
		[]byte(url.Values{"event": {"ONAPPUNINSTALL"}, "data[CLEAN]": {c}, "data[LANGUAGE_ID]": {"de"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func newSpeechCache(t *testing.T) *speech.Cache {
	t.Helper()
	speechtest.NeedEspeak(t)
	cache, err := speech.NewCache(speechtest.Espeak(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return cache
}

// TestUninstallForgedCleanKeepsEverything: an employee who knows the
// application token posts ONAPPUNINSTALL with CLEAN=1 while the
// application is installed. The event queues a check; the portal's
// app.info says installed: nothing is deleted, the client keeps the
// portal's tokens, and a callback right after still rings.
func TestUninstallForgedCleanKeepsEverything(t *testing.T) {
	cache := newSpeechCache(t)
	e := newEnv(t, callbackline.Line{Employees: []int64{annaID}, Policy: quick()}, cache)
	w := e.workerWith(func(c *callback.Config) { c.SpeechFiles = cache })
	ctx := context.Background()
	mine := seed(t, e.store, cache, e.cfg.RecordDir, e.member.MemberID, "Bitte um Rückruf wegen der Rechnung")

	in := intake.New(intake.Options{Store: e.store, Logger: logger(t)})
	if ans, err := in.Take(ctx, e.member, uninstallEvent(t, true)); err != nil || ans.Status != intake.Checking {
		t.Fatalf("forged uninstall: %+v %v", ans, err)
	}
	j := callbackline.UninstallJob{MemberID: e.member.MemberID, Clean: true}
	if err := w.Uninstall(ctx, j); err != nil {
		t.Fatalf("the check: %v", err)
	}
	if n := len(e.portal.RESTCalls("app.info")); n != 1 {
		t.Fatalf("app.info asked %d times, want 1", n)
	}
	p, err := e.store.Portal(ctx, e.member.MemberID)
	if err != nil || p.Status != callbackline.PortalInstalled {
		t.Fatalf("after a forged uninstall: %+v %v", p, err)
	}
	if _, err := e.store.Callback(ctx, mine.id); err != nil {
		t.Errorf("the portal's callback is gone: %v", err)
	}
	if rec, spk := mine.exist(); !rec || !spk {
		t.Errorf("files deleted: recording kept %v, speech kept %v", rec, spk)
	}
	if _, ok := e.crm.Tokens(e.member.MemberID); !ok {
		t.Error("the client forgot the portal's tokens")
	}

	// The portal keeps being served: the next callback rings.
	e.phones.Set(annaExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.request(clientRaw, "LEAD", 5785)
	if _, err := w.Run(ctx, id); err != nil {
		t.Fatal(err)
	}
	if cb := e.callback(id); cb.State != callbackline.StateDone || len(e.phones.Calls()) == 0 {
		t.Fatalf("the callback after the forged uninstall: %+v, %d calls\n%s", cb, len(e.phones.Calls()), e.notes(id))
	}
}

// TestUninstallUnprovenChangesNothing: after a real uninstallation, every
// answer that proves nothing (503, a timeout, PAYMENT_REQUIRED) leaves
// the portal, its data and files as they were, and says so with an
// error (the queue asks again); the next answer that proves it completes
// the uninstallation.
func TestUninstallUnprovenChangesNothing(t *testing.T) {
	cache := newSpeechCache(t)
	e := newEnv(t, callbackline.Line{Policy: quick()}, cache)
	ctx := context.Background()
	freshTokens(t, e)
	w := e.workerWith(func(c *callback.Config) { c.SpeechFiles = cache })
	e.crm.Timeout = 500 * time.Millisecond
	mine := seed(t, e.store, cache, e.cfg.RecordDir, e.member.MemberID, "Rückruf bitte, es geht um den Vertrag")
	if err := e.portal.Uninstall(ctx, true); err != nil {
		t.Fatal(err)
	}
	j := callbackline.UninstallJob{MemberID: e.member.MemberID, Clean: true}
	for name, f := range map[string]bitrix24test.Fault{
		"503":              {Status: http.StatusServiceUnavailable, Times: 1},
		"timeout":          {Delay: 5 * time.Second, Times: 1},
		"PAYMENT_REQUIRED": {Status: http.StatusPaymentRequired, Code: "PAYMENT_REQUIRED", Times: 1},
		"unknown error":    {Status: http.StatusBadRequest, Code: "SOMETHING_NEW", Times: 1},
	} {
		e.portal.InjectFault("app.info", f)
		if err := w.Uninstall(ctx, j); err == nil {
			t.Errorf("%s: the check reported success", name)
		}
		p, err := e.store.Portal(ctx, e.member.MemberID)
		if err != nil || p.Status != callbackline.PortalInstalled {
			t.Fatalf("%s: the portal changed: %+v %v", name, p, err)
		}
		if rec, spk := mine.exist(); !rec || !spk {
			t.Fatalf("%s: files deleted", name)
		}
	}
	if err := w.Uninstall(ctx, j); err != nil {
		t.Fatalf("the check once the portal answers: %v", err)
	}
	if _, err := e.store.Portal(ctx, e.member.MemberID); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Fatalf("after the confirmed uninstall with CLEAN=1 the portal is still there: %v", err)
	}
	if rec, spk := mine.exist(); rec || spk {
		t.Errorf("files kept: recording %v, speech %v", rec, spk)
	}
}

// TestUninstallReinstallRequiredKept: a portal whose tokens were refused
// before the event (reinstall_required) cannot prove an uninstallation: a
// forged ONAPPUNINSTALL with CLEAN=1 deletes nothing.
func TestUninstallReinstallRequiredKept(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	ctx := context.Background()
	freshTokens(t, e)
	e.portal.RevokeTokens() // the chain broke
	if _, err := e.crm.TimemanStatus(ctx, e.member, 1); !bitrix24.NeedsReinstall(err) {
		t.Fatalf("the broken chain: %v", err)
	}
	p, err := e.store.Portal(ctx, e.member.MemberID)
	if err != nil || p.Status != callbackline.PortalReinstall {
		t.Fatalf("portal %+v %v", p, err)
	}
	id := e.request(clientRaw, "LEAD", 5785)
	j := callbackline.UninstallJob{MemberID: p.MemberID, Clean: true, Refused: true}
	if err := e.worker.Uninstall(ctx, j); err != nil {
		t.Fatal(err)
	}
	if p, err := e.store.Portal(ctx, e.member.MemberID); err != nil || p.Status != callbackline.PortalReinstall {
		t.Fatalf("after a forged uninstall: %+v %v", p, err)
	}
	if _, err := e.store.Callback(ctx, id); err != nil {
		t.Fatalf("the callback is gone: %v", err)
	}
}

// freshTokens stores the portal with an access token issued now (the
// env's clock is fixed), as the proof by refused tokens needs.
func freshTokens(t *testing.T, e *env) {
	t.Helper()
	e.member.ExpiresAt = time.Now().Add(time.Hour)
	if err := e.store.SavePortal(context.Background(), e.member); err != nil {
		t.Fatal(err)
	}
}

// TestUninstallQueueGenuineClean: through the intake and the queue. Two
// portals share the recordings folder and the speech cache. Portal A is
// really uninstalled with CLEAN=1, and its first answers prove nothing
// (503, then a timeout): the queue asks again until the portal proves it,
// then A's data, recordings and cached speech are gone and the client
// forgot it; portal B's are all kept.
func TestUninstallQueueGenuineClean(t *testing.T) {
	cache := newSpeechCache(t)
	ctx := context.Background()
	dir := t.TempDir()
	recDir := filepath.Join(dir, "rec")
	worker := &callback.Worker{}
	workers := river.NewWorkers()
	river.AddWorker(workers, worker)
	river.AddWorker(workers, &callback.UninstallWorker{W: worker})
	st, err := sqlite.Open(ctx, "sqlite:"+filepath.Join(dir, "cb.db"), sqlite.Options{Options: sqlstore.Options{
		Workers: workers, FetchPollInterval: 20 * time.Millisecond, JobTimeout: time.Minute, RescueStuckJobsAfter: 2 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	var sims [2]*bitrix24test.Portal
	var portals [2]*callbackline.Portal
	for i := range sims {
		sims[i] = bitrix24test.New(bitrix24test.Options{})
		t.Cleanup(sims[i].Close)
		sims[i].FinishInstall()
		tok := sims[i].IssueTokens(1)
		portals[i] = &callbackline.Portal{MemberID: sims[i].MemberID(), Domain: sims[i].Host(), ClientEndpoint: sims[i].RESTEndpoint(),
			AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, ExpiresAt: tok.ExpiresAt,
			ApplicationToken: sims[i].ApplicationToken(), UserID: 1, Language: "de", Status: callbackline.PortalInstalled}
		if err := st.SavePortal(ctx, portals[i]); err != nil {
			t.Fatal(err)
		}
	}
	// One OAuth server per simulated portal: a client per portal.
	crm := bitrix24.NewClient(sims[0].OAuth(), st)
	crm.Logger, crm.Timeout = logger(t), 500*time.Millisecond
	if err := worker.Init(callback.Config{Store: st, CRM: crm, Dialer: siptest.NewFakeDialer(), Lines: []callbackline.Line{{Number: lineNumber, Policy: quick()}},
		Speech: cache, SpeechFiles: cache, RecordDir: recDir, UninstallRetry: 20 * time.Millisecond, Logger: logger(t)}); err != nil {
		t.Fatal(err)
	}
	a := seed(t, st, cache, recDir, portals[0].MemberID, "Portal A: bitte zurückrufen")
	b := seed(t, st, cache, recDir, portals[1].MemberID, "Portal B: bitte zurückrufen")
	if err := st.StartQueue(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
		defer cancel()
		st.StopQueue(sctx)
	})

	sims[0].InjectFault("app.info", bitrix24test.Fault{Status: http.StatusServiceUnavailable, Times: 1})
	sims[0].InjectFault("app.info", bitrix24test.Fault{Delay: 5 * time.Second, Times: 1})
	if err := sims[0].Uninstall(ctx, true); err != nil {
		t.Fatal(err)
	}
	in := intake.New(intake.Options{Store: st, Logger: logger(t), UninstallDelay: time.Millisecond})
	if ans, err := in.Take(ctx, portals[0], uninstallEvent(t, true)); err != nil || ans.Status != intake.Checking {
		t.Fatalf("uninstall: %+v %v", ans, err)
	}

	var last error
	if wait.Within(2*time.Minute, 20*time.Millisecond, func() bool { // a hang guard, not a timing assumption
		_, last = st.Portal(ctx, portals[0].MemberID)
		return callbackline.ErrorCode(last) == callbackline.ENOTFOUND
	}) != nil {
		t.Fatalf("portal A was never deleted: %v", last)
	}
	var tries int
	if err := st.DB().QueryRowContext(ctx, `SELECT attempt FROM river_job WHERE kind = 'uninstall'`).Scan(&tries); err != nil || tries != 3 {
		t.Errorf("the check ran %d times (%v), want 3 (503, timeout, then the proof)", tries, err)
	}
	if _, err := st.Callback(ctx, a.id); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Errorf("portal A's callback: %v", err)
	}
	if rec, spk := a.exist(); rec || spk {
		t.Errorf("portal A's files kept: recording %v, speech %v", rec, spk)
	}
	if _, ok := crm.Tokens(portals[0].MemberID); ok {
		t.Error("the client still keeps portal A's tokens")
	}
	if p, err := st.Portal(ctx, portals[1].MemberID); err != nil || p.Status != callbackline.PortalInstalled {
		t.Errorf("portal B: %+v %v", p, err)
	}
	if _, err := st.Callback(ctx, b.id); err != nil {
		t.Errorf("portal B's callback: %v", err)
	}
	if rec, spk := b.exist(); !rec || !spk {
		t.Errorf("portal B's files: recording kept %v, speech kept %v", rec, spk)
	}
}
