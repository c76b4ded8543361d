package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/store/sqlite"
)

// TestHostileUninstall, through the built binary: an employee who knows
// the application token posts ONAPPUNINSTALL with CLEAN=1 while the
// application is installed. It is answered at once ("checking"); the
// portal's app.info says installed, so nothing is deleted (callbacks,
// recording, cached speech) and the next callback rings. Then the
// administrator really uninstalls with CLEAN=1: the portal's data, its
// recordings and the speech made of its requests are gone.
func TestHostileUninstall(t *testing.T) {
	if _, err := os.Stat("/usr/bin/espeak-ng"); err != nil {
		t.Skip("espeak-ng not found: install the Debian package espeak-ng")
	}
	bin := buildBinary(t)
	r := newCallRig(t, bin, "espeak")
	const second = "+494957654321"
	talk := siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 1000, HangupAfter: 1500 * time.Millisecond}
	r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond})
	r.phones.Set(crashClient, talk)
	r.phones.Set(second, talk)
	svc := r.start()
	r.installAndSubmit()
	r.waitFinal(2 * time.Minute)
	recDir, speechDir := filepath.Join(r.dir, "recordings"), filepath.Join(r.dir, "speech")
	if err := within(time.Minute, func() bool { return len(files(t, recDir)) == 1 }); err != nil {
		t.Fatalf("recordings: %v", files(t, recDir))
	}
	spoken := files(t, speechDir)
	if len(spoken) == 0 {
		t.Fatal("no speech was cached")
	}

	// Forged, with a valid application token.
	ctx := context.Background()
	res, err := r.portal.SendUninstall(ctx, "http://"+r.addr+"/bitrix24/events", true)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"checking"`) {
		t.Fatalf("forged uninstall: %d %s", res.StatusCode, body)
	}
	if err := within(2*time.Minute, func() bool { return logHas(t, r.log.Name(), "ONAPPUNINSTALL refused") }); err != nil {
		t.Fatal("the forged uninstall was never checked")
	}
	if n := len(r.portal.RESTCalls("app.info")); n != 1 {
		t.Errorf("app.info asked %d times, want 1", n)
	}
	if got := files(t, recDir); len(got) != 1 {
		t.Errorf("after the forged uninstall the recordings are %v", got)
	}
	if got := files(t, speechDir); len(got) < len(spoken) {
		t.Errorf("after the forged uninstall the speech cache holds %v, had %v", got, spoken)
	}
	// The portal keeps being served: the next callback rings.
	before, _ := r.callsTo(crashExt)
	if err := r.portal.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: "+49 495 7654321",
		Text: "A second request, after the forged uninstall.", CRMEntityType: "LEAD", CRMEntityID: "5785"}); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool { n, _ := r.callsTo(second); return n == 1 }); err != nil {
		t.Fatal("the callback after the forged uninstall did not ring")
	}
	if n, _ := r.callsTo(crashExt); n <= before {
		t.Errorf("the employee was not rung for the second callback")
	}
	r.waitFinal(2 * time.Minute)

	// Genuine: the portal revokes the application's access, then posts
	// ONAPPUNINSTALL with CLEAN=1.
	if err := r.portal.Uninstall(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool { return logHas(t, r.log.Name(), "its data deleted") }); err != nil {
		t.Fatal("the genuine uninstall was never completed")
	}
	svc.stop(t)
	st, err := sqlite.Open(ctx, "sqlite:"+r.dir+"/callbackline.db", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Portal(ctx, r.portal.MemberID()); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Errorf("the portal is still stored: %v", err)
	}
	if list, err := st.Callbacks(ctx, callbackline.CallbackFilter{}); err != nil || len(list) != 0 {
		t.Errorf("callbacks left: %d %v", len(list), err)
	}
	if got := files(t, recDir); len(got) != 0 {
		t.Errorf("recordings left: %v", got)
	}
	for _, f := range files(t, speechDir) {
		if f != "beep.wav" {
			t.Errorf("cached speech left: %s", f)
		}
	}
}

// files lists the .wav files in dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if strings.HasSuffix(e.Name(), ".wav") {
			out = append(out, e.Name())
		}
	}
	return out
}

// logHas reports whether the service's log holds s.
func logHas(t *testing.T, path, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(b), s)
}

// readBody reads and closes an answer's body.
func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
