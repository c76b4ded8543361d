package speech

import (
	"context"
	"time"
)

// Checker is implemented by engines that can diagnose themselves more
// precisely than a test synthesis (Espeak lists its voices).
type Checker interface {
	Check(ctx context.Context) error
}

// Check reports whether e works, for `callbackline doctor`: nil, or an
// *Error that says what is missing and, for a missing program, which
// Debian package brings it (Error.Package).
func Check(ctx context.Context, e Engine) error {
	if c, ok := e.(Checker); ok {
		return c.Check(ctx)
	}
	return checkSpeech(ctx, e)
}

// checkSpeech synthesises a short phrase and checks it is audible.
func checkSpeech(ctx context.Context, e Engine) error {
	a, err := e.Synthesize(ctx, "Callback line test.", VoiceFor(""))
	if err != nil {
		return err
	}
	if a.Rate != Rate || a.Duration() < 200*time.Millisecond || a.RMS() < 0.01 {
		return errorf(ReasonBadOutput, e.Name(), nil, "test phrase gave %v of audio at %d Hz, RMS %.4f: expected audible speech at %d Hz", a.Duration(), a.Rate, a.RMS(), Rate)
	}
	return nil
}
