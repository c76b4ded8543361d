package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// BenchConfig shapes an intake benchmark.
type BenchConfig struct {
	// Portals is how many portals the requests spread over (default 1024),
	// so that the portal limit does not interfere.
	Portals int
	// Concurrency is how many goroutines call Intake at once in
	// BenchIntake (default 64).
	Concurrency int
	// PerOp is how many intakes one b.N iteration makes in BenchIntake
	// (default 10,000), so that -benchtime 1x still measures something.
	PerOp int
	// Rate and Duration drive BenchIntakeRate: requests per second, open
	// loop, for this long per b.N iteration (default 1,000/s for 5s).
	Rate     int
	Duration time.Duration
}

func (c *BenchConfig) defaults() {
	if c.Portals <= 0 {
		c.Portals = 1024
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 64
	}
	if c.PerOp <= 0 {
		c.PerOp = 10_000
	}
	if c.Rate <= 0 {
		c.Rate = 1000
	}
	if c.Duration <= 0 {
		c.Duration = 5 * time.Second
	}
}

// SeedPortals installs n portals named bench-0000… .
func SeedPortals(b testing.TB, s Backend, n int) {
	b.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := s.SavePortal(ctx, portal(benchPortal(i))); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

func benchPortal(i int) string { return fmt.Sprintf("bench-%04d", i) }

// benchRequest is request number seq: a distinct number, portals in turn,
// the production defaults for window and limits.
func benchRequest(seq int64, portals int) callbackline.IntakeRequest {
	r := request(benchPortal(int(seq%int64(portals))), fmt.Sprintf("+49301%08d", seq))
	r.DedupWindow = 10 * time.Minute
	r.NumberLimit = 3
	r.PortalLimit = 100
	return r
}

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) pct(p float64) time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	i := int(float64(len(l.d)-1) * p)
	return l.d[i]
}

// intakeRun collects the intakes of a benchmark from many goroutines:
// how long each took and which failed.
type intakeRun struct {
	lat      latencies
	failed   atomic.Int64
	firstErr atomic.Value
}

func newIntakeRun(capacity int) *intakeRun {
	return &intakeRun{lat: latencies{d: make([]time.Duration, 0, capacity)}}
}

// add records one intake that took d: a failure when err is set or the
// callback was not queued.
func (r *intakeRun) add(d time.Duration, res callbackline.IntakeResult, err error) {
	r.lat.add(d)
	if err != nil || !res.Queued {
		r.failed.Add(1)
		if err == nil {
			err = fmt.Errorf("not queued: %+v", res.Callback)
		}
		r.firstErr.CompareAndSwap(nil, err)
	}
}

// report fails b if any intake failed; else it reports events/s, the
// p50/p99/max latency and the CPU per event over elapsed.
func (r *intakeRun) report(b *testing.B, elapsed, cpu time.Duration) {
	b.Helper()
	if n := r.failed.Load(); n > 0 {
		b.Fatalf("%d intakes failed or were not queued; first: %v", n, r.firstErr.Load())
	}
	lat := &r.lat
	slices.Sort(lat.d)
	b.ReportMetric(float64(len(lat.d))/elapsed.Seconds(), "events/s")
	b.ReportMetric(ms(lat.pct(0.50)), "p50-ms")
	b.ReportMetric(ms(lat.pct(0.99)), "p99-ms")
	b.ReportMetric(ms(lat.pct(1)), "max-ms")
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(lat.d)), "cpu-µs/event")
	b.ReportMetric(0, "ns/op")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuTime is the process's user + system CPU time so far: on a shared
// machine, CPU per event is steadier than wall-clock throughput.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchIntake measures intake throughput: cfg.Concurrency goroutines call
// Intake back to back, cfg.PerOp intakes per b.N iteration, every one a new
// queued callback. It reports events/s and the p50/p99/max latency of one
// Intake call.
func BenchIntake(b *testing.B, s Backend, cfg BenchConfig) {
	cfg.defaults()
	SeedPortals(b, s, cfg.Portals)
	ctx := context.Background()
	var seq atomic.Int64
	run := newIntakeRun(b.N * cfg.PerOp)
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for range b.N {
		var left atomic.Int64
		left.Store(int64(cfg.PerOp))
		var wg sync.WaitGroup
		for range cfg.Concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for left.Add(-1) >= 0 {
					req := benchRequest(seq.Add(1), cfg.Portals)
					t0 := time.Now()
					res, err := s.Intake(ctx, req)
					run.add(time.Since(t0), res, err)
				}
			}()
		}
		wg.Wait()
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	run.report(b, elapsed, cpu)
	if jobs, err := s.CountJobs(ctx, callbackline.CallbackJob{}.Kind()); err != nil || jobs != len(run.lat.d) {
		b.Fatalf("jobs: %d (%v), want %d", jobs, err, len(run.lat.d))
	}
}

// BenchIntakeRate offers intakes at a fixed rate (open loop: a request
// starts at its time whether or not earlier ones finished) and reports the
// latency percentiles, measured from each request's scheduled start, and
// the rate achieved.
func BenchIntakeRate(b *testing.B, s Backend, cfg BenchConfig) {
	cfg.defaults()
	SeedPortals(b, s, cfg.Portals)
	ctx := context.Background()
	interval := time.Second / time.Duration(cfg.Rate)
	perOp := int(cfg.Duration / interval)
	run := newIntakeRun(b.N * perOp)
	var seq atomic.Int64
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for range b.N {
		var wg sync.WaitGroup
		t0 := time.Now()
		for i := range perOp {
			at := t0.Add(time.Duration(i) * interval)
			if d := time.Until(at); d > 0 {
				time.Sleep(d)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.Intake(ctx, benchRequest(seq.Add(1), cfg.Portals))
				run.add(time.Since(at), res, err)
			}()
		}
		wg.Wait()
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	run.report(b, elapsed, cpu)
}
