package speech

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// RHVoicePath and RHVoiceVoices are where Debian installs RHVoice's test
// program and its voices.
const (
	RHVoicePath   = "RHVoice-test"
	RHVoiceVoices = "/usr/share/RHVoice/voices"
)

// RHVoice speaks with RHVoice's voices through its test program, the text
// on standard input and WAV (24 kHz) on standard output, run with an
// argument list (never a shell). The zero value is ready to use.
type RHVoice struct {
	Path    string        // program; "" is RHVoicePath from PATH
	Dir     string        // the voices' directory; "" is RHVoiceVoices
	Timeout time.Duration // per synthesis; 0 is DefaultTimeout
	MaxText int           // longest text in characters; 0 is DefaultMaxText
}

// Name returns "rhvoice".
func (r *RHVoice) Name() string { return EngineRHVoice }

func (r *RHVoice) path() string {
	if r.Path == "" {
		return RHVoicePath
	}
	return r.Path
}

func (r *RHVoice) dir() string {
	if r.Dir == "" {
		return RHVoiceVoices
	}
	return r.Dir
}

// Installed reports whether the program is found and the voice's data is
// installed. RHVoice-test speaks an unknown voice with its default one
// without an error, so the data is looked for first.
func (r *RHVoice) Installed(voice string) bool {
	if !programFound(r.path()) || !rhvoiceName.MatchString(voice) {
		return false
	}
	fi, err := os.Stat(filepath.Join(r.dir(), voice, "voice.info"))
	return err == nil && fi.Mode().IsRegular()
}

var rhvoiceName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,39}$`)

// Speak speaks text with the named RHVoice voice and returns it at
// RHVoice's own rate.
func (r *RHVoice) Speak(ctx context.Context, text, voice string) (*Audio, error) {
	t, err := prepare(r.Name(), text, r.MaxText)
	if err != nil {
		return nil, err
	}
	if !r.Installed(voice) {
		return nil, r.missing(voice)
	}
	wav, err := run(ctx, r.Name(), RHVoicePackage, r.Timeout, MaxWAVBytes, r.path(), []string{"-p", voice, "-o", "-"}, t)
	if err != nil {
		return nil, err
	}
	return decodeNative(r.Name(), wav)
}

// missing is the error of a voice that is not installed, naming the
// package that brings it.
func (r *RHVoice) missing(voice string) *Error {
	e := errorf(ReasonMissing, r.Name(), nil, "voice %q is not installed in %s", voice, r.dir())
	e.Package = RHVoicePackage
	if p := PackagesOf(EngineRHVoice, voice); p != "" {
		e.Package = p
	}
	return e
}

// Synthesize speaks text with RHVoice's preferred voice for v's language
// that allows commercial use (see Voices) and returns it at 8 kHz.
func (r *RHVoice) Synthesize(ctx context.Context, text string, v Voice) (*Audio, error) {
	return toRate(r.SynthesizeNative(ctx, text, v))
}

// SynthesizeNative is Synthesize at RHVoice's own rate.
func (r *RHVoice) SynthesizeNative(ctx context.Context, text string, v Voice) (*Audio, error) {
	n, ok := pick(v, false, func(i int) bool { return catalog[i].engine == EngineRHVoice && r.Installed(catalog[i].name) })
	if !ok {
		e := errorf(ReasonMissing, r.Name(), nil, "no installed voice for %s", v.Language)
		e.Package = installHint(v.Language, EngineRHVoice)
		return nil, e
	}
	return r.Speak(ctx, text, n.name)
}

// toRate converts an engine's own output to Rate.
func toRate(a *Audio, err error) (*Audio, error) {
	if err != nil {
		return nil, err
	}
	return a.Resample(Rate), nil
}
