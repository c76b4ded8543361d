package speech_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/speech"
)

// speechLike is a tone in bursts (speech with pauses) at amplitude amp.
func speechLike(amp float64, rate int) *speech.Audio {
	a := sine(440, amp, rate, 2*time.Second)
	for i := range a.Samples {
		if (i/(rate/4))%2 == 1 { // every other quarter second silent
			a.Samples[i] = 0
		}
	}
	return a
}

// activeRMS is the RMS of the non-silent samples.
func activeRMS(s []int16) float64 {
	var sum float64
	n := 0
	for _, x := range s {
		if x != 0 {
			f := float64(x) / 32768
			sum += f * f
			n++
		}
	}
	return math.Sqrt(sum / float64(max(n, 1)))
}

// TestForPhoneLevel: quiet and loud engines end up at the same telephone
// level (the pauses not counted), peaks never clip, the text starts after
// the lead pause, and silence stays silence.
func TestForPhoneLevel(t *testing.T) {
	for _, c := range []struct {
		amp  float64
		rate int
	}{{0.02, 16000}, {0.3, 22050}, {0.99, 24000}} {
		out := speech.ForPhone(speechLike(c.amp, c.rate))
		lead := int(speech.LeadPause.Seconds() * speech.Rate)
		if out.Rate != speech.Rate {
			t.Fatalf("rate %d", out.Rate)
		}
		for _, x := range out.Samples[:lead] {
			if x != 0 {
				t.Fatalf("amp %.2f: sound within the lead pause", c.amp)
			}
		}
		// A sine's RMS is its peak / √2: the peak bound (0.9) caps a sine at
		// 0.636 RMS, far above PhoneLevel, so the level is reached.
		got := activeRMS(out.Samples[lead:])
		if d := 20 * math.Log10(got/speech.PhoneLevel); math.Abs(d) > 1 {
			t.Errorf("amp %.2f at %d Hz: speech at %.3f RMS (%.1f dB off), want %.2f", c.amp, c.rate, got, d, speech.PhoneLevel)
		}
	}
	// A click in silence is not blown up past the peak bound.
	click := &speech.Audio{Samples: make([]int16, 8000), Rate: speech.Rate}
	click.Samples[4000] = 300
	for _, x := range speech.ForPhone(click).Samples {
		if math.Abs(float64(x))/32768 > speech.PhonePeak+0.001 {
			t.Fatalf("sample %d beyond the peak bound", x)
		}
	}
	if s := speech.ForPhone(&speech.Audio{Samples: make([]int16, 800), Rate: speech.Rate}); s.RMS() != 0 {
		t.Error("silence made audible")
	}
}

// TestResampleServesEngineRates: RHVoice's 24 kHz, Pico's 16 kHz and
// espeak-ng's 22.05 kHz come out at 8 kHz with the telephone band intact
// and what lies above 4 kHz removed.
func TestResampleServesEngineRates(t *testing.T) {
	for _, rate := range []int{16000, 22050, 24000} {
		out := sine(1000, 0.5, rate, time.Second).Resample(speech.Rate)
		if d := db(level(out, 1000) / 0.5); math.Abs(d) > 0.2 {
			t.Errorf("%d Hz: 1 kHz changed by %.2f dB", rate, d)
		}
		alias := sine(5000, 0.5, rate, time.Second).Resample(speech.Rate)
		if d := db(level(alias, 3000) / 0.5); d > -60 {
			t.Errorf("%d Hz: 5 kHz folds back to 3 kHz at %.1f dB, want below -60 dB", rate, d)
		}
	}
}

// wordsEngine "speaks" each word as 100 ms of tone and each gap as 100
// ms of silence, and records the texts and voices it was given.
type wordsEngine struct {
	texts  []string
	voices []speech.Voice
}

func (e *wordsEngine) Name() string { return "words" }

func (e *wordsEngine) Synthesize(_ context.Context, text string, v speech.Voice) (*speech.Audio, error) {
	e.texts, e.voices = append(e.texts, text), append(e.voices, v)
	var s []int16
	for range strings.Fields(text) {
		s = append(s, sine(500, 0.3, speech.Rate, 100*time.Millisecond).Samples...)
		s = append(s, make([]int16, speech.Rate/10)...)
	}
	return &speech.Audio{Samples: s, Rate: speech.Rate}, nil
}

// TestAnnounceScript: the text is said Repeat times, then the prompt in
// its own language, with pauses; the text's language wins over the
// voice's; phone numbers reach the engine normalised; removing the text's
// AnnouncementKey removes every announcement of it.
func TestAnnounceScript(t *testing.T) {
	e := &wordsEngine{}
	c := newCache(t, e)
	ctx := context.Background()
	one, err := c.Announce(ctx, speech.Script{Text: "Клієнт просить передзвонити на +380 44 123 45 67", Voice: "ruinternalfemale"})
	if err != nil || !one.Speech {
		t.Fatalf("%+v %v", one, err)
	}
	if e.voices[0].Language != "uk" || e.texts[0] != "Клієнт просить передзвонити на плюс 380, 44, 123, 45, 67" {
		t.Errorf("engine got %q in %s, want the Ukrainian text normalised, in Ukrainian", e.texts[0], e.voices[0].Language)
	}
	three, err := c.Announce(ctx, speech.Script{Text: "Клієнт просить передзвонити на +380 44 123 45 67", Voice: "ruinternalfemale",
		Repeat: 3, Prompt: "Натисніть 1, щоб з'єднатися."})
	if err != nil || !three.Speech || three.Path == one.Path {
		t.Fatalf("%+v %v", three, err)
	}
	a1, a3 := assertPlayable(t, one.Path), assertPlayable(t, three.Path)
	text := a1.Duration()                               // lead pause + 10 words
	prompt := speech.LeadPause + 4*200*time.Millisecond // 4 words
	want := 3*text + 3*speech.Gap + prompt              // text ×3, 2 gaps, gap + prompt
	if d := a3.Duration() - want; d < -10*time.Millisecond || d > 10*time.Millisecond {
		t.Errorf("repeated with prompt: %v, want %v (text %v)", a3.Duration(), want, text)
	}
	if again, _ := c.Announce(ctx, speech.Script{Text: "Клієнт просить передзвонити на +380 44 123 45 67", Voice: "ruinternalfemale"}); again.Path != one.Path || len(e.texts) != 3 {
		t.Errorf("not served from the cache: %s, %d syntheses", again.Path, len(e.texts))
	}
	other, _ := c.Announce(ctx, speech.Script{Text: "Another request.", Voice: "usenglishmale"})
	n, err := c.Remove([]string{c.AnnouncementKey("Клієнт просить передзвонити на +380 44 123 45 67")})
	if err != nil || n != 2 {
		t.Errorf("Remove: %d files, %v; want both announcements of the text", n, err)
	}
	for _, p := range []string{one.Path, three.Path} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there", filepath.Base(p))
		}
	}
	if _, err := os.Stat(other.Path); err != nil {
		t.Errorf("another text's announcement removed: %v", err)
	}
}
