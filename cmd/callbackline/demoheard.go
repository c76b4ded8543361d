//go:build demo

package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/speech"
)

// checkHeard compares what the employee's phone heard in the i-th
// request's call (the WAV at path) with the announcement the service made of that request
// and of the other requests: it must match its own announcement, and
// better than any other, which shows the employee heard the request in
// its own voice. It prints which engine and voice spoke it.
func (d *demoRun) checkHeard(i int, path string) error {
	req := demoRequests[i]
	heard, err := siptest.ReadWAV(path)
	if err != nil {
		return err
	}
	own, other := 0.0, 0.0
	for j, r := range demoRequests {
		ann, err := d.announcement(r.Text)
		if err != nil {
			return err
		}
		s := similarity(heard.Channels[0], ann.Channels[0], heard.Rate)
		if j == i {
			own = s
		} else {
			other = math.Max(other, s)
		}
	}
	v := speech.VoiceForText(req.Voice, req.Text)
	how := "espeak-ng"
	if a, ok := d.app.cfg.SpeechEngine().(*speech.Auto); ok {
		c := a.Choose(v)
		how = c.Engine + " " + c.Name
	}
	d.say("the employee's phone heard the %s request spoken by %s (similarity %.2f to its announcement, %.2f to the other's; %.1f s heard)",
		v.Language, how, own, other, heard.Duration())
	if own < 0.6 || own <= other {
		return fmt.Errorf("the employee did not hear the %s announcement (similarity %.2f, the other's %.2f)", v.Language, own, other)
	}
	return nil
}

// announcement reads the service's cached announcement of text.
func (d *demoRun) announcement(text string) (*siptest.Audio, error) {
	key := (&speech.Cache{}).AnnouncementKey(text)
	m, _ := filepath.Glob(filepath.Join(d.app.cfg.SpeechCacheDir(), key+"-*.wav"))
	if len(m) != 1 {
		return nil, fmt.Errorf("the announcement of %q: %d files in the speech cache, want 1", text, len(m))
	}
	return siptest.ReadWAV(m[0])
}

// nthFile waits until at least n files match pattern, then returns the
// n-th by name (baresip names its recordings by time), complete: its size
// unchanged for 200 ms.
func nthFile(ctx context.Context, pattern string, n int) (string, error) {
	last := int64(-1)
	for {
		m, _ := filepath.Glob(pattern)
		sort.Strings(m)
		if len(m) >= n {
			if fi, err := os.Stat(m[n-1]); err == nil && fi.Size() > 44 && fi.Size() == last {
				return m[n-1], nil
			} else if err == nil {
				last = fi.Size()
			}
		}
		select {
		case <-ctx.Done():
			return "", errors.New("no recording " + pattern + " appeared")
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// similarity says how well heard contains ann (both at rate): the mean,
// over ann's one-second pieces, of the best correlation of the piece's
// loudness contour (20 ms frames, in dB) with heard's near where the
// previous piece matched. Silent frames are left out of both first: a
// busy machine sends some packets late, and the phone keeps the wait as
// silence, which would shift the rest. Speech matched with itself through
// the telephone gives 0.7 to 1; two different sentences about 0.4 to 0.6.
func similarity(heard, ann []float64, rate int) float64 {
	h, a := voiced(contour(heard, rate)), voiced(contour(ann, rate))
	const piece, slack = 50, 25 // frames: 1 s pieces, searched ±0.5 s
	pos, sum, n := 0, 0.0, 0
	for p := 0; p+piece <= len(a); p += piece {
		best, at := -1.0, pos
		for lag := max(0, pos-slack); lag <= pos+slack && lag+piece <= len(h); lag++ {
			if c := pearson(a[p:p+piece], h[lag:lag+piece]); c > best {
				best, at = c, lag
			}
		}
		if best > -1 {
			sum += best
			n++
		}
		pos = at + piece
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// voiced returns the frames of c louder than -55 dB.
func voiced(c []float64) []float64 {
	var out []float64
	for _, v := range c {
		if v > -55 {
			out = append(out, v)
		}
	}
	return out
}

// contour returns the loudness of each 20 ms frame in dB, at least -60.
func contour(x []float64, rate int) []float64 {
	frame := rate / 50
	var out []float64
	for i := 0; i+frame <= len(x); i += frame {
		var e float64
		for _, v := range x[i : i+frame] {
			e += v * v
		}
		out = append(out, math.Max(-60, 10*math.Log10(e/float64(frame)+1e-12)))
	}
	return out
}

// pearson is the correlation of two series of the same length.
func pearson(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}
