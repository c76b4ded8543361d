// Package wav reads and writes the 16-bit PCM WAV files the dialer plays,
// records and checks: just enough RIFF to be strict about the format.
package wav

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Format describes 16-bit linear PCM audio.
type Format struct {
	Rate     int // samples per second
	Channels int // 1 mono, 2 stereo
}

// ErrFormat is returned for files that are not 16-bit PCM WAV.
var ErrFormat = errors.New("not a 16-bit PCM WAV file")

// maxChunk bounds chunk sizes we skip or read, so a hostile header cannot
// make us seek or allocate without limit.
const maxChunk = 1 << 30

// ReadHeader parses a RIFF/WAVE header up to the start of the data chunk
// and returns the format and the data length in bytes. r is left at the
// first sample.
func ReadHeader(r io.Reader) (Format, int64, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return Format{}, 0, fmt.Errorf("%w: short header", ErrFormat)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return Format{}, 0, fmt.Errorf("%w: no RIFF/WAVE signature", ErrFormat)
	}
	var f Format
	seenFmt := false
	for i := 0; i < 64; i++ {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return Format{}, 0, fmt.Errorf("%w: no data chunk", ErrFormat)
		}
		size := int64(binary.LittleEndian.Uint32(ch[4:8]))
		if size > maxChunk {
			return Format{}, 0, fmt.Errorf("%w: chunk %q too large", ErrFormat, ch[0:4])
		}
		switch string(ch[0:4]) {
		case "fmt ":
			if size < 16 || size > 1024 {
				return Format{}, 0, fmt.Errorf("%w: bad fmt chunk size %d", ErrFormat, size)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, b); err != nil {
				return Format{}, 0, fmt.Errorf("%w: short fmt chunk", ErrFormat)
			}
			tag := binary.LittleEndian.Uint16(b[0:2])
			f.Channels = int(binary.LittleEndian.Uint16(b[2:4]))
			f.Rate = int(binary.LittleEndian.Uint32(b[4:8]))
			bits := binary.LittleEndian.Uint16(b[14:16])
			if tag == 0xFFFE && size >= 26 { // WAVE_FORMAT_EXTENSIBLE: sub-format GUID starts at 24
				tag = binary.LittleEndian.Uint16(b[24:26])
			}
			if tag != 1 || bits != 16 {
				return Format{}, 0, fmt.Errorf("%w: format tag %d, %d bits", ErrFormat, tag, bits)
			}
			if f.Channels < 1 || f.Channels > 2 || f.Rate < 1000 || f.Rate > 192000 {
				return Format{}, 0, fmt.Errorf("%w: %d channels at %d Hz", ErrFormat, f.Channels, f.Rate)
			}
			seenFmt = true
		case "data":
			if !seenFmt {
				return Format{}, 0, fmt.Errorf("%w: data before fmt", ErrFormat)
			}
			return f, size, nil
		default:
			if _, err := io.CopyN(io.Discard, r, size+size%2); err != nil {
				return Format{}, 0, fmt.Errorf("%w: short chunk", ErrFormat)
			}
		}
	}
	return Format{}, 0, fmt.Errorf("%w: too many chunks", ErrFormat)
}

// Header returns a 44-byte canonical WAV header for dataLen bytes of audio.
func Header(f Format, dataLen int64) []byte {
	h := make([]byte, 44)
	copy(h[0:4], "RIFF")
	binary.LittleEndian.PutUint32(h[4:8], uint32(36+dataLen))
	copy(h[8:16], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:20], 16)
	binary.LittleEndian.PutUint16(h[20:22], 1)
	binary.LittleEndian.PutUint16(h[22:24], uint16(f.Channels))
	binary.LittleEndian.PutUint32(h[24:28], uint32(f.Rate))
	binary.LittleEndian.PutUint32(h[28:32], uint32(f.Rate*f.Channels*2))
	binary.LittleEndian.PutUint16(h[32:34], uint16(f.Channels*2))
	binary.LittleEndian.PutUint16(h[34:36], 16)
	copy(h[36:40], "data")
	binary.LittleEndian.PutUint32(h[40:44], uint32(dataLen))
	return h
}

// File is an open WAV file positioned at its samples.
type File struct {
	Format
	Len int64 // data length in bytes
	r   io.Reader
	f   *os.File
}

// Open opens a WAV file for reading its samples.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 2048)
	format, n, err := ReadHeader(br)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &File{Format: format, Len: n, r: io.LimitReader(br, n), f: f}, nil
}

// Read reads raw little-endian samples.
func (f *File) Read(p []byte) (int, error) { return f.r.Read(p) }

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// Samples reads a whole WAV file as int16 samples (interleaved when stereo).
func Samples(path string) (Format, []int16, error) {
	f, err := Open(path)
	if err != nil {
		return Format{}, nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return Format{}, nil, err
	}
	s := make([]int16, len(b)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return f.Format, s, nil
}

// Write writes int16 samples (interleaved when stereo) as a WAV file.
func Write(path string, f Format, s []int16) error {
	b := make([]byte, 44+2*len(s))
	copy(b, Header(f, int64(2*len(s))))
	for i, v := range s {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return os.WriteFile(path, b, 0o644)
}
