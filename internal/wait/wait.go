// Package wait polls a condition until it holds. Tests (and the demo)
// wait for what they expect this way, never for a fixed time: the
// deadlines are hang guards, long enough for a busy machine.
package wait

import (
	"context"
	"time"
)

// Until calls ok every interval until it returns true, and returns nil
// then; or ctx's error once ctx ends first.
func Until(ctx context.Context, every time.Duration, ok func() bool) error {
	for !ok() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
	return nil
}

// Within is Until for at most d from now; it returns
// context.DeadlineExceeded when ok did not hold by then.
func Within(d, every time.Duration, ok func() bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return Until(ctx, every, ok)
}

// T is the part of testing.TB that For uses.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
}

// For polls ok every 10ms and fails t when it still does not hold after
// a minute, saying what was awaited.
func For(t T, what string, ok func() bool) {
	t.Helper()
	if err := Within(time.Minute, 10*time.Millisecond, ok); err != nil {
		t.Fatalf("%s: not within a minute", what)
	}
}
