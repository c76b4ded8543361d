package sip

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/audio"
	"github.com/emiago/diago/media"

	"github.com/callbackline/callbackline/sip/internal/wav"
)

const (
	rate        = 8000
	frameSamp   = 160 // 20 ms at 8 kHz
	frameBytes  = 2 * frameSamp
	dtmfBacklog = 8
)

// leg is an answered call with its media.
type leg struct {
	info   *Leg
	dlg    *diago.DialogClientSession
	med    *diago.DialogMedia
	codec  media.Codec
	reader io.Reader
	writer io.Writer

	last atomic.Int64                 // unix nanos of the last RTP packet received
	sink atomic.Pointer[func([]byte)] // where received payloads go
	dtmf chan rune
	done chan struct{} // closed when the reader loop ends
	wmu  sync.Mutex    // one writer at a time (player or bridge)

	// Hold (see hold.go): the direction of the SDP being applied and
	// whether the far end has put the leg on hold.
	hmu     sync.Mutex
	offered string
	held    atomic.Bool
	untrack func() // stops watching the leg's re-INVITEs; nil if not watched
}

// startMedia prepares reading and writing on an answered leg and starts its
// reader loop. DTMF (telephone-event) is decoded when negotiated.
func (l *leg) startMedia() error {
	l.codec = media.CodecAudioFromSession(l.med.MediaSession())
	l.info.Codec = l.codec.Name
	w, err := l.med.AudioWriter()
	if err != nil {
		return err
	}
	l.writer = w
	l.dtmf = make(chan rune, dtmfBacklog)
	if dr, err := l.med.AudioReaderDTMF(); err == nil {
		dr.OnDTMF(func(r rune) error {
			select {
			case l.dtmf <- r:
			default:
			}
			return nil
		})
		l.reader = dr
	} else {
		r, err := l.med.AudioReader()
		if err != nil {
			return err
		}
		l.reader = r
	}
	l.last.Store(time.Now().UnixNano())
	l.done = make(chan struct{})
	go l.readLoop()
	return nil
}

// readLoop reads RTP payloads until the media closes, noting when the last
// packet came and handing payloads to the current sink.
func (l *leg) readLoop() {
	defer close(l.done)
	buf := make([]byte, media.RTPBufSize)
	for {
		n, err := l.reader.Read(buf)
		if err != nil {
			return
		}
		l.last.Store(time.Now().UnixNano())
		if n == 0 || l.med.RTPPacketReader.PacketHeader.PayloadType != l.codec.PayloadType {
			continue // keep-alive, comfort noise or telephone-event
		}
		if s := l.sink.Load(); s != nil {
			(*s)(buf[:n])
		}
	}
}

// silentFor is how long no RTP came from this leg.
func (l *leg) silentFor(now time.Time) time.Duration {
	return now.Sub(time.Unix(0, l.last.Load()))
}

// hungUp reports whether the far end ended the dialog.
func (l *leg) hungUp() bool { return l.dlg != nil && l.dlg.Context().Err() != nil }

// close ends the leg's media and waits for its reader loop.
func (l *leg) close(ctx context.Context) {
	if l.untrack != nil {
		l.untrack()
	}
	if l.dlg != nil {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second) // BYE even when cancelled
		_ = l.dlg.Hangup(hctx)
		cancel()
		_ = l.dlg.Close()
	}
	if l.med != nil {
		_ = l.med.Close()
	}
	if l.done != nil {
		<-l.done
	}
}

// source yields 20 ms frames of 8 kHz 16-bit PCM.
type source interface {
	// frame fills p (frameBytes) and reports false at the end.
	frame(p []byte) (bool, error)
}

// play sends frames from src to the leg until src ends, ctx is done or
// check returns an error. The RTP writer paces writes at 20 ms.
func (l *leg) play(ctx context.Context, src source, check func() error) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	pcm := make([]byte, frameBytes)
	enc := make([]byte, frameSamp)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if check != nil {
			if err := check(); err != nil {
				return err
			}
		}
		more, err := src.frame(pcm)
		if err != nil {
			return &Error{Kind: KindMedia, Reason: "cannot read the announcement", Err: err}
		}
		if !more {
			return nil
		}
		n, err := encode(l.codec, enc, pcm)
		if err != nil {
			return &Error{Kind: KindMedia, Reason: "cannot encode audio", Err: err}
		}
		sent := time.Now() // Write sends at once, then waits for the 20 ms clock
		if _, err := l.writer.Write(enc[:n]); err != nil {
			return err
		}
		if l.info != nil && l.info.FirstAudio.IsZero() {
			l.info.FirstAudio = sent
		}
	}
}

func encode(c media.Codec, dst, pcm []byte) (int, error) {
	if c.PayloadType == media.CodecAudioAlaw.PayloadType {
		return audio.EncodeAlawTo(dst, pcm)
	}
	return audio.EncodeUlawTo(dst, pcm)
}

func decode(c media.Codec, dst, enc []byte) (int, error) {
	if c.PayloadType == media.CodecAudioAlaw.PayloadType {
		return audio.DecodeAlawTo(dst, enc)
	}
	return audio.DecodeUlawTo(dst, enc)
}

// wavSource plays an 8 kHz mono 16-bit WAV file.
type wavSource struct{ f *wav.File }

func openWAVSource(path string) (*wavSource, error) {
	f, err := wav.Open(path)
	if err != nil {
		return nil, &Error{Kind: KindMedia, Reason: "cannot open the announcement", Err: err}
	}
	if f.Rate != rate || f.Channels != 1 {
		f.Close()
		return nil, &Error{Kind: KindMedia, Reason: fmt.Sprintf("the announcement must be 8000 Hz mono 16-bit; %s is %d Hz with %d channels (resample it first)", path, f.Rate, f.Channels)}
	}
	return &wavSource{f: f}, nil
}

func checkAnnouncement(path string) error {
	s, err := openWAVSource(path)
	if err != nil {
		return err
	}
	return s.Close()
}

func (s *wavSource) frame(p []byte) (bool, error) {
	n, err := io.ReadFull(s.f, p)
	if n == 0 {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return false, nil
		}
		return false, err
	}
	clear(p[n:])
	return true, nil
}

// Close closes the file.
func (s *wavSource) Close() error { return s.f.Close() }

// ringback is the European ringing tone: 425 Hz, 1 s on, 4 s off. It sends
// silence frames in the pauses so the employee's phone keeps getting RTP.
type ringback struct{ n int }

func (r *ringback) frame(p []byte) (bool, error) {
	for i := 0; i < frameSamp; i++ {
		t := r.n + i
		var v int16
		if t%(5*rate) < rate {
			v = int16(8000 * math.Sin(2*math.Pi*425*float64(t)/rate))
		}
		binary.LittleEndian.PutUint16(p[2*i:], uint16(v))
	}
	r.n += frameSamp
	return true, nil
}

// forwarder turns payloads read from one leg into payloads for the other,
// transcoding PCMU<->PCMA when the legs negotiated different codecs, and
// feeds the recorder. G.711 has one byte per sample, so the RTP timestamp
// advances by the payload length.
func forwarder(from, to *leg, rec *recorder, ch int) func([]byte) {
	same := from.codec.PayloadType == to.codec.PayloadType
	pcm := make([]byte, 2*media.RTPBufSize)
	out := make([]byte, media.RTPBufSize)
	return func(p []byte) {
		var decoded []byte
		if rec != nil || !same {
			n, err := decode(from.codec, pcm, p)
			if err != nil {
				return
			}
			decoded = pcm[:n]
		}
		if rec != nil {
			rec.write(ch, decoded)
		}
		payload := p
		if !same {
			n, err := encode(to.codec, out, decoded)
			if err != nil {
				return
			}
			payload = out[:n]
		}
		// The source is already paced: send at once, without the writer's
		// 20 ms clock, so a late packet never holds up the next one.
		_, _ = to.med.RTPPacketWriter.WriteSamples(payload, uint32(len(payload)), false, to.codec.PayloadType)
	}
}

// beeps is the fallback announcement: three 200 ms beeps at 600 Hz, 200 ms
// apart, then the end.
type beeps struct{ n int }

func (b *beeps) frame(p []byte) (bool, error) {
	const total = rate // 1 s
	if b.n >= total {
		return false, nil
	}
	for i := 0; i < frameSamp; i++ {
		t := b.n + i
		var v int16
		if t%(rate*2/5) < rate/5 {
			v = int16(8000 * math.Sin(2*math.Pi*600*float64(t)/rate))
		}
		binary.LittleEndian.PutUint16(p[2*i:], uint16(v))
	}
	b.n += frameSamp
	return true, nil
}
