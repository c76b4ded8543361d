package speech

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Command is an Engine that runs any text-to-speech program, for operators
// who want better voices than espeak-ng (Piper, RHVoice, …). The program
// runs with an argument list built from Args (never through a shell); in
// each argument these placeholders are replaced, in one pass:
//
//	{text}    the cleaned text (if no argument has it, the text goes to stdin)
//	{voice}   the Voices entry for the voice (see Voices)
//	{lang}    the voice's language, an espeak-ng name such as "de" or "en-us"
//	{gender}  "female" or "male"
//	{out}     a fresh temporary file path ending in .wav; the program
//	          writes the WAV there (without {out} it writes WAV to stdout)
//
// Any WAV the parser accepts is converted to 8 kHz mono. Text that starts
// with '-' gets a leading space, so a program never takes it for an option.
//
// Example (Piper): Path "piper", Args {"--model", "{voice}", "--output_file", "{out}"},
// Voices {"de": "/voices/de_DE-thorsten-medium.onnx", "": "/voices/en_US-amy-medium.onnx"}.
type Command struct {
	Label     string            // name in logs and errors; "" is "command:" + the program's base name
	Path      string            // the program
	Args      []string          // argument template
	Voices    map[string]string // {voice} by Bitrix24 voice id, else by language, else by ""; default the voice id
	Package   string            // Debian package that brings the program, named in errors when it is missing
	Timeout   time.Duration     // per synthesis; 0 is DefaultTimeout
	MaxText   int               // longest text in characters; 0 is DefaultMaxText
	MaxOutput int               // most bytes of WAV the program may write; 0 (or more) is MaxWAVBytes
	TempDir   string            // where {out} files are made; "" is os.TempDir()
}

// Name returns Label or "command:<program>".
func (c *Command) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return "command:" + filepath.Base(c.Path)
}

// Key identifies the program, its arguments and voices, for the Cache.
func (c *Command) Key() string {
	h := sha256.New()
	h.Write([]byte(c.Path))
	for _, a := range c.Args {
		h.Write([]byte{0})
		h.Write([]byte(a))
	}
	keys := make([]string, 0, len(c.Voices))
	for k := range c.Voices {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h.Write([]byte("\x00" + k + "=" + c.Voices[k]))
	}
	return c.Name() + " " + hex.EncodeToString(h.Sum(nil)[:8])
}

// voiceArg returns the value of {voice} for v.
func (c *Command) voiceArg(v Voice) string {
	for _, k := range []string{v.ID, v.Language, ""} {
		if s, ok := c.Voices[k]; ok {
			return s
		}
	}
	return v.ID
}

// Synthesize runs the program for text and voice v and returns its output
// at 8 kHz.
func (c *Command) Synthesize(ctx context.Context, text string, v Voice) (*Audio, error) {
	return toRate(c.SynthesizeNative(ctx, text, v))
}

// SynthesizeNative runs the program for text and voice v and returns its
// output at the program's own rate, before the telephone step.
func (c *Command) SynthesizeNative(ctx context.Context, text string, v Voice) (*Audio, error) {
	if c.Path == "" {
		return nil, errorf(ReasonConfig, c.Name(), nil, "no program configured for the command engine")
	}
	t, err := prepare(c.Name(), text, c.MaxText)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(t, "-") {
		t = " " + t
	}
	var out, stdin string
	inArgs, toFile := false, false
	for _, a := range c.Args {
		inArgs = inArgs || strings.Contains(a, "{text}")
		toFile = toFile || strings.Contains(a, "{out}")
	}
	if !inArgs {
		stdin = t
	}
	if toFile {
		dir, err := os.MkdirTemp(c.TempDir, "speech-")
		if err != nil {
			return nil, errorf(ReasonConfig, c.Name(), err, "cannot make a temporary directory for {out}")
		}
		defer os.RemoveAll(dir)
		out = filepath.Join(dir, "out.wav")
	}
	r := strings.NewReplacer("{text}", t, "{voice}", c.voiceArg(v), "{lang}", v.Language,
		"{gender}", v.Gender.String(), "{out}", out)
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = r.Replace(a)
	}
	max := outputLimit(c.MaxOutput)
	wav, err := run(ctx, c.Name(), c.Package, c.Timeout, max, c.Path, args, stdin)
	if err != nil {
		return nil, err
	}
	if toFile {
		fi, err := os.Stat(out)
		if err != nil {
			return nil, errorf(ReasonBadOutput, c.Name(), err, "the program wrote no file to {out}")
		}
		if fi.Size() > int64(max) {
			return nil, errorf(ReasonBadOutput, c.Name(), nil, "the program wrote %d bytes, more than %d", fi.Size(), max)
		}
		if wav, err = os.ReadFile(out); err != nil {
			return nil, errorf(ReasonBadOutput, c.Name(), err, "reading the program's {out} file")
		}
	}
	return decodeNative(c.Name(), wav)
}
