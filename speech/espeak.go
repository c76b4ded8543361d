package speech

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// EspeakPackage is the Debian package that brings espeak-ng.
const EspeakPackage = "espeak-ng"

// Espeak is the default Engine: the espeak-ng program, run as a process
// with an argument list (never a shell), the text on its standard input,
// WAV on its standard output, resampled to 8 kHz in Go. The zero value is
// ready to use.
type Espeak struct {
	Path      string        // program; "" is "espeak-ng" from PATH
	Speed     int           // words per minute; 0 is 160, a little slower than espeak-ng's 175 for the phone
	Pitch     int           // 1–99; 0 is espeak-ng's default (50)
	Amplitude int           // 1–200; 0 is espeak-ng's default (100)
	Variant   string        // espeak-ng variant for female voices; "" is "f3"
	Timeout   time.Duration // per synthesis; 0 is DefaultTimeout
	MaxText   int           // longest text in characters; 0 is DefaultMaxText
}

// Name returns "espeak-ng".
func (e *Espeak) Name() string { return "espeak-ng" }

// Key identifies the engine and every setting that changes its output, for
// the Cache.
func (e *Espeak) Key() string {
	return fmt.Sprintf("espeak-ng s%d p%d a%d v%s", e.speed(), e.Pitch, e.Amplitude, e.variant())
}

func (e *Espeak) path() string {
	if e.Path == "" {
		return "espeak-ng"
	}
	return e.Path
}

func (e *Espeak) speed() int {
	if e.Speed <= 0 {
		return 160
	}
	return e.Speed
}

func (e *Espeak) variant() string {
	if e.Variant == "" {
		return "f3"
	}
	return e.Variant
}

var voiceName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// VoiceName returns the espeak-ng -v argument for a voice: the language,
// with the female variant appended for female voices ("de+f3").
func (e *Espeak) VoiceName(v Voice) string {
	if v.Gender == Female {
		return v.Language + "+" + e.variant()
	}
	return v.Language
}

// Synthesize speaks text with voice v and returns it at 8 kHz.
func (e *Espeak) Synthesize(ctx context.Context, text string, v Voice) (*Audio, error) {
	return toRate(e.SynthesizeNative(ctx, text, v))
}

// SynthesizeNative speaks text with voice v at espeak-ng's own rate
// (22,050 Hz), before the telephone step.
func (e *Espeak) SynthesizeNative(ctx context.Context, text string, v Voice) (*Audio, error) {
	t, err := prepare(e.Name(), text, e.MaxText)
	if err != nil {
		return nil, err
	}
	if !voiceName.MatchString(v.Language) || !voiceName.MatchString(e.variant()) {
		return nil, errorf(ReasonConfig, e.Name(), nil, "invalid voice %q%s", v.Language, "+"+e.variant())
	}
	args := []string{"-b", "1", "--stdin", "--stdout", "-v", e.VoiceName(v), "-s", strconv.Itoa(e.speed())}
	if e.Pitch > 0 {
		args = append(args, "-p", strconv.Itoa(min(e.Pitch, 99)))
	}
	if e.Amplitude > 0 {
		args = append(args, "-a", strconv.Itoa(min(e.Amplitude, 200)))
	}
	wav, err := run(ctx, e.Name(), EspeakPackage, e.Timeout, MaxWAVBytes, e.path(), args, t)
	if err != nil {
		return nil, err
	}
	return decodeNative(e.Name(), wav)
}

// Languages returns the languages (and their aliases) espeak-ng can speak
// without MBROLA, as listed by `espeak-ng --voices`, each with the name of
// its voice ("de" → "German", "pt-br" → "Portuguese_(Brazil)").
func (e *Espeak) Languages(ctx context.Context) (map[string]string, error) {
	out, err := run(ctx, e.Name(), EspeakPackage, e.Timeout, MaxWAVBytes, e.path(), []string{"--voices"}, "")
	if err != nil {
		return nil, err
	}
	langs := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// Pty Language Age/Gender VoiceName File (Other Languages)…
		if len(f) < 5 || f[0] == "Pty" || f[1] == "variant" || strings.HasPrefix(f[4], "mb/") {
			continue
		}
		langs[f[1]] = f[3]
		for _, o := range f[5:] {
			if a, ok := strings.CutPrefix(o, "("); ok && langs[a] == "" {
				langs[a] = f[3]
			}
		}
	}
	if len(langs) == 0 {
		return nil, errorf(ReasonBadOutput, e.Name(), nil, "`espeak-ng --voices` listed no voices: reinstall the Debian packages espeak-ng and espeak-ng-data")
	}
	return langs, nil
}

// Check reports whether espeak-ng is installed, has a voice for every
// language of the voice map and speaks; the error says what is missing and
// which Debian package brings it.
func (e *Espeak) Check(ctx context.Context) error {
	langs, err := e.Languages(ctx)
	if err != nil {
		return err
	}
	var missing []string
	seen := map[string]bool{}
	for _, id := range VoiceIDs() {
		l := VoiceFor(id).Language
		if langs[l] == "" && !seen[l] {
			missing = append(missing, l)
		}
		seen[l] = true
	}
	if len(missing) > 0 {
		x := errorf(ReasonMissing, e.Name(), nil, "no voice for %s", strings.Join(missing, ", "))
		x.Package = "espeak-ng-data"
		return x
	}
	return checkSpeech(ctx, e)
}
