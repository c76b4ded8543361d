//go:build demo

package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/speech"
)

// TestDemo runs `callbackline demo` as a new user would and checks what it
// shows: the timeline from the event to the attached recording, a German
// and a Russian request heard by the employee's phone in their voices, the
// CRM's call log, and a stereo recording with the employee left and the
// client right.
func TestDemo(t *testing.T) {
	t.Run("go phones", func(t *testing.T) { testDemo(t, "go") })
	t.Run("baresip phones", func(t *testing.T) {
		if _, err := exec.LookPath("baresip"); err != nil {
			t.Skip("baresip not found: install the Debian package baresip-core")
		}
		testDemo(t, "baresip")
	})
}

// TestDemoBitrix24Dialer runs `callbackline demo --dialer bitrix24`: the
// line hands the call to the portal's own telephony, the end event
// finishes the callback, and callbackline registers no call of its own.
func TestDemoBitrix24Dialer(t *testing.T) {
	var out bytes.Buffer
	if err := demo(context.Background(), &out, demoOptions{Dialer: "bitrix24", Talk: time.Second, Timeout: 90 * time.Second, Quiet: true}); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, step := range []string{
		"event bound: ONVOXIMPLANTCALLEND", "[placed] handing call 1 of 3 to Bitrix24's telephony",
		"Bitrix24 placed the call (callback.", "ONVOXIMPLANTCALLEND goes out", "[done] done: Bitrix24 connected",
		"code 200", "External calls callbackline registered: 0",
	} {
		if !strings.Contains(text, step) {
			t.Errorf("the demo output lacks %q\n%s", step, text)
		}
	}
}

func testDemo(t *testing.T, phones string) {
	var out bytes.Buffer
	rec := filepath.Join(t.TempDir(), "demo-recording.wav")
	if err := demo(context.Background(), &out, demoOptions{Recording: rec, Talk: 3 * time.Second, Timeout: 3 * time.Minute, Phones: phones, Quiet: true}); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()
	t.Log("\n" + text)
	for _, step := range []string{
		"installed", "event bound: ONEXTERNALCALLBACKSTART", "line registered",
		"ONEXTERNALCALLBACKSTART delivered and accepted",
		"[ringing_employee]", "[announcing]", "[ringing_client]", "[connected]",
		"call finished in the CRM: status 200", "recording attached", "[done]",
		"The CRM's call log", "finished: true  status 200",
		"callback 2 [done]",
	} {
		if !strings.Contains(text, step) {
			t.Errorf("the demo output lacks %q", step)
		}
	}
	// The employee's phone heard each request in its own language's voice
	// (the demo compares what the phone heard with each announcement and
	// fails unless it matches its own best); natural voices when installed.
	de, ru := "espeak-ng", "espeak-ng"
	if (&speech.Pico{}).Installed("de-DE") {
		de = "pico de-DE"
	}
	if (&speech.RHVoice{}).Installed("elena") {
		ru = "rhvoice elena"
	}
	for _, want := range []string{"heard the de request spoken by " + de, "heard the ru request spoken by " + ru} {
		if !strings.Contains(text, want) {
			t.Errorf("the demo output lacks %q", want)
		}
	}
	a, err := siptest.ReadWAV(rec)
	if err != nil {
		t.Fatal(err)
	}
	// Each side carries its own phone's tone and never the other's. The
	// recorder places audio by when it is read: the demo runs phones,
	// portal and service in this one process, and when both cores are
	// busy its reads come late and the delays stay in the recording as
	// short silences (two thirds of the 100 ms windows spoiled under full
	// load). How clean a recording is, the sip package's tests judge; here
	// a tenth of the windows must be the side's own tone.
	end := a.Duration()
	l, r := a.Analyse(0, 0.1, 440, 1000), a.Analyse(1, 0.1, 440, 1000)
	if s, o := siptest.Share(l, 0, end, "tone:440"), siptest.Share(l, 0, end, "tone:1000"); s < 0.1 || o > 0 {
		t.Errorf("left (employee) channel: %.0f%% its tone, %.0f%% the client's (%s)", 100*s, 100*o, siptest.Summary(l))
	}
	if s, o := siptest.Share(r, 0, end, "tone:1000"), siptest.Share(r, 0, end, "tone:440"); s < 0.1 || o > 0 {
		t.Errorf("right (client) channel: %.0f%% its tone, %.0f%% the employee's (%s)", 100*s, 100*o, siptest.Summary(r))
	}
}
