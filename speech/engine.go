// Package speech turns text into the 8 kHz mono 16-bit PCM announcement
// the employee hears before the client is connected: an Engine interface
// with espeak-ng (default) and Command (any program, e.g. Piper or
// RHVoice) engines, a voice map for every Bitrix24 voice id, a disk Cache
// of WAV files ready for diago's PlayFile, and a beep fallback when no
// engine works.
package speech

import "context"

// Engine turns text into speech. Synthesize returns mono 16-bit audio at
// Rate (8000 Hz); errors are *Error with a Reason.
type Engine interface {
	Name() string
	Synthesize(ctx context.Context, text string, v Voice) (*Audio, error)
}

// Keyer is implemented by engines whose output depends on settings beyond
// the voice and text; the Cache keys files by Key instead of Name, so a
// changed setting never serves stale audio.
type Keyer interface {
	Key() string
}

// engineKey returns the cache identity of e.
func engineKey(e Engine) string {
	if k, ok := e.(Keyer); ok {
		return k.Key()
	}
	return e.Name()
}

// Native is implemented by engines that can return their audio as the
// program made it, at its own rate, before it becomes telephone audio. The
// intelligibility benchmark (make speech-bench) transcribes it as its
// reference, to tell the recogniser's own errors from what the telephone
// step loses.
type Native interface {
	SynthesizeNative(ctx context.Context, text string, v Voice) (*Audio, error)
}
