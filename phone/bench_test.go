package phone

import (
	"syscall"
	"testing"
	"time"
)

// The intake normalises and checks every request: thousands a second.
// Each benchmark also reports cpu-ns/op, the process's CPU time per
// operation: on a busy shared machine it is much steadier than the wall
// clock's ns/op (compare runs with benchstat on cpu-ns/op).

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs op b.N times and reports the CPU time per run.
func loop(b *testing.B, op func() error) {
	b.Helper()
	n, cpu0 := 0, cpuTime()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
}

func BenchmarkNormalize(b *testing.B) {
	loop(b, func() error { _, err := Normalize("8 (495) 123-45-67", "RU"); return err })
}

func BenchmarkAccept(b *testing.B) {
	p := DefaultPolicy()
	loop(b, func() error { _, err := p.Accept("+7 (916) 123-45-67", "RU"); return err })
}

// BenchmarkAcceptPortal is the intake's case: a portal allowed its own
// country only, a German number.
func BenchmarkAcceptPortal(b *testing.B) {
	p := DefaultPolicy().Only([]string{"DE"}, "")
	loop(b, func() error { _, err := p.Accept("+49 30 1234567", "DE"); return err })
}

func BenchmarkAcceptJunk(b *testing.B) {
	p := DefaultPolicy()
	loop(b, func() error { _, err := p.Accept("+7 495 123 45 67 звонить после 18", "RU"); return err })
}

func BenchmarkCheck(b *testing.B) {
	p := Policy{BlockedTypes: []string{PremiumRate, SharedCost, Unknown}, AllowedCountries: []string{"RU", "KZ"}}
	loop(b, func() error { return p.Check("+74951234567") })
}

func BenchmarkMask(b *testing.B) {
	loop(b, func() error { _ = Mask("+74951234567"); return nil })
}
