package config

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/callbackline/callbackline/speech"
)

// Speech engines of speech.engine.
const (
	EngineAuto    = "auto"    // the best installed engine per language (speech.Auto)
	EngineEspeak  = "espeak"  // espeak-ng (speech.Espeak)
	EngineCommand = "command" // any program (speech.Command)
	EngineNone    = "none"    // no speech: the employee hears a beep
)

// Speech configures the announcement's text-to-speech.
type Speech struct {
	// Engine is auto, espeak, command or none.
	Engine string `yaml:"engine"`
	// AllowNonCommercial lets engine auto use voices whose licence
	// forbids commercial use (RHVoice's CC BY-NC-ND voices).
	AllowNonCommercial bool `yaml:"allow_noncommercial"`
	// Espeak configures engine espeak.
	Espeak Espeak `yaml:"espeak"`
	// Command configures engine command.
	Command Command `yaml:"command"`
	// CacheDir holds synthesised WAV files. Load sets it to
	// <data_dir>/speech when the file and environment leave it out or
	// empty; SpeechCacheDir does the same for a Config built in code.
	CacheDir string `yaml:"cache_dir"`
	// CacheMaxBytes bounds the cache directory ("256MiB" in the file).
	CacheMaxBytes int64 `yaml:"cache_max_bytes" unit:"bytes"`
}

// Espeak configures the espeak-ng engine (see speech.Espeak).
type Espeak struct {
	// Path is the program, a path or a name looked up in PATH.
	Path string `yaml:"path"`
	// Speed is words per minute, 80–450.
	Speed int `yaml:"speed"`
	// Variant is the espeak-ng variant of female voices (e.g. f3).
	Variant string `yaml:"variant"`
}

// Command configures a text-to-speech program (see speech.Command for the
// placeholders {text}, {voice}, {lang}, {gender}, {out} of Args).
type Command struct {
	// Path is the program.
	Path string `yaml:"path"`
	// Args is the argument list, never run through a shell.
	Args []string `yaml:"args"`
	// Package is the Debian package that brings the program, named in
	// errors when it is missing.
	Package string `yaml:"package"`
}

// The bounds of speech.espeak.speed and speech.cache_max_bytes.
const (
	minSpeed      = 80
	maxSpeed      = 450
	minSpeechDisk = 1 << 20
)

var (
	espeakVariant = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
	placeholder   = regexp.MustCompile(`\{[a-z_]+\}`)
	debianPackage = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
)

// SpeechEngine returns the configured engine: a *speech.Auto, a
// *speech.Espeak, a *speech.Command, or nil for engine none.
func (c *Config) SpeechEngine() speech.Engine {
	s := c.Speech
	switch strings.ToLower(s.Engine) {
	case EngineAuto:
		return &speech.Auto{Espeak: &speech.Espeak{Path: s.Espeak.Path, Speed: s.Espeak.Speed, Variant: s.Espeak.Variant},
			AllowNonCommercial: s.AllowNonCommercial}
	case EngineEspeak:
		return &speech.Espeak{Path: s.Espeak.Path, Speed: s.Espeak.Speed, Variant: s.Espeak.Variant}
	case EngineCommand:
		return &speech.Command{Path: s.Command.Path, Args: append([]string(nil), s.Command.Args...), Package: s.Command.Package}
	}
	return nil
}

// derivePaths sets speech.cache_dir and recordings.dir below data_dir
// when neither the file nor the environment sets them (or sets them
// empty), so that data_dir alone moves them.
func (c *Config) derivePaths(sources map[string]string) {
	if sources["speech.cache_dir"] == "" || c.Speech.CacheDir == "" {
		c.Speech.CacheDir = filepath.Join(c.DataDir, "speech")
	}
	if sources["recordings.dir"] == "" || c.Recordings.Dir == "" {
		c.Recordings.Dir = filepath.Join(c.DataDir, "recordings")
	}
}

// SpeechCacheDir returns speech.cache_dir, or <data_dir>/speech when it
// is empty.
func (c *Config) SpeechCacheDir() string {
	if c.Speech.CacheDir != "" {
		return c.Speech.CacheDir
	}
	return filepath.Join(c.DataDir, "speech")
}

// RecordingsDir returns recordings.dir, or <data_dir>/recordings when it
// is empty.
func (c *Config) RecordingsDir() string {
	if c.Recordings.Dir != "" {
		return c.Recordings.Dir
	}
	return filepath.Join(c.DataDir, "recordings")
}

// check reports the problems of the speech section.
func (s Speech) check(bad func(key, format string, args ...any)) {
	switch strings.ToLower(s.Engine) {
	case EngineAuto, EngineEspeak:
		if strings.TrimSpace(s.Espeak.Path) == "" {
			bad("speech.espeak.path", "is empty; name the program (espeak-ng, from the Debian package %s)", speech.EspeakPackage)
		}
	case EngineCommand:
		if strings.TrimSpace(s.Command.Path) == "" {
			bad("speech.command.path", "is empty while speech.engine is command; name the program (e.g. piper)")
		}
	case EngineNone:
	default:
		bad("speech.engine", "%q is not auto, espeak, command or none", s.Engine)
	}
	if s.Espeak.Speed < minSpeed || s.Espeak.Speed > maxSpeed {
		bad("speech.espeak.speed", "is %d; words per minute must be %d–%d (160 suits the phone)", s.Espeak.Speed, minSpeed, maxSpeed)
	}
	if !espeakVariant.MatchString(s.Espeak.Variant) {
		bad("speech.espeak.variant", "%q is not an espeak-ng variant name (e.g. f3, m1, klatt)", s.Espeak.Variant)
	}
	for _, a := range s.Command.Args {
		for _, p := range placeholder.FindAllString(a, -1) {
			switch p {
			case "{text}", "{voice}", "{lang}", "{gender}", "{out}":
			default:
				bad("speech.command.args", "%q holds %s, which is not one of {text}, {voice}, {lang}, {gender}, {out}", a, p)
			}
		}
	}
	if s.Command.Package != "" && !debianPackage.MatchString(s.Command.Package) {
		bad("speech.command.package", "%q is not a Debian package name (e.g. rhvoice)", s.Command.Package)
	}
	if s.CacheMaxBytes < minSpeechDisk {
		bad("speech.cache_max_bytes", "is %s; must be at least %s (e.g. 256MiB)", formatSize(s.CacheMaxBytes), formatSize(minSpeechDisk))
	}
}
