package speech

import (
	"math"
	"time"
)

// Telephone audio: every engine's voice reaches the employee at the same
// steady loudness, after a short pause so the first word is not lost
// while the phone's earpiece settles after the answer.
const (
	// PhoneLevel is the RMS (of full scale) of the speech itself, pauses
	// left out: about −20 dBFS, the level of speech on a G.711 line.
	PhoneLevel = 0.1
	// PhonePeak bounds the peaks after the gain (about −1 dBFS), so loud
	// syllables are never clipped.
	PhonePeak = 0.9
	// LeadPause is the silence before the text.
	LeadPause = 300 * time.Millisecond
)

// ForPhone returns a as telephone audio: at Rate (resampled with the
// windowed-sinc low-pass), its speech at PhoneLevel (peaks at most
// PhonePeak), after LeadPause of silence. Silence stays silence.
func ForPhone(a *Audio) *Audio {
	a = a.Resample(Rate)
	g := phoneGain(a.Samples, Rate)
	lead := int(LeadPause.Seconds() * Rate)
	out := make([]int16, lead+len(a.Samples))
	for i, s := range a.Samples {
		out[lead+i] = toInt16(float64(s) / 32768 * g)
	}
	return &Audio{Samples: out, Rate: Rate}
}

// phoneGain returns the gain that brings the speech in s to PhoneLevel:
// its level is the RMS of the 20 ms frames within 30 dB of the loudest,
// so pauses do not count. The gain is bounded by PhonePeak, and is 1 for
// silence.
func phoneGain(s []int16, rate int) float64 {
	frame := max(rate/50, 1)
	var powers []float64
	loudest, peak := 0.0, 0.0
	for i := 0; i < len(s); i += frame {
		var sum float64
		end := min(i+frame, len(s))
		for _, x := range s[i:end] {
			f := float64(x) / 32768
			sum += f * f
			peak = math.Max(peak, math.Abs(f))
		}
		p := sum / float64(end-i)
		powers = append(powers, p)
		loudest = math.Max(loudest, p)
	}
	if loudest < 1e-8 { // below −80 dBFS: nothing to bring up
		return 1
	}
	var sum float64
	n := 0
	for _, p := range powers {
		if p >= loudest/1000 {
			sum += p
			n++
		}
	}
	g := PhoneLevel / math.Sqrt(sum/float64(n))
	return math.Min(g, PhonePeak/peak)
}
