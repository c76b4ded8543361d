package wav

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.wav")
	in := []int16{0, 1, -1, 32767, -32768, 1234}
	if err := Write(p, Format{Rate: 8000, Channels: 2}, in); err != nil {
		t.Fatal(err)
	}
	f, out, err := Samples(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.Rate != 8000 || f.Channels != 2 || len(out) != len(in) {
		t.Fatalf("%+v %v", f, out)
	}
	for i := range in {
		if in[i] != out[i] {
			t.Fatalf("sample %d: %d != %d", i, out[i], in[i])
		}
	}
}

func TestRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":    nil,
		"not riff": []byte("RIFX\x00\x00\x00\x00WAVE"),
		"8-bit":    append(Header(Format{8000, 1}, 0)[:34], []byte("\x08\x00data\x00\x00\x00\x00")...),
		"no data":  Header(Format{8000, 1}, 0)[:36],
	} {
		if _, _, err := ReadHeader(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzReadHeader feeds arbitrary bytes to the header parser: it must never
// panic, and what it accepts must be 16-bit PCM of a sane shape.
func FuzzReadHeader(f *testing.F) {
	f.Add(Header(Format{8000, 1}, 320))
	f.Add(Header(Format{22050, 2}, 0))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVELIST\x04\x00\x00\x00abcdfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		format, n, err := ReadHeader(bytes.NewReader(b))
		if err != nil {
			return
		}
		if format.Channels < 1 || format.Channels > 2 || format.Rate < 1000 || n < 0 || n > maxChunk {
			t.Fatalf("accepted %+v len %d", format, n)
		}
	})
}
