package speech_test

import (
	"math"
	"testing"
	"time"

	"github.com/callbackline/callbackline/speech"
)

// sine returns a sine of amplitude amp (of full scale) at rate.
func sine(freq, amp float64, rate int, d time.Duration) *speech.Audio {
	n := int(d.Seconds() * float64(rate))
	a := &speech.Audio{Samples: make([]int16, n), Rate: rate}
	for i := range a.Samples {
		a.Samples[i] = int16(math.Round(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return a
}

// level returns the amplitude (of full scale) of the component at freq,
// measured by correlation over the middle of the audio (the edges hold
// the filter's start-up).
func level(a *speech.Audio, freq float64) float64 {
	s := a.Samples[len(a.Samples)/4 : 3*len(a.Samples)/4]
	var re, im float64
	for i, x := range s {
		ph := 2 * math.Pi * freq * float64(i) / float64(a.Rate)
		re += float64(x) / 32768 * math.Cos(ph)
		im += float64(x) / 32768 * math.Sin(ph)
	}
	return 2 * math.Hypot(re, im) / float64(len(s))
}

func db(x float64) float64 { return 20 * math.Log10(x) }

func TestResamplePassesTelephoneBand(t *testing.T) {
	for _, rate := range []int{11025, 16000, 22050, 24000, 44100, 48000} {
		for _, f := range []float64{300, 1000, 3000} {
			out := sine(f, 0.5, rate, time.Second).Resample(speech.Rate)
			if out.Rate != speech.Rate {
				t.Fatalf("rate %d", out.Rate)
			}
			if want := speech.Rate; abs(len(out.Samples)-want) > 1 {
				t.Errorf("%d Hz: %d samples for 1 s, want %d", rate, len(out.Samples), want)
			}
			got := level(out, f)
			if d := db(got / 0.5); math.Abs(d) > 0.2 {
				t.Errorf("%d Hz → 8 kHz: %v Hz tone changed by %.2f dB", rate, f, d)
			}
		}
	}
}

func TestResampleAttenuatesAliases(t *testing.T) {
	// Each tone is above 4 kHz, where 8 kHz sampling cannot represent it;
	// without filtering it would fold back to 8000-f. It must be at least
	// 60 dB down (a naive decimator leaves it at 0 dB).
	for _, rate := range []int{16000, 22050, 44100, 48000} {
		for _, f := range []float64{4400, 5000, 6000, 7000} {
			if f >= float64(rate)/2 {
				continue
			}
			out := sine(f, 0.5, rate, time.Second).Resample(speech.Rate)
			alias := float64(speech.Rate) - f
			if d := db(level(out, alias) / 0.5); d > -60 {
				t.Errorf("%d Hz → 8 kHz: %v Hz tone aliased to %v Hz at %.1f dB, want ≤ -60 dB", rate, f, alias, d)
			}
			mid := &speech.Audio{Samples: out.Samples[len(out.Samples)/4 : 3*len(out.Samples)/4], Rate: out.Rate}
			if d := db(mid.RMS() / (0.5 / math.Sqrt2)); d > -60 {
				t.Errorf("%d Hz → 8 kHz: %v Hz tone left RMS %.1f dB, want ≤ -60 dB", rate, f, d)
			}
		}
	}
}

func TestResampleKeepsDCAndSameRate(t *testing.T) {
	in := &speech.Audio{Samples: make([]int16, 22050), Rate: 22050}
	for i := range in.Samples {
		in.Samples[i] = 1000
	}
	out := in.Resample(speech.Rate)
	for i := 100; i < len(out.Samples)-100; i++ {
		if out.Samples[i] != 1000 {
			t.Fatalf("sample %d = %d, want 1000", i, out.Samples[i])
		}
	}
	same := out.Resample(speech.Rate)
	if &same.Samples[0] != &out.Samples[0] {
		t.Error("resampling to the same rate copied the samples")
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
