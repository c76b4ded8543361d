package sip

import (
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip/internal/wav"
)

// TestRecorderKeepsTime writes a frame, pauses, writes more: the pause must
// come out as silence and both channels must line up in time.
func TestRecorderKeepsTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.wav")
	r, err := newRecorder(path)
	if err != nil {
		t.Fatal(err)
	}
	frame := func(v int16) []byte {
		b := make([]byte, frameBytes)
		for i := 0; i < frameSamp; i++ {
			binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
		}
		return b
	}
	time.Sleep(20 * time.Millisecond)
	r.write(0, frame(1000))
	time.Sleep(300 * time.Millisecond)
	r.write(0, frame(2000))
	r.write(1, frame(3000))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	f, s, err := wav.Samples(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Channels != 2 || f.Rate != 8000 {
		t.Fatalf("format %+v", f)
	}
	find := func(ch int, v int16) int {
		for i := ch; i < len(s); i += 2 {
			if s[i] == v {
				return i / 2
			}
		}
		return -1
	}
	at := func(n int) time.Duration { return time.Duration(n) * time.Second / 8000 }
	if p := at(find(0, 1000)); p > 40*time.Millisecond {
		t.Errorf("first left frame at %s", p)
	}
	l2, r1 := at(find(0, 2000)), at(find(1, 3000))
	if l2 < 250*time.Millisecond || l2 > 400*time.Millisecond {
		t.Errorf("second left frame at %s, want about 300ms (the pause kept as silence)", l2)
	}
	if d := l2 - r1; d < -30*time.Millisecond || d > 30*time.Millisecond {
		t.Errorf("channels out of step: left %s, right %s", l2, r1)
	}
	if sil := s[2*find(0, 1000)+2*frameSamp]; sil != 0 {
		t.Errorf("no silence after the first frame: %d", sil)
	}
}
