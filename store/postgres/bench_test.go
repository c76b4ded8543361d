package postgres_test

import (
	"testing"

	"github.com/callbackline/callbackline/store/postgres"
	"github.com/callbackline/callbackline/store/sqlstore"
	"github.com/callbackline/callbackline/store/storetest"
)

// BenchmarkIntake: 64 goroutines call Intake back to back, 10,000 intakes
// per iteration, each a new queued callback. Needs
// CALLBACKLINE_TEST_POSTGRES. Run with
//
//	go test -run '^$' -bench Intake -benchtime 1x ./store/postgres
func BenchmarkIntake(b *testing.B) {
	for _, c := range []struct {
		name string
		opts postgres.Options
	}{
		{"group-commit", postgres.Options{}},
		{"pool-only", postgres.Options{Options: sqlstore.Options{MaxBatch: 1, Committers: 16}, MaxConns: 16}},
	} {
		b.Run(c.name, func(b *testing.B) {
			storetest.BenchIntake(b, openTest(b, c.opts), storetest.BenchConfig{})
		})
	}
}

// BenchmarkIntakeRate offers 1,000 intakes/s for 5 s (open loop).
func BenchmarkIntakeRate(b *testing.B) {
	for _, c := range []struct {
		name string
		opts postgres.Options
	}{
		{"rate=1000,group-commit", postgres.Options{}},
		{"rate=1000,pool-only", postgres.Options{Options: sqlstore.Options{MaxBatch: 1, Committers: 16}, MaxConns: 16}},
	} {
		b.Run(c.name, func(b *testing.B) {
			storetest.BenchIntakeRate(b, openTest(b, c.opts), storetest.BenchConfig{Rate: 1000})
		})
	}
}
