package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/store/sqlite"
	"github.com/callbackline/callbackline/store/sqlstore"
	"github.com/callbackline/callbackline/store/storetest"
)

func openTest(t testing.TB, opts sqlite.Options) *sqlite.Store {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	s, err := sqlite.Open(context.Background(), dsn, opts)
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
	storetest.Run(t, func(t *testing.T) storetest.Backend { return openTest(t, sqlite.Options{}) })
}

func TestParseDSN(t *testing.T) {
	for dsn, want := range map[string]string{
		"sqlite:./a.db":         "./a.db",
		"sqlite:/abs/a.db":      "/abs/a.db",
		"sqlite:///abs/a.db":    "/abs/a.db",
		"a.db":                  "a.db",
		"file:/x/a.db?cache=no": "/x/a.db",
	} {
		got, _, err := sqlite.ParseDSN(dsn)
		if err != nil || got != want {
			t.Errorf("ParseDSN(%q) = %q, %v; want %q", dsn, got, err, want)
		}
	}
	for _, dsn := range []string{"", "sqlite:", ":memory:", "sqlite::memory:"} {
		if _, _, err := sqlite.ParseDSN(dsn); callbackline.ErrorCode(err) != callbackline.EINVALID {
			t.Errorf("ParseDSN(%q): %v, want EINVALID", dsn, err)
		}
	}
}

// TestReopen: opening a migrated file migrates nothing more and works.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "m.db")
	first, err := sqlite.Open(ctx, dsn, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, dsn, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

// A database migrated while a lower-numbered migration had not landed yet
// (00008 landed after 00009–00011) takes it when the store opens; an
// older binary that does not know the newest migration opens a database
// that has it.
func TestMigrateOutOfOrder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	if err := sqlite.MigrateOnly(ctx, path, func(name string) bool {
		return name < "00012" && !strings.HasPrefix(name, "00008_")
	}); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, "sqlite:"+path, sqlite.Options{})
	if err != nil {
		t.Fatalf("opening a database without 00008 but with 00009–00011: %v", err)
	}
	if _, err := s.CallerIDs(ctx, "m1"); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Errorf("caller IDs of an unknown portal: %v, want ENOTFOUND (00008's table is there)", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.MigrateOnly(ctx, path, func(name string) bool { return name < "00012" }); err != nil {
		t.Errorf("an older binary on the newer schema: %v", err)
	}
}

// openUpgraded opens (migrating it) a database that had the migrations
// before the one numbered upTo and then the rows rows wrote: a database
// an older version left, taking migration upTo and the later ones. It is
// closed at the test's end.
func openUpgraded(t *testing.T, upTo string, rows ...string) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	if err := sqlite.MigrateOnly(ctx, path, func(name string) bool { return name < upTo }); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.ExecOnly(ctx, path, rows...); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, "sqlite:"+path, sqlite.Options{})
	if err != nil {
		t.Fatalf("migrating a database from before %s: %v", upTo, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOptionsRescueAfterJobTimeout(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "o.db")
	_, err := sqlite.Open(context.Background(), dsn, sqlite.Options{Options: sqlstore.Options{JobTimeout: time.Minute, RescueStuckJobsAfter: time.Minute}})
	if callbackline.ErrorCode(err) != callbackline.EINVALID {
		t.Fatalf("RescueStuckJobsAfter == JobTimeout: %v, want EINVALID", err)
	}
}

func TestCloseRefusesIntake(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "c.db")
	s, err := sqlite.Open(context.Background(), dsn, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = s.Intake(context.Background(), callbackline.IntakeRequest{Callback: &callbackline.Callback{MemberID: "m"}})
	if callbackline.ErrorCode(err) != callbackline.EUNAVAILABLE {
		t.Fatalf("Intake after Close: %v, want EUNAVAILABLE", err)
	}
}

func TestStartQueueWithoutWorkers(t *testing.T) {
	s := openTest(t, sqlite.Options{})
	if err := s.StartQueue(context.Background()); callbackline.ErrorCode(err) != callbackline.EINVALID {
		t.Fatalf("StartQueue without workers: %v", err)
	}
	if err := s.StopQueue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestTwoStoresOneFile: two stores on one file (as two processes would
// be) take the same request at once: one callback, one job.
func TestTwoStoresOneFile(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
	ctx := context.Background()
	var stores [2]*sqlite.Store
	for i := range stores {
		s, err := sqlite.Open(ctx, dsn, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	if err := stores[0].SavePortal(ctx, &callbackline.Portal{MemberID: "m1"}); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	var fresh, dups atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := stores[i%2].Intake(ctx, callbackline.IntakeRequest{
				Callback:    &callbackline.Callback{MemberID: "m1", Phone: "+4930123456"},
				DedupWindow: time.Minute,
			})
			if err != nil {
				t.Error(err)
				return
			}
			if res.Duplicate {
				dups.Add(1)
			} else {
				fresh.Add(1)
			}
		}()
	}
	wg.Wait()
	if fresh.Load() != 1 || dups.Load() != n-1 {
		t.Fatalf("%d new, %d duplicates; want 1 and %d", fresh.Load(), dups.Load(), n-1)
	}
	if jobs, err := stores[1].CountJobs(ctx, "callback"); err != nil || jobs != 1 {
		t.Fatalf("jobs = %d (%v), want 1", jobs, err)
	}
}

// TestCloseStopsRunningQueue: Close with the queue still running stops it.
func TestCloseStopsRunningQueue(t *testing.T) {
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[callbackline.CallbackJob]) error { return nil }))
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "q.db")
	s, err := sqlite.Open(context.Background(), dsn, sqlite.Options{Options: sqlstore.Options{Workers: workers, FetchPollInterval: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StartQueue(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute): // a hang guard
		t.Fatal("Close hangs with a running queue")
	}
}

// TestBatchFailureIsolated: a request that fails with an SQL error inside
// a batch fails alone; the batch's other requests are retried and stored.
func TestBatchFailureIsolated(t *testing.T) {
	logger, retries := storetest.LogCounter(storetest.BatchRetried)
	s := openTest(t, sqlite.Options{Options: sqlstore.Options{Logger: logger}})
	ctx := context.Background()
	if err := s.SavePortal(ctx, &callbackline.Portal{MemberID: "m1"}); err != nil {
		t.Fatal(err)
	}
	const poison = "+4930000099"
	sqlite.SetFailIntake(s, func(c *callbackline.Callback) bool { return c.Phone == poison })
	defer sqlite.SetFailIntake(s, nil)
	// The first request is taken alone and waits for the writer.
	started := make(chan struct{}, 1)
	sqlite.SetBatchStart(s, func(int) {
		select {
		case started <- struct{}{}:
		default:
		}
	})
	defer sqlite.SetBatchStart(s, nil)
	storetest.BatchFailureIsolated(t, s, poison, storetest.Batcher{
		Hold: func() func() {
			// Hold the only write connection: intakes queue up behind it.
			tx, err := s.DB().BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			return func() { tx.Rollback() }
		},
		Taken: func() bool {
			select {
			case <-started:
				return true
			default:
				return false
			}
		},
		Queued:  func() int { return sqlite.Queued(s) },
		Retries: retries,
	})
}
