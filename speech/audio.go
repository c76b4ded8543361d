package speech

import (
	"encoding/binary"
	"io"
	"math"
	"time"
)

// Rate is the sample rate of telephone audio (G.711) and of every Audio an
// Engine returns: 8000 Hz.
const Rate = 8000

// Audio is mono 16-bit PCM. Engines return it at Rate (8000 Hz), which is
// what diago's PlayFile wants for PCMU/PCMA; ParseWAV returns it at the
// file's own rate.
type Audio struct {
	Samples []int16
	Rate    int // samples per second
}

// Duration returns the playing time.
func (a *Audio) Duration() time.Duration {
	if a == nil || a.Rate <= 0 {
		return 0
	}
	return time.Duration(len(a.Samples)) * time.Second / time.Duration(a.Rate)
}

// RMS returns the root mean square level relative to full scale, 0 for
// silence and about 0.707 for a full-scale sine.
func (a *Audio) RMS() float64 {
	if a == nil || len(a.Samples) == 0 {
		return 0
	}
	var sum float64
	for _, s := range a.Samples {
		f := float64(s) / 32768
		sum += f * f
	}
	return math.Sqrt(sum / float64(len(a.Samples)))
}

// WriteWAV writes a canonical 44-byte-header RIFF/WAVE file: PCM, mono,
// 16 bits, at a.Rate.
func (a *Audio) WriteWAV(w io.Writer) error {
	n := len(a.Samples) * 2
	buf := make([]byte, 44+n)
	copy(buf[0:], "RIFF")
	binary.LittleEndian.PutUint32(buf[4:], uint32(36+n))
	copy(buf[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(buf[16:], 16)
	binary.LittleEndian.PutUint16(buf[20:], 1) // PCM
	binary.LittleEndian.PutUint16(buf[22:], 1) // mono
	binary.LittleEndian.PutUint32(buf[24:], uint32(a.Rate))
	binary.LittleEndian.PutUint32(buf[28:], uint32(a.Rate*2))
	binary.LittleEndian.PutUint16(buf[32:], 2)
	binary.LittleEndian.PutUint16(buf[34:], 16)
	copy(buf[36:], "data")
	binary.LittleEndian.PutUint32(buf[40:], uint32(n))
	for i, s := range a.Samples {
		binary.LittleEndian.PutUint16(buf[44+2*i:], uint16(s))
	}
	_, err := w.Write(buf)
	return err
}

// Tone returns a sine tone at Rate of the given frequency and duration, at
// half of full scale, with 10 ms fades so it does not click.
func Tone(freq float64, d time.Duration) *Audio {
	n := int(d.Seconds() * Rate)
	if n < 0 {
		n = 0
	}
	a := &Audio{Samples: make([]int16, n), Rate: Rate}
	fade := Rate / 100
	for i := range a.Samples {
		g := 0.5
		if i < fade {
			g *= float64(i) / float64(fade)
		}
		if r := n - 1 - i; r < fade {
			g *= float64(r) / float64(fade)
		}
		a.Samples[i] = int16(math.Round(g * 32767 * math.Sin(2*math.Pi*freq*float64(i)/Rate)))
	}
	return a
}

// Beep returns the fallback announcement used when no engine works: two
// short 880 Hz beeps, 0.9 s in all, so the employee knows a callback is
// being connected.
func Beep() *Audio {
	b := Tone(880, 300*time.Millisecond)
	gap := make([]int16, Rate/5)
	s := append(append(append([]int16{}, b.Samples...), gap...), b.Samples...)
	s = append(s, make([]int16, Rate/10)...)
	return &Audio{Samples: s, Rate: Rate}
}
