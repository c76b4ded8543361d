package speech

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
)

// MaxWAVBytes bounds the WAV data read from an engine or a file: 64 MiB,
// about 25 minutes of 22 kHz speech, far more than any announcement.
const MaxWAVBytes = 64 << 20

const (
	wavPCM        = 1
	wavFloat      = 3
	wavExtensible = 0xFFFE
)

// ParseWAV decodes a RIFF/WAVE file of integer PCM (8, 16, 24 or 32 bits)
// or 32-bit float, with 1 to 8 channels, into mono Audio at the file's own
// rate (channels are averaged). The header is validated, as it is outside
// input; a data size larger than the file (as espeak-ng writes when it
// streams to a pipe) means "up to the end".
func ParseWAV(b []byte) (*Audio, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, badWAV("no RIFF/WAVE header")
	}
	var f *wavFormat
	p := 12
	for p+8 <= len(b) {
		id := string(b[p : p+4])
		size := int64(binary.LittleEndian.Uint32(b[p+4 : p+8]))
		p += 8
		rest := int64(len(b) - p)
		switch id {
		case "fmt ":
			if size < 16 || size > rest {
				return nil, badWAV("fmt chunk of %d bytes", size)
			}
			var err error
			if f, err = parseFmt(b[p : p+int(size)]); err != nil {
				return nil, err
			}
		case "data":
			if f == nil {
				return nil, badWAV("data before fmt")
			}
			return decodePCM(b[p:p+int(min(size, rest))], f.format, f.channels, f.bits, f.rate), nil
		}
		if size > rest {
			break
		}
		p += int(size) + int(size&1)
	}
	return nil, badWAV("no data chunk")
}

// badWAV is the error of a WAV that ParseWAV refuses.
func badWAV(format string, args ...any) error {
	return errorf(ReasonBadOutput, "", nil, "invalid WAV: "+format, args...)
}

// wavFormat is what a fmt chunk says.
type wavFormat struct {
	format, channels, bits int // format is wavPCM or wavFloat
	align, rate            int
}

// parseFmt reads a fmt chunk (16 bytes or more) and checks that
// decodePCM can decode its samples.
func parseFmt(c []byte) (*wavFormat, error) {
	f := &wavFormat{
		format:   int(binary.LittleEndian.Uint16(c[0:])),
		channels: int(binary.LittleEndian.Uint16(c[2:])),
		rate:     int(binary.LittleEndian.Uint32(c[4:])),
		align:    int(binary.LittleEndian.Uint16(c[12:])),
		bits:     int(binary.LittleEndian.Uint16(c[14:])),
	}
	if f.format == wavExtensible {
		if len(c) < 40 {
			return nil, badWAV("extensible fmt chunk of %d bytes", len(c))
		}
		f.format = int(binary.LittleEndian.Uint16(c[24:]))
	}
	switch {
	case f.format != wavPCM && f.format != wavFloat:
		return nil, badWAV("format %d is not PCM", f.format)
	case f.channels < 1 || f.channels > 8:
		return nil, badWAV("%d channels", f.channels)
	case f.rate < 1000 || f.rate > 384000:
		return nil, badWAV("sample rate %d", f.rate)
	case f.format == wavPCM && f.bits != 8 && f.bits != 16 && f.bits != 24 && f.bits != 32:
		return nil, badWAV("%d bits per sample", f.bits)
	case f.format == wavFloat && f.bits != 32:
		return nil, badWAV("%d-bit float", f.bits)
	case f.align != f.channels*f.bits/8:
		return nil, badWAV("block align %d for %d channels of %d bits", f.align, f.channels, f.bits)
	}
	return f, nil
}

func decodePCM(d []byte, format, channels, bits, rate int) *Audio {
	width := bits / 8
	frames := len(d) / (width * channels)
	a := &Audio{Samples: make([]int16, frames), Rate: rate}
	for i := range frames {
		var sum float64
		for ch := range channels {
			o := (i*channels + ch) * width
			var v float64
			switch {
			case format == wavFloat:
				v = float64(math.Float32frombits(binary.LittleEndian.Uint32(d[o:])))
				if math.IsNaN(v) {
					v = 0
				}
			case bits == 8:
				v = (float64(d[o]) - 128) / 128
			case bits == 16:
				v = float64(int16(binary.LittleEndian.Uint16(d[o:]))) / 32768
			case bits == 24:
				x := int32(uint32(d[o])<<8|uint32(d[o+1])<<16|uint32(d[o+2])<<24) >> 8
				v = float64(x) / (1 << 23)
			default:
				v = float64(int32(binary.LittleEndian.Uint32(d[o:]))) / (1 << 31)
			}
			sum += v
		}
		a.Samples[i] = toInt16(sum / float64(channels))
	}
	return a
}

// toInt16 converts a sample in [-1, 1] to int16, rounding and clipping.
func toInt16(v float64) int16 {
	v = math.Round(v * 32768)
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(v)
}

// ReadWAV reads at most MaxWAVBytes from r and parses them with ParseWAV.
func ReadWAV(r io.Reader) (*Audio, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, MaxWAVBytes+1))
	if err != nil {
		return nil, errorf(ReasonBadOutput, "", err, "reading WAV")
	}
	if n > MaxWAVBytes {
		return nil, errorf(ReasonBadOutput, "", nil, "WAV larger than %d bytes", MaxWAVBytes)
	}
	return ParseWAV(buf.Bytes())
}
