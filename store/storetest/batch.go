package storetest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/internal/wait"
)

// BatchRetried is what a batching backend logs when it retries a failed
// batch's requests one by one.
const BatchRetried = "retrying its requests one by one"

// LogCounter is a logger that counts its records whose message contains
// msg, and the count.
func LogCounter(msg string) (*slog.Logger, *atomic.Int64) {
	n := new(atomic.Int64)
	return slog.New(countingHandler{msg: msg, n: n}), n
}

// countingHandler counts log records with a message.
type countingHandler struct {
	msg string
	n   *atomic.Int64
}

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.msg) {
		h.n.Add(1)
	}
	return nil
}
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }

// Batcher is what BatchFailureIsolated needs of a backend that commits
// intakes in batches.
type Batcher struct {
	// Hold keeps the backend's writer busy from outside (a transaction, a
	// lock) until release is called: intakes queue up meanwhile.
	Hold func() (release func())
	// Taken reports whether the committer took the first request and
	// waits for the writer.
	Taken func() bool
	// Queued is how many requests wait for the committer.
	Queued func() int
	// Retries counts the batches retried one by one (LogCounter of
	// BatchRetried on the store's logger).
	Retries *atomic.Int64
}

// BatchFailureIsolated: a request that fails with an SQL error inside a
// batch fails alone; the batch's other requests are retried and stored.
// s has portal m1 and fails the intake of the number poison (the
// backend's SetFailIntake).
func BatchFailureIsolated(t *testing.T, s Backend, poison string, b Batcher) {
	t.Helper()
	ctx := context.Background()
	release := b.Hold()
	const n = 30
	var wg sync.WaitGroup
	errs := make([]error, n+2)
	intake := func(i int, phone string) {
		defer wg.Done()
		res, err := s.Intake(ctx, callbackline.IntakeRequest{Callback: &callbackline.Callback{MemberID: "m1", Phone: phone}})
		if err == nil && !res.Queued {
			err = fmt.Errorf("not queued")
		}
		errs[i] = err
	}
	// A first request takes the committer, which then waits for the
	// writer.
	wg.Add(1)
	go intake(n+1, "+4930000098")
	wait.For(t, "the committer to take the first request", b.Taken)
	// The rest, the failing one among them, queue up behind it and so
	// share the next batch.
	for i := range n {
		wg.Add(1)
		go intake(i, fmt.Sprintf("+49300000%02d", i))
	}
	wg.Add(1)
	go intake(n, poison)
	wait.For(t, "all requests to queue", func() bool { return b.Queued() == n+1 })
	release()
	wg.Wait()
	if errs[n+1] != nil {
		t.Errorf("the first request: %v", errs[n+1])
	}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("request %d beside the failing one: %v", i, errs[i])
		}
	}
	if code := callbackline.ErrorCode(errs[n]); code != callbackline.EINTERNAL {
		t.Errorf("the failing request: %v (code %q), want an internal error", errs[n], code)
	}
	if jobs, err := s.CountJobs(ctx, "callback"); err != nil || jobs != n+1 {
		t.Errorf("jobs = %d (%v), want %d", jobs, err, n+1)
	}
	if b.Retries.Load() == 0 {
		t.Error("no batch was retried one by one: the failing request was alone in its batch")
	}
}
