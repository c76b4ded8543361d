package sqlite_test

import (
	"testing"

	"github.com/callbackline/callbackline/store/sqlite"
	"github.com/callbackline/callbackline/store/storetest"
)

// BenchmarkIntake: 64 goroutines call Intake back to back, 10,000 intakes
// per iteration, each a new queued callback (group commit on). Run with
//
//	go test -run '^$' -bench Intake -benchtime 1x ./store/sqlite
func BenchmarkIntake(b *testing.B) {
	for _, c := range []struct {
		name string
		opts sqlite.Options
		cfg  storetest.BenchConfig
	}{
		{"sync=FULL", sqlite.Options{Synchronous: "FULL"}, storetest.BenchConfig{}},
		{"sync=NORMAL", sqlite.Options{Synchronous: "NORMAL"}, storetest.BenchConfig{}},
		// For comparison: one transaction (and fsync) per intake.
		{"sync=FULL,batch=1", sqlite.Options{Synchronous: "FULL", MaxBatch: 1}, storetest.BenchConfig{PerOp: 2000}},
	} {
		b.Run(c.name, func(b *testing.B) {
			storetest.BenchIntake(b, openTest(b, c.opts), c.cfg)
		})
	}
}

// BenchmarkIntakeRate offers 1,000 intakes/s for 5 s (open loop) and
// reports the latency percentiles.
func BenchmarkIntakeRate(b *testing.B) {
	for _, c := range []struct {
		name string
		opts sqlite.Options
	}{
		{"1000/s,sync=FULL", sqlite.Options{Synchronous: "FULL"}},
		{"1000/s,sync=NORMAL", sqlite.Options{Synchronous: "NORMAL"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			storetest.BenchIntakeRate(b, openTest(b, c.opts), storetest.BenchConfig{Rate: 1000})
		})
	}
}
