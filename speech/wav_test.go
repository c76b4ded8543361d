package speech_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/callbackline/callbackline/speech"
)

// wavFile builds a WAV file by hand: fmt fields, then chunks in order.
func wavFile(format, channels, rate, bits int, extra []byte, data []byte) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(0)) // size ignored by the parser
	b.WriteString("WAVE")
	b.Write(extra)
	fmtc := new(bytes.Buffer)
	align := channels * bits / 8
	binary.Write(fmtc, le, uint16(format))
	binary.Write(fmtc, le, uint16(channels))
	binary.Write(fmtc, le, uint32(rate))
	binary.Write(fmtc, le, uint32(rate*align))
	binary.Write(fmtc, le, uint16(align))
	binary.Write(fmtc, le, uint16(bits))
	if format == 0xFFFE {
		binary.Write(fmtc, le, uint16(22))
		binary.Write(fmtc, le, uint16(bits))
		binary.Write(fmtc, le, uint32(0))
		fmtc.Write([]byte{1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71})
	}
	b.WriteString("fmt ")
	binary.Write(&b, le, uint32(fmtc.Len()))
	b.Write(fmtc.Bytes())
	b.WriteString("data")
	binary.Write(&b, le, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func TestWriteWAVParsesBack(t *testing.T) {
	a := speech.Tone(1000, 250*time.Millisecond)
	var buf bytes.Buffer
	if err := a.WriteWAV(&buf); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	le := binary.LittleEndian
	if string(b[0:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " || le.Uint16(b[20:]) != 1 ||
		le.Uint16(b[22:]) != 1 || le.Uint32(b[24:]) != 8000 || le.Uint16(b[34:]) != 16 ||
		int(le.Uint32(b[40:])) != 2*len(a.Samples) || int(le.Uint32(b[4:])) != len(b)-8 {
		t.Fatalf("header % x is not PCM mono 16-bit 8000 Hz with consistent sizes", b[:44])
	}
	got, err := speech.ParseWAV(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rate != 8000 || !slices.Equal(got.Samples, a.Samples) {
		t.Fatalf("round trip changed the audio: rate %d, %d samples", got.Rate, len(got.Samples))
	}
	if got.Duration() != 250*time.Millisecond {
		t.Errorf("duration %v", got.Duration())
	}
}

func TestParseWAVFormats(t *testing.T) {
	le := binary.LittleEndian
	// One frame each, value +0.5 of full scale in every channel.
	pcm16 := le.AppendUint16(le.AppendUint16(nil, 16384), 16384)
	f32 := le.AppendUint32(nil, math.Float32bits(0.5))
	cases := []struct {
		name string
		wav  []byte
	}{
		{"16-bit stereo", wavFile(1, 2, 44100, 16, nil, pcm16)},
		{"8-bit", wavFile(1, 1, 8000, 8, nil, []byte{192})},
		{"24-bit", wavFile(1, 1, 48000, 24, nil, []byte{0, 0, 0x40})},
		{"32-bit", wavFile(1, 1, 48000, 32, nil, le.AppendUint32(nil, 1<<30))},
		{"float", wavFile(3, 1, 22050, 32, nil, f32)},
		{"extensible", wavFile(0xFFFE, 2, 16000, 16, nil, pcm16)},
		{"LIST chunk first, odd size padded", wavFile(1, 1, 8000, 16, []byte("LIST\x03\x00\x00\x00abc\x00"), pcm16[:2])},
	}
	for _, c := range cases {
		a, err := speech.ParseWAV(c.wav)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(a.Samples) != 1 || a.Samples[0] != 16384 {
			t.Errorf("%s: samples %v, want [16384]", c.name, a.Samples)
		}
	}
}

func TestParseWAVStreamedSize(t *testing.T) {
	// espeak-ng writing to a pipe cannot seek back, so its header claims
	// 0x7ffff000 bytes of data: the parser takes what is there.
	w := wavFile(1, 1, 22050, 16, nil, make([]byte, 1000))
	binary.LittleEndian.PutUint32(w[len(w)-1000-4:], 0x7ffff000)
	a, err := speech.ParseWAV(w)
	if err != nil || len(a.Samples) != 500 {
		t.Fatalf("got %v samples, err %v; want 500", a, err)
	}
}

func TestParseWAVRejects(t *testing.T) {
	good := wavFile(1, 1, 8000, 16, nil, make([]byte, 4))
	cases := map[string][]byte{
		"empty":        nil,
		"not RIFF":     append([]byte("RIFX"), good[4:]...),
		"not WAVE":     append(append([]byte{}, good[:8]...), append([]byte("AVI "), good[12:]...)...),
		"no data":      good[:36],
		"data first":   append(append([]byte{}, good[:12]...), []byte("data\x00\x00\x00\x00")...),
		"mu-law":       wavFile(7, 1, 8000, 8, nil, []byte{1}),
		"0 channels":   wavFile(1, 0, 8000, 16, nil, []byte{1, 2}),
		"9 channels":   wavFile(1, 9, 8000, 16, nil, make([]byte, 18)),
		"rate 0":       wavFile(1, 1, 0, 16, nil, []byte{1, 2}),
		"rate 10 MHz":  wavFile(1, 1, 10_000_000, 16, nil, []byte{1, 2}),
		"12-bit":       wavFile(1, 1, 8000, 12, nil, []byte{1, 2}),
		"64-bit float": wavFile(3, 1, 8000, 64, nil, make([]byte, 8)),
		"short fmt":    append(append([]byte{}, good[:12]...), []byte("fmt \x08\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00")...),
	}
	bad := wavFile(1, 1, 8000, 16, nil, []byte{1, 2})
	binary.LittleEndian.PutUint16(bad[32:], 4) // block align ≠ channels*bits/8
	cases["block align"] = bad
	for name, b := range cases {
		if a, err := speech.ParseWAV(b); err == nil {
			t.Errorf("%s: accepted (%d samples at %d Hz)", name, len(a.Samples), a.Rate)
		} else if speech.ReasonOf(err) != speech.ReasonBadOutput {
			t.Errorf("%s: reason %q, want %q", name, speech.ReasonOf(err), speech.ReasonBadOutput)
		}
	}
}

func TestToneAndBeep(t *testing.T) {
	a := speech.Tone(1000, time.Second)
	if a.Rate != 8000 || len(a.Samples) != 8000 {
		t.Fatalf("%d samples at %d Hz", len(a.Samples), a.Rate)
	}
	if l := level(a, 1000); math.Abs(l-0.5) > 0.01 {
		t.Errorf("1 kHz level %.3f, want 0.5", l)
	}
	if a.Samples[0] != 0 || a.Samples[len(a.Samples)-1] != 0 {
		t.Error("tone does not fade in and out")
	}
	b := speech.Beep()
	if d := b.Duration(); d < 500*time.Millisecond || d > 2*time.Second {
		t.Errorf("beep lasts %v", d)
	}
	if b.RMS() < 0.1 {
		t.Errorf("beep RMS %.3f", b.RMS())
	}
}

func FuzzParseWAV(f *testing.F) {
	var buf bytes.Buffer
	speech.Tone(440, 10*time.Millisecond).WriteWAV(&buf)
	f.Add(buf.Bytes())
	f.Add(wavFile(0xFFFE, 2, 44100, 24, []byte("LIST\x01\x00\x00\x00x\x00"), make([]byte, 12)))
	f.Add(wavFile(3, 1, 22050, 32, nil, []byte{0, 0, 0xc0, 0x7f}))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := speech.ParseWAV(b)
		if err != nil {
			if speech.ReasonOf(err) != speech.ReasonBadOutput {
				t.Fatalf("reason %q", speech.ReasonOf(err))
			}
			return
		}
		if a.Rate < 1000 || a.Rate > 384000 || len(a.Samples) > len(b) {
			t.Fatalf("accepted %d samples at %d Hz from %d bytes", len(a.Samples), a.Rate, len(b))
		}
		var out bytes.Buffer
		if err := a.WriteWAV(&out); err != nil {
			t.Fatal(err)
		}
		back, err := speech.ParseWAV(out.Bytes())
		if err != nil || back.Rate != a.Rate || !slices.Equal(back.Samples, a.Samples) {
			t.Fatalf("re-encoded audio does not parse back: %v", err)
		}
		if len(a.Samples) > 0 && len(a.Samples) < 4096 && a.Rate <= 48000 {
			if r := a.Resample(speech.Rate); r.Rate != speech.Rate {
				t.Fatalf("resampled to %d Hz", r.Rate)
			}
		}
	})
}
