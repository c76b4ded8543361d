package speech

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultTimeout bounds one synthesis unless an engine is configured
// otherwise. espeak-ng needs a few tens of milliseconds for a typical
// announcement; the bound is for hung or overloaded programs.
const DefaultTimeout = 10 * time.Second

// capped is an io.Writer that keeps at most max bytes and then fails, so a
// runaway program cannot fill the memory.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.max {
		c.over = true
		return 0, errors.New("output limit exceeded")
	}
	return c.buf.Write(p)
}

// outputLimit returns the most bytes a program may write: max, or
// MaxWAVBytes when max is 0, negative or larger.
func outputLimit(max int) int {
	if max <= 0 || max > MaxWAVBytes {
		return MaxWAVBytes
	}
	return max
}

// run starts a program with an argument list (never a shell), feeds it
// stdin, and returns what it wrote to stdout, at most max bytes (see
// outputLimit). Errors are *Error with the reason: missing program, output
// over the limit, cancellation, timeout, failure (with the first part of
// stderr).
func run(ctx context.Context, engine, pkg string, timeout time.Duration, max int, path string, args []string, stdin string) ([]byte, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out := &capped{max: outputLimit(max)}
	errOut := &capped{max: 4096}
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case err == nil:
		return out.buf.Bytes(), nil
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist):
		e := errorf(ReasonMissing, engine, err, "program %q not found", path)
		e.Package = pkg
		return nil, e
	case out.over:
		// Checked before the deadline: a program that wrote too much is
		// stopped by the closed pipe, but copying its output may have used
		// up the time on a busy machine, and the limit is the real cause.
		return nil, errorf(ReasonBadOutput, engine, err, "%s wrote more than %d bytes", path, out.max)
	case ctx.Err() != nil:
		return nil, errorf(ReasonCanceled, engine, ctx.Err(), "synthesis cancelled")
	case tctx.Err() != nil:
		return nil, errorf(ReasonTimeout, engine, tctx.Err(), "%s took longer than %v; check the program or raise the timeout", path, timeout)
	}
	msg := strings.TrimSpace(errOut.buf.String())
	if len(msg) > 300 {
		msg = msg[:300]
	}
	msg = strings.ToValidUTF8(msg, "?")
	if msg == "" {
		msg = "no error output"
	}
	return nil, errorf(ReasonFailed, engine, err, "%s failed (%s)", path, msg)
}

// prepare checks the text's length and cleans it.
func prepare(engine, text string, max int) (string, error) {
	if max <= 0 {
		max = DefaultMaxText
	}
	if n := utf8.RuneCountInString(text); n > max {
		return "", errorf(ReasonTooLong, engine, nil, "text of %d characters, at most %d are spoken; shorten it with speech.Clean", n, max)
	}
	t := Clean(text, max)
	if t == "" {
		return "", errorf(ReasonEmpty, engine, nil, "no text to speak")
	}
	return t, nil
}

// decode parses a program's WAV output and converts it to Rate.
func decode(engine string, wav []byte) (*Audio, error) {
	return toRate(decodeNative(engine, wav))
}

// decodeNative parses a program's WAV output at the program's own rate.
func decodeNative(engine string, wav []byte) (*Audio, error) {
	a, err := ParseWAV(wav)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Engine = engine
		}
		return nil, err
	}
	if len(a.Samples) == 0 {
		return nil, errorf(ReasonBadOutput, engine, nil, "the program produced no audio")
	}
	return a, nil
}
