package sip

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/callbackline/callbackline/sip/internal/wav"
)

// recorder writes a stereo WAV (left: employee, right: client). Each
// channel is written to its own temporary file as packets arrive, padded
// with silence to wall-clock time so that gaps stay gaps and both channels
// stay aligned; Close interleaves them into the WAV.
type recorder struct {
	path  string
	start time.Time
	now   func() time.Time // the wall clock; tests set their own
	mu    sync.Mutex
	ch    [2]*channel
	err   error
}

type channel struct {
	f   *os.File
	w   *bufio.Writer
	pos int64 // samples written
}

// slack is how far a channel may lag wall-clock time before silence is
// inserted: more than network jitter, less than a word.
const slack = 3 * frameSamp

func newRecorder(path string) (*recorder, error) {
	r := &recorder{path: path, start: time.Now(), now: time.Now}
	dir := filepath.Dir(path)
	for i := range r.ch {
		f, err := os.CreateTemp(dir, ".rec-*.pcm")
		if err != nil {
			r.cleanup()
			return nil, &Error{Kind: KindMedia, Reason: "cannot create the recording in " + dir, Err: err}
		}
		r.ch[i] = &channel{f: f, w: bufio.NewWriterSize(f, 4096)}
	}
	return r, nil
}

// write appends PCM received on channel ch (0 left, 1 right).
func (r *recorder) write(ch int, pcm []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	c := r.ch[ch]
	samples := int64(len(pcm) / 2)
	due := int64(r.now().Sub(r.start)*rate/time.Second) - samples
	if due-c.pos > slack {
		r.silence(c, due-c.pos)
	}
	if _, err := c.w.Write(pcm); err != nil {
		r.err = err
	}
	c.pos += samples
}

var zeros [frameBytes]byte

func (r *recorder) silence(c *channel, n int64) {
	for n > 0 && r.err == nil {
		k := min(n, frameSamp)
		if _, err := c.w.Write(zeros[:2*k]); err != nil {
			r.err = err
		}
		c.pos += k
		n -= k
	}
}

// Close pads both channels to the call's length and writes the WAV.
func (r *recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.cleanup()
	end := int64(r.now().Sub(r.start) * rate / time.Second)
	for _, c := range r.ch {
		if c.pos < end {
			r.silence(c, end-c.pos)
		}
		end = max(end, c.pos)
	}
	for _, c := range r.ch {
		if c.pos < end {
			r.silence(c, end-c.pos)
		}
		if err := c.w.Flush(); err != nil && r.err == nil {
			r.err = err
		}
		if _, err := c.f.Seek(0, io.SeekStart); err != nil && r.err == nil {
			r.err = err
		}
	}
	if r.err != nil {
		return &Error{Kind: KindMedia, Reason: "cannot write the recording", Err: r.err}
	}
	out, err := os.Create(r.path)
	if err != nil {
		return &Error{Kind: KindMedia, Reason: "cannot create the recording", Err: err}
	}
	bw := bufio.NewWriterSize(out, 8192)
	_, err = bw.Write(wav.Header(wav.Format{Rate: rate, Channels: 2}, end*4))
	// Interleave in blocks: 1024 samples of each channel at a time.
	const block = 1024
	lb, rb, lr := make([]byte, 2*block), make([]byte, 2*block), make([]byte, 4*block)
	for left := end; left > 0 && err == nil; {
		k := min(left, block)
		if _, err = io.ReadFull(r.ch[0].f, lb[:2*k]); err != nil {
			break
		}
		if _, err = io.ReadFull(r.ch[1].f, rb[:2*k]); err != nil {
			break
		}
		for i := int64(0); i < k; i++ {
			copy(lr[4*i:4*i+2], lb[2*i:2*i+2])
			copy(lr[4*i+2:4*i+4], rb[2*i:2*i+2])
		}
		_, err = bw.Write(lr[:4*k])
		left -= k
	}
	err = errors.Join(err, bw.Flush(), out.Close())
	if err != nil {
		return &Error{Kind: KindMedia, Reason: "cannot write the recording", Err: err}
	}
	return nil
}

func (r *recorder) cleanup() {
	for _, c := range r.ch {
		if c != nil {
			c.f.Close()
			os.Remove(c.f.Name())
		}
	}
}
