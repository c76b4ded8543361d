package speech_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/speech/speechtest"
	"github.com/callbackline/callbackline/words"
)

// announcement is a typical request text of 150 characters.
const announcement = "Hello. You have a callback request from the website form. " +
	"The client asks about the price of the annual plan and its delivery date. Connecting you now."

func TestEspeakSpeaks8kHz(t *testing.T) {
	speechtest.NeedEspeak(t)
	e := speechtest.Espeak()
	a, err := e.Synthesize(context.Background(), announcement, speech.VoiceFor("usenglishmale"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate != 8000 {
		t.Fatalf("rate %d, want 8000", a.Rate)
	}
	// 25 words at 160 words per minute: about 9 s.
	if d := a.Duration(); d < 5*time.Second || d > 15*time.Second {
		t.Errorf("%d characters took %v", len(announcement), d)
	}
	assertSpeech(t, a)
}

// TestEspeakSpeaksEveryVoice: espeak-ng, the fallback of every language,
// speaks each Bitrix24 voice id (its language and gender) at 8 kHz, the
// app page's sample of the language (English where there is none).
func TestEspeakSpeaksEveryVoice(t *testing.T) {
	speechtest.NeedEspeak(t)
	e := speechtest.Espeak()
	seen := map[speech.Voice]bool{}
	for _, id := range append(speech.VoiceIDs(), speech.DocVoiceIDs()...) {
		v := speech.VoiceFor(id)
		if k := (speech.Voice{Language: v.Language, Gender: v.Gender}); !seen[k] {
			seen[k] = true
			a, err := e.Synthesize(context.Background(), words.Sample(v.Language), v)
			if err != nil {
				t.Errorf("%s (%s %s): %v", id, v.Language, v.Gender, err)
				continue
			}
			if a.Rate != speech.Rate || a.Duration() < 2*time.Second {
				t.Errorf("%s (%s %s): %v at %d Hz", id, v.Language, v.Gender, a.Duration(), a.Rate)
			}
			assertSpeech(t, a)
		}
	}
}

// assertSpeech checks that a holds speech: loud enough overall, and
// varying like speech (pauses between louder parts), not a constant tone
// or noise.
func assertSpeech(t *testing.T, a *speech.Audio) {
	t.Helper()
	if r := a.RMS(); r < 0.03 {
		t.Errorf("RMS %.4f (%.1f dBFS): no speech", r, db(r))
	}
	var loud, quiet int
	for i := 0; i+160 <= len(a.Samples); i += 160 { // 20 ms frames
		r := (&speech.Audio{Samples: a.Samples[i : i+160], Rate: a.Rate}).RMS()
		switch {
		case r > 0.05:
			loud++
		case r < 0.005:
			quiet++
		}
	}
	if loud < 10 || quiet < 2 {
		t.Errorf("%d loud and %d quiet frames of 20 ms: does not look like speech", loud, quiet)
	}
}

func TestEspeakUmlautsAndCyrillic(t *testing.T) {
	speechtest.NeedEspeak(t)
	// The C locale must not matter: the text is passed as UTF-8 (-b 1).
	t.Setenv("LC_ALL", "C")
	t.Setenv("LANG", "C")
	e := speechtest.Espeak()
	for _, c := range []struct{ text, voice string }{
		{"Grüße aus Köln. Herr Müller möchte über Bürostühle sprechen.", "deinternalfemale"},
		{"Здравствуйте! Клиент ждёт обратного звонка по поводу заказа.", "ruinternalfemale"},
	} {
		a, err := e.Synthesize(context.Background(), c.text, speech.VoiceFor(c.voice))
		if err != nil {
			t.Fatalf("%s: %v", c.voice, err)
		}
		// Read as bytes in an 8-bit encoding, each non-ASCII letter
		// would be spelt out as two symbols: several times longer.
		if d := a.Duration(); d < time.Second || d > 8*time.Second {
			t.Errorf("%s: %q took %v", c.voice, c.text, d)
		}
		assertSpeech(t, a)
	}
}

// pitch returns the median fundamental frequency of the voiced 40 ms
// frames, by autocorrelation over 60–400 Hz.
func pitch(a *speech.Audio) float64 {
	const frame = 320
	var f0s []float64
	for i := 0; i+frame <= len(a.Samples); i += frame / 2 {
		x := a.Samples[i : i+frame]
		var e0 float64
		for _, s := range x {
			e0 += float64(s) * float64(s)
		}
		if math.Sqrt(e0/frame)/32768 < 0.03 {
			continue
		}
		best, bestLag := 0.0, 0
		for lag := a.Rate / 400; lag <= a.Rate/60; lag++ {
			var c float64
			for j := 0; j+lag < frame; j++ {
				c += float64(x[j]) * float64(x[j+lag])
			}
			c /= float64(frame - lag)
			if c > best {
				best, bestLag = c, lag
			}
		}
		if best > 0.3*e0/frame {
			f0s = append(f0s, float64(a.Rate)/float64(bestLag))
		}
	}
	if len(f0s) == 0 {
		return 0
	}
	slices.Sort(f0s)
	return f0s[len(f0s)/2]
}

func TestEspeakFemaleVoiceIsHigher(t *testing.T) {
	speechtest.NeedEspeak(t)
	e := speechtest.Espeak()
	text := "Guten Tag, ich verbinde Sie jetzt mit dem Kunden."
	m, err := e.Synthesize(context.Background(), text, speech.VoiceFor("eurgermanmale"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.Synthesize(context.Background(), text, speech.VoiceFor("deinternalfemale"))
	if err != nil {
		t.Fatal(err)
	}
	pm, pf := pitch(m), pitch(f)
	t.Logf("median pitch: male %.0f Hz, female %.0f Hz", pm, pf)
	if pm < 60 || pf < pm*1.4 {
		t.Errorf("female voice at %.0f Hz is not clearly above the male at %.0f Hz", pf, pm)
	}
}

func TestEspeakTextIsNeverAnOption(t *testing.T) {
	speechtest.NeedEspeak(t)
	e := speechtest.Espeak()
	// As arguments these would pick a missing voice or write a file.
	for _, text := range []string{"-v xx hello", "--version", "-w /tmp/x.wav hi"} {
		a, err := e.Synthesize(context.Background(), text, speech.VoiceFor(""))
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if a.Duration() < 300*time.Millisecond {
			t.Errorf("%q: %v of audio", text, a.Duration())
		}
	}
}

func TestEspeakErrors(t *testing.T) {
	ctx := context.Background()
	missing := &speech.Espeak{Path: "/nonexistent/espeak-ng"}
	_, err := missing.Synthesize(ctx, "hello", speech.VoiceFor(""))
	var e *speech.Error
	if !errors.As(err, &e) || e.Reason != speech.ReasonMissing || e.Package != "espeak-ng" ||
		!strings.Contains(err.Error(), "install the Debian package espeak-ng") {
		t.Errorf("missing program: %v", err)
	}
	if err := speech.Check(ctx, missing); speech.ReasonOf(err) != speech.ReasonMissing ||
		!strings.Contains(err.Error(), "install the Debian package espeak-ng") {
		t.Errorf("Check of a missing program: %v", err)
	}
	speechtest.NeedEspeak(t)
	es := &speech.Espeak{MaxText: 20, Timeout: speechtest.Timeout}
	for _, c := range []struct {
		text   string
		v      speech.Voice
		reason speech.Reason
	}{
		{"", speech.VoiceFor(""), speech.ReasonEmpty},
		{" \t\n\x00 ", speech.VoiceFor(""), speech.ReasonEmpty},
		{strings.Repeat("a", 21), speech.VoiceFor(""), speech.ReasonTooLong},
		{"hello", speech.Voice{Language: "-v"}, speech.ReasonConfig},
		{"hello", speech.Voice{Language: "xx"}, speech.ReasonFailed},
	} {
		if _, err := es.Synthesize(ctx, c.text, c.v); speech.ReasonOf(err) != c.reason {
			t.Errorf("%q %+v: %v, want reason %s", c.text, c.v, err, c.reason)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := es.Synthesize(cctx, "hello", speech.VoiceFor("")); speech.ReasonOf(err) != speech.ReasonCanceled {
		t.Errorf("cancelled: %v", err)
	}
}

func TestCheckEspeak(t *testing.T) {
	speechtest.NeedEspeak(t)
	if err := speech.Check(context.Background(), speechtest.Espeak()); err != nil {
		t.Fatal(err)
	}
}
