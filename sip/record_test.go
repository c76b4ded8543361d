package sip

import (
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip/internal/wav"
)

// TestRecorderKeepsTime writes a frame, pauses, writes more: the pause must
// come out as silence and both channels must line up in time. The
// recorder's clock is the test's, so a busy machine changes nothing.
func TestRecorderKeepsTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.wav")
	r, err := newRecorder(path)
	if err != nil {
		t.Fatal(err)
	}
	now := r.start
	r.now = func() time.Time { return now }
	frame := func(v int16) []byte {
		b := make([]byte, frameBytes)
		for i := 0; i < frameSamp; i++ {
			binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
		}
		return b
	}
	now = now.Add(20 * time.Millisecond)
	r.write(0, frame(1000))
	now = now.Add(300 * time.Millisecond)
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
	// A frame that arrives within the jitter allowance is not delayed.
	if p := at(find(0, 1000)); p != 0 {
		t.Errorf("first left frame at %s, want 0", p)
	}
	// It ends at 20 ms, when it came; the next came 300 ms later.
	l2, r1 := at(find(0, 2000)), at(find(1, 3000))
	if l2 != 300*time.Millisecond {
		t.Errorf("second left frame at %s, want 300ms (the pause kept as silence)", l2)
	}
	if r1 != l2 {
		t.Errorf("channels out of step: left %s, right %s", l2, r1)
	}
	if sil := s[2*find(0, 1000)+2*frameSamp]; sil != 0 {
		t.Errorf("no silence after the first frame: %d", sil)
	}
}
