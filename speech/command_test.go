package speech_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/speech/speechtest"
)

func TestCommandEspeakThroughTemplate(t *testing.T) {
	speechtest.NeedEspeak(t)
	ctx := context.Background()
	for name, c := range map[string]*speech.Command{
		// {text} as an argument, WAV into {out}
		"file": {Path: "espeak-ng", Args: []string{"-b", "1", "-v", "{lang}+{voice}", "-w", "{out}", "{text}"},
			Voices: map[string]string{"de": "f2", "": "m3"}},
		// text on stdin, WAV on stdout
		"stdout": {Path: "espeak-ng", Args: []string{"-b", "1", "--stdin", "--stdout", "-v", "{lang}"}},
	} {
		a, err := c.Synthesize(ctx, "Grüße, Herr Müller. Ihr Rückruf.", speech.VoiceFor("deinternalfemale"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.Rate != 8000 {
			t.Errorf("%s: rate %d", name, a.Rate)
		}
		assertSpeech(t, a)
		// A text that looks like options is still spoken, not obeyed.
		a, err = c.Synthesize(ctx, "-v xx --version", speech.VoiceFor("usenglishmale"))
		if err != nil || a.Duration() < 300*time.Millisecond {
			t.Errorf("%s: option-like text: %v, %v", name, a, err)
		}
	}
}

func TestCommandSoxFormats(t *testing.T) {
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("sox not found: install the Debian package sox")
	}
	// 44.1 kHz stereo 24-bit, a 1 kHz tone: parsed, mixed down, resampled.
	c := &speech.Command{Label: "sox", Path: "sox", Args: []string{"-n", "-r", "44100", "-c", "2", "-b", "24",
		"-t", "wav", "{out}", "synth", "0.5", "sine", "1000", "vol", "0.5"}}
	a, err := c.Synthesize(context.Background(), "ignored", speech.VoiceFor(""))
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate != 8000 || a.Duration() < 490*time.Millisecond || a.Duration() > 510*time.Millisecond {
		t.Fatalf("%v at %d Hz", a.Duration(), a.Rate)
	}
	if l := level(a, 1000); l < 0.45 || l > 0.55 {
		t.Errorf("1 kHz at %.3f of full scale, want 0.5", l)
	}
	if c.Name() != "sox" {
		t.Errorf("name %q", c.Name())
	}
}

func TestCommandErrors(t *testing.T) {
	ctx := context.Background()
	v := speech.VoiceFor("")
	cases := []struct {
		c      *speech.Command
		reason speech.Reason
	}{
		{&speech.Command{}, speech.ReasonConfig},
		{&speech.Command{Path: "/nonexistent/piper", Package: "piper-tts"}, speech.ReasonMissing},
		{&speech.Command{Path: "false"}, speech.ReasonFailed},
		{&speech.Command{Path: "echo", Args: []string{"not a wav"}}, speech.ReasonBadOutput},
		{&speech.Command{Path: "true", Args: []string{"{out}"}}, speech.ReasonBadOutput},
		{&speech.Command{Path: "sleep", Args: []string{"600"}, Timeout: 200 * time.Millisecond}, speech.ReasonTimeout},
		{&speech.Command{Path: "cat", MaxText: 3}, speech.ReasonTooLong},
	}
	for _, c := range cases {
		start := time.Now()
		_, err := c.c.Synthesize(ctx, "text", v)
		if speech.ReasonOf(err) != c.reason {
			t.Errorf("%s %v: %v, want reason %s", c.c.Path, c.c.Args, err, c.reason)
		}
		// Only "sleep 600" could take long: a minute shows its timeout
		// stopped it, even on a busy machine.
		if el := time.Since(start); el > time.Minute {
			t.Errorf("%s: took %v", c.c.Path, el)
		}
	}
	_, err := cases[1].c.Synthesize(ctx, "text", v)
	if !strings.Contains(err.Error(), "install the Debian package piper-tts") {
		t.Errorf("missing program error does not name the package: %v", err)
	}
}

func TestCommandKeyChangesWithSettings(t *testing.T) {
	a := &speech.Command{Path: "piper", Args: []string{"--model", "{voice}"}, Voices: map[string]string{"de": "x.onnx"}}
	b := &speech.Command{Path: "piper", Args: []string{"--model", "{voice}"}, Voices: map[string]string{"de": "y.onnx"}}
	if a.Key() == b.Key() {
		t.Error("different voices give the same cache key")
	}
	if (&speech.Espeak{}).Key() == (&speech.Espeak{Speed: 140}).Key() {
		t.Error("different espeak-ng speeds give the same cache key")
	}
}

func TestCommandOutputIsBounded(t *testing.T) {
	// A small cap keeps the test cheap under -race on a busy machine; the
	// endless writer shows that the cap, not the deadline, stops a program.
	for name, c := range map[string]*speech.Command{
		"stdout":  {Path: "head", Args: []string{"-c", "5000", "/dev/zero"}, MaxOutput: 4096},
		"endless": {Path: "cat", Args: []string{"/dev/zero"}, MaxOutput: 4096, Timeout: 10 * time.Minute},
		"file":    {Path: "dd", Args: []string{"if=/dev/zero", "of={out}", "bs=5000", "count=1"}, MaxOutput: 4096},
	} {
		_, err := c.Synthesize(context.Background(), "x", speech.VoiceFor(""))
		if speech.ReasonOf(err) != speech.ReasonBadOutput || !strings.Contains(err.Error(), "more than 4096") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
