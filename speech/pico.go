package speech

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// PicoPath and PicoLang are where Debian installs SVOX Pico's program and
// its language data.
const (
	PicoPath = "pico2wave"
	PicoLang = "/usr/share/pico/lang"
)

// Pico speaks with SVOX Pico through pico2wave, which takes the text as
// an argument (after "--", so it is never an option) and writes a 16 kHz
// WAV file into a fresh temporary directory. The zero value is ready to
// use.
type Pico struct {
	Path    string        // program; "" is PicoPath from PATH
	Dir     string        // the language data; "" is PicoLang
	Timeout time.Duration // per synthesis; 0 is DefaultTimeout
	MaxText int           // longest text in characters; 0 is DefaultMaxText
	TempDir string        // where the WAV is written; "" is os.TempDir()
}

// Name returns "pico".
func (p *Pico) Name() string { return EnginePico }

func (p *Pico) path() string {
	if p.Path == "" {
		return PicoPath
	}
	return p.Path
}

func (p *Pico) dir() string {
	if p.Dir == "" {
		return PicoLang
	}
	return p.Dir
}

var picoLang = regexp.MustCompile(`^[a-z]{2}-[A-Z]{2}$`)

// Installed reports whether pico2wave is found and has the language's
// data (<lang>_ta.bin, as de-DE_ta.bin).
func (p *Pico) Installed(lang string) bool {
	if !programFound(p.path()) || !picoLang.MatchString(lang) {
		return false
	}
	fi, err := os.Stat(filepath.Join(p.dir(), lang+"_ta.bin"))
	return err == nil && fi.Mode().IsRegular()
}

// Speak speaks text in the pico2wave language lang ("de-DE") and returns
// it at Pico's own rate.
func (p *Pico) Speak(ctx context.Context, text, lang string) (*Audio, error) {
	t, err := prepare(p.Name(), text, p.MaxText)
	if err != nil {
		return nil, err
	}
	if !p.Installed(lang) {
		e := errorf(ReasonMissing, p.Name(), nil, "language %q is not installed in %s", lang, p.dir())
		e.Package = PicoPackage
		return nil, e
	}
	dir, err := os.MkdirTemp(p.TempDir, "pico-")
	if err != nil {
		return nil, errorf(ReasonConfig, p.Name(), err, "cannot make a temporary directory for pico2wave's WAV")
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "out.wav")
	if _, err := run(ctx, p.Name(), PicoPackage, p.Timeout, 4096, p.path(), []string{"-l", lang, "-w", out, "--", t}, ""); err != nil {
		return nil, err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return nil, errorf(ReasonBadOutput, p.Name(), err, "pico2wave wrote no WAV")
	}
	if fi.Size() > MaxWAVBytes {
		return nil, errorf(ReasonBadOutput, p.Name(), nil, "pico2wave wrote %d bytes, more than %d", fi.Size(), MaxWAVBytes)
	}
	wav, err := os.ReadFile(out)
	if err != nil {
		return nil, errorf(ReasonBadOutput, p.Name(), err, "reading pico2wave's WAV")
	}
	return decodeNative(p.Name(), wav)
}

// Synthesize speaks text in v's language, if Pico has it, and returns it
// at 8 kHz. Pico's voices are all female.
func (p *Pico) Synthesize(ctx context.Context, text string, v Voice) (*Audio, error) {
	return toRate(p.SynthesizeNative(ctx, text, v))
}

// SynthesizeNative is Synthesize at Pico's own rate.
func (p *Pico) SynthesizeNative(ctx context.Context, text string, v Voice) (*Audio, error) {
	n, ok := pick(v, false, func(i int) bool { return catalog[i].engine == EnginePico && p.Installed(catalog[i].name) })
	if !ok {
		e := errorf(ReasonMissing, p.Name(), nil, "no voice for %s", v.Language)
		if strings.Contains(installHint(v.Language, EnginePico), PicoPackage) {
			e.Package = PicoPackage
		}
		return nil, e
	}
	return p.Speak(ctx, text, n.name)
}
