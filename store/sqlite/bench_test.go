package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"

	"github.com/callbackline/callbackline/store/sqlite"
	"github.com/callbackline/callbackline/store/sqlstore"
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
		{"sync=FULL,batch=1", sqlite.Options{Options: sqlstore.Options{MaxBatch: 1}, Synchronous: "FULL"}, storetest.BenchConfig{PerOp: 2000}},
	} {
		b.Run(c.name, func(b *testing.B) {
			storetest.BenchIntake(b, openTest(b, c.opts), c.cfg)
		})
	}
	// The queue works the jobs (a worker that does nothing) while intake
	// goes on: River's fetches and completions share the write connection.
	b.Run("sync=FULL,queue-running", func(b *testing.B) {
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[callbackline.CallbackJob]) error { return nil }))
		s := openTest(b, sqlite.Options{Options: sqlstore.Options{Workers: workers, MaxWorkers: 10, FetchPollInterval: 100 * time.Millisecond}})
		if err := s.StartQueue(context.Background()); err != nil {
			b.Fatal(err)
		}
		defer s.StopQueue(context.Background())
		storetest.BenchIntake(b, s, storetest.BenchConfig{})
	})
}

// BenchmarkIntakeRate offers 1,000 intakes/s for 5 s (open loop) and
// reports the latency percentiles.
func BenchmarkIntakeRate(b *testing.B) {
	for _, c := range []struct {
		name string
		opts sqlite.Options
	}{
		{"rate=1000,sync=FULL", sqlite.Options{Synchronous: "FULL"}},
		{"rate=1000,sync=NORMAL", sqlite.Options{Synchronous: "NORMAL"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			storetest.BenchIntakeRate(b, openTest(b, c.opts), storetest.BenchConfig{Rate: 1000})
		})
	}
}
