package siptest

import (
	"fmt"
	"math"
	"strings"

	"github.com/callbackline/callbackline/sip/internal/wav"
)

// Audio is 16-bit PCM read from a WAV file, one slice per channel.
type Audio struct {
	Rate     int
	Channels [][]float64 // samples scaled to -1..1
}

// ReadWAV reads a 16-bit PCM WAV file (mono or stereo).
func ReadWAV(path string) (*Audio, error) {
	f, s, err := wav.Samples(path)
	if err != nil {
		return nil, err
	}
	a := &Audio{Rate: f.Rate, Channels: make([][]float64, f.Channels)}
	for ch := range a.Channels {
		a.Channels[ch] = make([]float64, 0, len(s)/f.Channels)
	}
	for i, v := range s {
		ch := i % f.Channels
		a.Channels[ch] = append(a.Channels[ch], float64(v)/32768)
	}
	return a, nil
}

// WriteTone writes a mono 16-bit WAV of a sine: seconds long, at rate.
func WriteTone(path string, hz float64, rate int, seconds float64) error {
	return wav.Write(path, wav.Format{Rate: rate, Channels: 1}, Tone(hz, rate, int(seconds*float64(rate)), 0.5))
}

// WriteSpeechLike writes a mono 16-bit WAV of non-tonal, speech-like audio:
// noise shaped into syllables (about 4 a second) with short pauses, so it has
// speech's energy but no single dominant frequency.
func WriteSpeechLike(path string, rate int, seconds float64) error {
	n := int(seconds * float64(rate))
	s := make([]int16, n)
	seed := uint32(12345)
	var lp float64
	for i := range s {
		seed = seed*1664525 + 1013904223
		x := float64(int32(seed))/float64(1<<31) - 0
		lp = 0.7*lp + 0.3*x // soften the top end a little
		t := float64(i) / float64(rate)
		syl := math.Sin(math.Pi * math.Mod(t*4, 1)) // 0..1 envelope per syllable
		if math.Mod(t, 1.5) > 1.3 {                 // a pause every 1.5 s
			syl = 0
		}
		s[i] = int16(0.6 * 32767 * lp * syl)
	}
	return wav.Write(path, wav.Format{Rate: rate, Channels: 1}, s)
}

// Window is one slice of time of a channel.
type Window struct {
	Start, End float64 // seconds
	RMS        float64 // root mean square, 0..1 (full-scale sine: 0.707)
	Tone       float64 // the strongest of the probed frequencies, 0 if none dominates
	Purity     float64 // share of the window's energy in that frequency, 0..1
}

// Goertzel returns the power of frequency hz in x (sampled at rate),
// normalised so that a sine at hz gives about RMS(x)², all its power.
func Goertzel(x []float64, hz float64, rate int) float64 {
	if len(x) == 0 {
		return 0
	}
	k := 2 * math.Cos(2*math.Pi*hz/float64(rate))
	var s1, s2 float64
	for _, v := range x {
		s0 := v + k*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - k*s1*s2
	return p / float64(len(x)*len(x)) * 2
}

// RMS is the root mean square of x.
func RMS(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	var e float64
	for _, v := range x {
		e += v * v
	}
	return math.Sqrt(e / float64(len(x)))
}

// Analyse cuts channel ch into windows of win seconds and finds in each the
// dominant one of the probe frequencies: a window is a tone when more than
// 60% of its energy is at that frequency.
func (a *Audio) Analyse(ch int, win float64, probes ...float64) []Window {
	x := a.Channels[ch]
	n := int(win * float64(a.Rate))
	var out []Window
	for i := 0; i+n <= len(x); i += n {
		w := Window{Start: float64(i) / float64(a.Rate), End: float64(i+n) / float64(a.Rate), RMS: RMS(x[i : i+n])}
		power := w.RMS * w.RMS
		for _, f := range probes {
			if power == 0 {
				break
			}
			if p := Goertzel(x[i:i+n], f, a.Rate) / power; p > w.Purity {
				w.Purity = p
				if p > 0.6 {
					w.Tone = f
				}
			}
		}
		if w.Purity <= 0.6 {
			w.Tone = 0
		}
		out = append(out, w)
	}
	return out
}

// Duration is the length of the audio in seconds.
func (a *Audio) Duration() float64 {
	if len(a.Channels) == 0 {
		return 0
	}
	return float64(len(a.Channels[0])) / float64(a.Rate)
}

// Kind classifies a window: "silence", "tone:<Hz>" or "sound" (energy
// without a dominant probed tone, e.g. speech).
func (w Window) Kind() string {
	switch {
	case w.RMS < 0.01:
		return "silence"
	case w.Tone > 0:
		return fmt.Sprintf("tone:%g", w.Tone)
	}
	return "sound"
}

// Summary writes windows as "0.0-0.5 sound, 0.5-1.0 tone:1000, …" with runs
// merged, for test failure messages.
func Summary(ws []Window) string {
	var b strings.Builder
	for i := 0; i < len(ws); {
		j := i
		for j+1 < len(ws) && ws[j+1].Kind() == ws[i].Kind() {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.1f-%.1f %s", ws[i].Start, ws[j].End, ws[i].Kind())
		i = j + 1
	}
	return b.String()
}

// Share returns the fraction of windows between from and to seconds whose
// Kind is kind.
func Share(ws []Window, from, to float64, kind string) float64 {
	var n, k int
	for _, w := range ws {
		if w.Start < from || w.End > to {
			continue
		}
		n++
		if w.Kind() == kind {
			k++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}
