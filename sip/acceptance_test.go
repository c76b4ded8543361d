package sip_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// announcement makes the announcement WAV: real speech from espeak-ng and
// sox when they are installed, else a non-tonal speech-like noise burst.
// It returns the path and its length in seconds.
func announcement(t *testing.T, dir string) (string, float64) {
	t.Helper()
	out := filepath.Join(dir, "announcement8k.wav")
	if _, err := exec.LookPath("espeak-ng"); err == nil {
		if _, err := exec.LookPath("sox"); err == nil {
			raw := filepath.Join(dir, "raw.wav")
			if err := exec.Command("espeak-ng", "-w", raw, "Hello. You have a callback request from the website. Connecting you now.").Run(); err != nil {
				t.Fatalf("espeak-ng: %v", err)
			}
			if err := exec.Command("sox", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", out).Run(); err != nil {
				t.Fatalf("sox: %v", err)
			}
			a, err := siptest.ReadWAV(out)
			if err != nil {
				t.Fatal(err)
			}
			return out, a.Duration()
		}
	}
	t.Log("espeak-ng or sox missing (Debian packages espeak-ng, sox): using a synthetic speech-like announcement")
	if err := siptest.WriteSpeechLike(out, 8000, 3); err != nil {
		t.Fatal(err)
	}
	return out, 3
}

// heard stops the employee's and the client's baresip phones and
// analyses what each heard and the call's recording rec (left: employee,
// right: client), logging a summary of each.
func heard(ctx context.Context, t *testing.T, emp, cli *siptest.Baresip, rec string) (e, c, l, r []siptest.Window) {
	t.Helper()
	emp.Stop()
	cli.Stop()
	empRec, err := emp.Recording(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cliRec, err := cli.Recording(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e, c = analyse(t, empRec, 0), analyse(t, cliRec, 0)
	l, r = analyse(t, rec, 0), analyse(t, rec, 1)
	t.Logf("employee heard: %s", siptest.Summary(e))
	t.Logf("client heard:   %s", siptest.Summary(c))
	t.Logf("recording L:    %s", siptest.Summary(l))
	t.Logf("recording R:    %s", siptest.Summary(r))
	return e, c, l, r
}

// TestAcceptanceBaresip runs a real callback between two baresip phones:
// the employee sends 440 Hz, the client 1 kHz.
func TestAcceptanceBaresip(t *testing.T) {
	emp := siptest.StartBaresip(t, siptest.BaresipOptions{User: "101", ToneHz: 440})
	cli := siptest.StartBaresip(t, siptest.BaresipOptions{User: clientNumber, ToneHz: 1000})
	dir := t.TempDir()
	ann, annLen := announcement(t, dir)
	d := newDialer(t, sip.Config{
		Trunks: []sip.Trunk{{
			Employee: "sip:{extension}@" + emp.HostPort(),
			Client:   "sip:{number}@" + cli.HostPort(),
			CallerID: sip.CallerID{Number: "+4940999000", Name: "Acme"},
		}},
	})
	const talk = 3 * time.Second
	var ev events
	res := d.Callback(context.Background(), sip.Plan{
		Employees: []string{"101"}, Client: clientNumber, Announcement: ann,
		Recording: filepath.Join(dir, "call.wav"), Progress: ev.add,
		Timeouts: sip.Timeouts{EmployeeRing: 5 * time.Second, ClientRing: 5 * time.Second, MaxCall: talk},
	})
	if res.Outcome != sip.OutcomeConnected || res.StatusCode != "200" || res.Err != nil {
		t.Fatalf("outcome %s status %s err %v", res.Outcome, res.StatusCode, res.Err)
	}
	if res.EndReason != "max_call" || res.HungUp != sip.PartyDialer {
		t.Errorf("ended by %s (%s), want the dialer at max_call", res.HungUp, res.EndReason)
	}
	if got := res.Talk(); got < talk || got > talk+time.Second+slack {
		t.Errorf("talk %s, want %s", got, talk)
	}
	if _, ok := ev.first(sip.EventConnected); !ok {
		t.Errorf("no connected event: %v", ev.types())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	t.Logf("announcement %.1fs", annLen)
	e, c, l, r := heard(ctx, t, emp, cli, res.Recording)
	// The employee hears speech, then (after the short ringback) the
	// client's tone. Its recording starts at its answer: the windows are
	// placed by when each step happened.
	at := func(tm time.Time) float64 { return tm.Sub(res.Employee.Answered).Seconds() }
	annFrom, annTo := at(res.Employee.FirstAudio)+0.3, at(res.Employee.FirstAudio)+annLen-0.3
	if s := siptest.Share(e, annFrom, annTo, "sound") + siptest.Share(e, annFrom, annTo, "silence"); s < 0.9 {
		t.Errorf("employee: announcement at %.1f-%.1fs not speech-like (%.0f%%)", annFrom, annTo, 100*s)
	}
	if s := siptest.Share(e, annFrom, annTo, "sound"); s < 0.5 {
		t.Errorf("employee: announcement at %.1f-%.1fs has too little sound (%.0f%%)", annFrom, annTo, 100*s)
	}
	if from, to := at(res.Connected)+0.3, at(res.Disconnected)-0.3; !hears(e, from, to, "tone:1000") {
		t.Errorf("employee: client tone at %.1f-%.1fs only %.0f%%", from, to, 100*siptest.Share(e, from, to, "tone:1000"))
	}
	if !hears(c, 0.3, talk.Seconds()-0.3, "tone:440") {
		t.Errorf("client: employee tone only %.0f%%", 100*siptest.Share(c, 0.3, talk.Seconds()-0.3, "tone:440"))
	}
	if !hears(l, 0.3, talk.Seconds()-0.3, "tone:440") {
		t.Errorf("recording left: employee tone only %.0f%%", 100*siptest.Share(l, 0.3, talk.Seconds()-0.3, "tone:440"))
	}
	if !hears(r, 0.3, talk.Seconds()-0.3, "tone:1000") {
		t.Errorf("recording right: client tone only %.0f%%", 100*siptest.Share(r, 0.3, talk.Seconds()-0.3, "tone:1000"))
	}
}
