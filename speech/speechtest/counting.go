// Package speechtest holds test helpers for the speech package: an engine
// wrapper that counts syntheses, and a check that espeak-ng is installed.
package speechtest

import (
	"context"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbackline/callbackline/speech"
)

// Counting wraps a real Engine and counts the calls to Synthesize, to show
// that a cache or a caller synthesises a text once.
type Counting struct {
	speech.Engine
	n atomic.Int64
}

// Synthesize counts the call and passes it on.
func (c *Counting) Synthesize(ctx context.Context, text string, v speech.Voice) (*speech.Audio, error) {
	c.n.Add(1)
	return c.Engine.Synthesize(ctx, text, v)
}

// Key passes the wrapped engine's cache key on, so the wrapper shares its
// cache files.
func (c *Counting) Key() string {
	if k, ok := c.Engine.(speech.Keyer); ok {
		return k.Key()
	}
	return c.Engine.Name()
}

// Calls returns how many times Synthesize was called.
func (c *Counting) Calls() int64 { return c.n.Load() }

// Timeout bounds one synthesis in tests: far above the tens of
// milliseconds espeak-ng needs, so a test passes when both cores of a
// machine are busy (speech.DefaultTimeout, 10 s, was seen to run out at
// a load average above 35).
const Timeout = time.Minute

// Espeak returns espeak-ng with the defaults and Timeout.
func Espeak() *speech.Espeak { return &speech.Espeak{Timeout: Timeout} }

// NeedEspeak skips the test when espeak-ng is not installed.
func NeedEspeak(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		tb.Skip("espeak-ng not found: install the Debian package espeak-ng")
	}
}

// NeedRHVoice skips the test when RHVoice or its voice is not installed,
// naming the Debian packages that bring them.
func NeedRHVoice(tb testing.TB, voice string) {
	tb.Helper()
	if !(&speech.RHVoice{}).Installed(voice) {
		tb.Skipf("RHVoice voice %s not installed: install the Debian packages %s", voice, speech.PackagesOf(speech.EngineRHVoice, voice))
	}
}

// NeedPico skips the test when SVOX Pico or its language (de-DE) is not
// installed.
func NeedPico(tb testing.TB, lang string) {
	tb.Helper()
	if !(&speech.Pico{}).Installed(lang) {
		tb.Skipf("SVOX Pico %s not installed: install the Debian package %s", lang, speech.PicoPackage)
	}
}
