package wait

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// Until returns as soon as the condition holds, and ctx's error when ctx
// ends first.
func TestUntil(t *testing.T) {
	var n atomic.Int32
	if err := Until(context.Background(), time.Millisecond, func() bool { return n.Add(1) == 3 }); err != nil || n.Load() != 3 {
		t.Errorf("Until: %v after %d calls, want nil after 3", err, n.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Until(ctx, time.Millisecond, func() bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("Until on a cancelled context: %v", err)
	}
	if err := Within(20*time.Millisecond, time.Millisecond, func() bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Within: %v, want the deadline", err)
	}
}

// fakeT records For's failure instead of failing this test.
type fakeT struct{ failed string }

func (f *fakeT) Helper()                           {}
func (f *fakeT) Fatalf(format string, args ...any) { f.failed = fmt.Sprintf(format, args...) }

// For passes once the condition holds.
func TestFor(t *testing.T) {
	var f fakeT
	var n atomic.Int32
	For(&f, "three calls", func() bool { return n.Add(1) == 3 })
	if f.failed != "" {
		t.Errorf("For failed: %s", f.failed)
	}
}
