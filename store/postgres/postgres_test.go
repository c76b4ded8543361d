package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/secret"
	"github.com/callbackline/callbackline/store/postgres"
	"github.com/callbackline/callbackline/store/sqlstore"
	"github.com/callbackline/callbackline/store/storetest"
)

// testDSN is the PostgreSQL of the tests, or a skip.
func testDSN(t testing.TB) string {
	dsn := os.Getenv("CALLBACKLINE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("CALLBACKLINE_TEST_POSTGRES is not set: skipping the PostgreSQL store tests " +
			"(e.g. CALLBACKLINE_TEST_POSTGRES=postgres://root@127.0.0.1:5432/test?sslmode=disable)")
	}
	return dsn
}

// freshSchema names a new schema and drops it after the test.
func freshSchema(t testing.TB, dsn string) string {
	b := make([]byte, 6)
	rand.Read(b)
	schema := "cbtest_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		if err := postgres.DropSchema(context.Background(), dsn, schema); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	return schema
}

func openTest(t testing.TB, opts postgres.Options) *postgres.Store {
	t.Helper()
	dsn := testDSN(t)
	if opts.Schema == "" {
		opts.Schema = freshSchema(t, dsn)
	}
	s, err := postgres.Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	testDSN(t)
	storetest.Run(t, func(t *testing.T) storetest.Backend { return openTest(t, postgres.Options{}) })
}

// TestConformanceNoGroupCommit runs the suite with one transaction per
// intake, the pool doing the concurrency.
func TestConformanceNoGroupCommit(t *testing.T) {
	testDSN(t)
	storetest.Run(t, func(t *testing.T) storetest.Backend {
		return openTest(t, postgres.Options{Options: sqlstore.Options{MaxBatch: 1, Committers: 8}})
	})
}

// TestManyInstances: several stores on one schema (as several processes
// would be) take the same request at once: one callback, one job.
func TestManyInstances(t *testing.T) {
	dsn := testDSN(t)
	schema := freshSchema(t, dsn)
	const instances, perInstance = 4, 15
	var stores []*postgres.Store
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range instances { // open concurrently: migrations must not collide
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema, MaxConns: 4})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			stores = append(stores, s)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	defer func() {
		for _, s := range stores {
			s.Close()
		}
	}()
	ctx := context.Background()
	if err := stores[0].SavePortal(ctx, &callbackline.Portal{MemberID: "m1"}); err != nil {
		t.Fatal(err)
	}
	var fresh, dups, queuedDistinct int
	for _, s := range stores {
		for i := range perInstance {
			wg.Add(2)
			go func() {
				defer wg.Done()
				res, err := s.Intake(ctx, callbackline.IntakeRequest{
					Callback:    &callbackline.Callback{MemberID: "m1", Phone: "+4930123456", CRMEntityType: "LEAD", CRMEntityID: 1},
					DedupWindow: time.Minute,
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if res.Duplicate {
					dups++
				} else {
					fresh++
				}
			}()
			go func() { // distinct numbers under a portal limit shared by all instances
				defer wg.Done()
				res, err := s.Intake(ctx, callbackline.IntakeRequest{
					Callback:    &callbackline.Callback{MemberID: "m1", Phone: fmt.Sprintf("+4940%06d-%p", i, s)},
					PortalLimit: 21, // the shared request above counts once
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if res.Queued {
					queuedDistinct++
				}
			}()
		}
	}
	wg.Wait()
	if fresh != 1 || dups != instances*perInstance-1 {
		t.Fatalf("same request on %d instances: %d new, %d duplicates", instances, fresh, dups)
	}
	n, err := stores[1].CountJobs(ctx, "callback")
	if err != nil {
		t.Fatal(err)
	}
	// The portal limit counts every callback of the portal: the shared one
	// plus the distinct ones, 21 in all, whatever instance took them.
	if queuedDistinct != 20 || n != 21 {
		t.Fatalf("portal limit across instances: %d distinct queued, %d jobs; want 20 and 21", queuedDistinct, n)
	}
}

func TestOptions(t *testing.T) {
	ctx := context.Background()
	_, err := postgres.Open(ctx, "postgres://x@127.0.0.1:1/x", postgres.Options{Schema: "Bad-Name"})
	if callbackline.ErrorCode(err) != callbackline.EINVALID {
		t.Errorf("bad schema: %v", err)
	}
	_, err = postgres.Open(ctx, "postgres://x@127.0.0.1:1/x", postgres.Options{Options: sqlstore.Options{JobTimeout: time.Minute, RescueStuckJobsAfter: time.Second}})
	if callbackline.ErrorCode(err) != callbackline.EINVALID {
		t.Errorf("rescue < timeout: %v", err)
	}
}

// TestReopen: opening a migrated schema migrates nothing more and works.
func TestReopen(t *testing.T) {
	dsn := testDSN(t)
	schema := freshSchema(t, dsn)
	ctx := context.Background()
	first, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	s := openTest(t, postgres.Options{Schema: schema})
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestBatchFailureIsolated: a request that fails with an SQL error inside
// a batch fails alone; the batch's other requests are retried and stored.
func TestBatchFailureIsolated(t *testing.T) {
	logger, retries := storetest.LogCounter(storetest.BatchRetried)
	s := openTest(t, postgres.Options{Options: sqlstore.Options{Logger: logger, Committers: 1}})
	ctx := context.Background()
	if err := s.SavePortal(ctx, &callbackline.Portal{MemberID: "m1"}); err != nil {
		t.Fatal(err)
	}
	const poison = "+4930000099"
	postgres.SetFailIntake(s, func(c *callbackline.Callback) bool { return c.Phone == poison })
	defer postgres.SetFailIntake(s, nil)
	storetest.BatchFailureIsolated(t, s, poison, storetest.Batcher{
		Hold: func() func() {
			// Hold the portal's intake lock from outside: intakes queue up.
			tx, err := s.Pool().Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, postgres.PortalLockKey(s, "m1")); err != nil {
				t.Fatal(err)
			}
			return func() { tx.Rollback(ctx) }
		},
		Taken:   func() bool { return postgres.Queued(s) == 0 && lockWaiters(t, s) > 0 },
		Queued:  func() int { return postgres.Queued(s) },
		Retries: retries,
	})
}

// lockWaiters counts sessions waiting for the portal m1's intake lock.
func lockWaiters(t *testing.T, s *postgres.Store) int {
	t.Helper()
	var n int
	err := s.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
		   AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1`,
		postgres.PortalLockKey(s, "m1")).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConformanceSealed(t *testing.T) {
	testDSN(t)
	storetest.RunSealed(t, func(t *testing.T, box *secret.Box) (storetest.Sealed, *sql.DB) {
		s := openTest(t, postgres.Options{Options: sqlstore.Options{Secrets: box}})
		return s, postgres.DB(s)
	})
}
