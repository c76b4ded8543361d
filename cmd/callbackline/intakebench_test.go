package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/store/postgres"
	"github.com/callbackline/callbackline/store/sqlite"
)

// BenchmarkIntakeInstances measures intake through HTTP into the built
// binary: 1, 2 and 3 instances on one PostgreSQL database, and one on
// SQLite. Many portals are installed beforehand through the instances
// (each verified with the simulated OAuth server, as Bitrix24 installs
// them); the events are genuine ONEXTERNALCALLBACKSTART events of those
// portals, with their application tokens, distinct numbers, default
// de-duplication window and limits. The load generator (bench/load) is a
// process of its own and uses the instances in turn, as a load balancer
// would; the same generator then asks /healthz (a no-op endpoint) of the
// same instances, and the ratio says how much of the HTTP path intake
// leaves. The instances are intake instances (cluster.calls: false), as
// a large deployment puts behind its load balancer: they store each
// event and queue its job, which the instances that place calls work.
// "sqlite/instances=1/calls" is the one instance of a small company,
// which also works every job: with no SIP trunk here, it fails each
// callback with no_trunk and tells the responsible (Bitrix24 requests to
// the simulated portal), so that row includes the worker's cost of a
// failure per event.
//
//	CALLBACKLINE_TEST_POSTGRES=postgres://… go test -run '^$' -bench IntakeInstances -benchtime 1x ./cmd/callbackline
//
// INTAKE_BENCH_EVENTS changes the number of events (20,000);
// they spread over one portal per 80 events.
func BenchmarkIntakeInstances(b *testing.B) {
	bin := buildBinary(b)
	load := buildPackage(b, "../../bench/load")
	b.Run("sqlite/instances=1", func(b *testing.B) {
		benchInstances(b, bin, load, "sqlite:"+filepath.Join(b.TempDir(), "cb.db"), 1, false)
	})
	b.Run("sqlite/instances=1/calls", func(b *testing.B) {
		benchInstances(b, bin, load, "sqlite:"+filepath.Join(b.TempDir(), "cb.db"), 1, true)
	})
	for n := 1; n <= 3; n++ {
		b.Run(fmt.Sprintf("postgres/instances=%d", n), func(b *testing.B) {
			benchInstances(b, bin, load, freshPostgres(b), n, false)
		})
	}
}

// benchInstances runs one configuration b.N times, each on a fresh set of
// portals (the database keeps the earlier ones); calls: the instances
// also work the callback jobs (cluster.calls).
func benchInstances(b *testing.B, bin, load, database string, instances int, calls bool) {
	events := intakeBenchEvents()
	for range b.N {
		b.StopTimer()
		r := newIntakeRig(b, bin, database, instances, calls)
		r.install((events + 79) / 80)
		bodies := r.bodies(events)
		// /healthz before and after the events: on a shared machine the
		// ratio compares like with like.
		cpu0 := r.cpu()
		health := r.load(load, "/healthz", "-n", strconv.Itoa(events))
		cpu1 := r.cpu()
		ev := r.load(load, "/bitrix24/events", "-bodies", bodies, "-expect", `"accepted"`)
		cpu2 := r.cpu()
		after := r.load(load, "/healthz", "-n", strconv.Itoa(events))
		cpu, healthCPU := cpu2-cpu1, (cpu1-cpu0+r.cpu()-cpu2)/2
		health.PerSecond, health.Failed = (health.PerSecond+after.PerSecond)/2, health.Failed+after.Failed
		r.stop()
		if ev.Failed > 0 || health.Failed > 0 {
			b.Fatalf("%d events and %d health checks not answered as expected; first: %s %s", ev.Failed, health.Failed, ev.FirstFail, health.FirstFail)
		}
		if jobs := countJobs(b, database); jobs != r.jobsBefore+ev.Accepted {
			b.Fatalf("%d queued jobs for %d accepted events", jobs-r.jobsBefore, ev.Accepted)
		}
		b.ReportMetric(ev.PerSecond, "events/s")
		b.ReportMetric(health.PerSecond, "healthz/s")
		b.ReportMetric(ev.PerSecond/health.PerSecond, "ratio")
		b.ReportMetric(ev.P50ms, "p50-ms")
		b.ReportMetric(ev.P99ms, "p99-ms")
		// CPU per request is steadier than throughput on a shared machine:
		// its ratio is what the throughput ratio would be with the
		// instances alone on their cores.
		b.ReportMetric(float64(cpu.Microseconds())/float64(ev.Accepted), "cpu-µs/event")
		b.ReportMetric(float64(healthCPU.Microseconds())/float64(events), "cpu-µs/healthz")
		b.ReportMetric(float64(healthCPU)/float64(cpu), "cpu-ratio")
		b.ReportMetric(0, "ns/op")
	}
}

// intakeBenchEvents is 20,000, or INTAKE_BENCH_EVENTS.
func intakeBenchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("INTAKE_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// freshPostgres creates a schema of its own in CALLBACKLINE_TEST_POSTGRES,
// migrated, dropped after the benchmark or test, and returns the DSN that
// puts an instance in it; it skips without PostgreSQL.
func freshPostgres(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("CALLBACKLINE_TEST_POSTGRES")
	if dsn == "" {
		tb.Skip("CALLBACKLINE_TEST_POSTGRES is not set: no PostgreSQL to run on")
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	schema := "cmd_" + hex.EncodeToString(buf)
	st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		tb.Fatalf("PostgreSQL at CALLBACKLINE_TEST_POSTGRES: %v", err)
	}
	_ = st.Close()
	tb.Cleanup(func() {
		if err := postgres.DropSchema(context.Background(), dsn, schema); err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// openedStore is a store as a test reads it after the instances ran.
type openedStore interface {
	backend
	CountJobs(ctx context.Context, kind string) (int, error)
}

// openDatabase opens the database an instance was given, without a queue.
func openDatabase(tb testing.TB, database string) openedStore {
	tb.Helper()
	ctx := context.Background()
	var st openedStore
	var err error
	if strings.HasPrefix(database, "sqlite:") {
		st, err = sqlite.Open(ctx, database, sqlite.Options{})
	} else {
		st, err = postgres.Open(ctx, database, postgres.Options{})
	}
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// countJobs counts the queued callback jobs in the database.
func countJobs(tb testing.TB, database string) int {
	tb.Helper()
	st := openDatabase(tb, database)
	defer st.Close()
	n, err := st.CountJobs(context.Background(), callbackline.CallbackJob{}.Kind())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// intakeRig is several instances of the built binary on one database,
// without SIP trunks, and the portals installed through them.
type intakeRig struct {
	tb         testing.TB
	dir        string
	addrs      []string
	svcs       []*service
	hub        *bitrix24test.OAuthHub
	portals    []*bitrix24test.Portal
	jobsBefore int
}

// newIntakeRig starts the instances; the OAuth hub answers for the
// portals install adds.
func newIntakeRig(tb testing.TB, bin, database string, instances int, calls bool) *intakeRig {
	r := &intakeRig{tb: tb, dir: tb.TempDir(), hub: bitrix24test.NewOAuthHub()}
	tb.Cleanup(r.hub.Close)
	r.jobsBefore = countJobs(tb, database) // also migrates a new SQLite file before the instances race to
	logf := serviceLog(tb, r.dir)
	for i := range instances {
		r.addrs = append(r.addrs, freeAddr(tb))
		env := []string{"CALLBACKLINE_LISTEN=" + r.addrs[i], "CALLBACKLINE_PUBLIC_URL=http://" + r.addrs[0],
			"CALLBACKLINE_DATABASE=" + database, "CALLBACKLINE_DATA_DIR=" + filepath.Join(r.dir, strconv.Itoa(i)),
			"CALLBACKLINE_BITRIX24_CLIENT_ID=local.callbackline.test", "CALLBACKLINE_BITRIX24_CLIENT_SECRET=test-client-secret",
			"CALLBACKLINE_BITRIX24_OAUTH_SERVER=" + r.hub.URL(), "CALLBACKLINE_BITRIX24_ALLOW_NETWORKS=127.0.0.0/8",
			"CALLBACKLINE_LOG_LEVEL=warn", "CALLBACKLINE_CLUSTER_CALLS=" + strconv.FormatBool(calls)}
		r.svcs = append(r.svcs, start(tb, bin, r.addrs[i], env, logf))
	}
	tb.Cleanup(r.stop)
	return r
}

// install installs n portals, each through the next instance, and waits
// until each has its events bound (the instances are quiet afterwards).
// Installation checks are rate limited per source address, so each portal
// posts from an address of its own on the loopback network (127.0.0.2…),
// as portals post from Bitrix24's many servers.
func (r *intakeRig) install(n int) {
	r.tb.Helper()
	for i := range n {
		p := bitrix24test.New(bitrix24test.Options{Drain: -1, HTTP: fromAddress(i)})
		r.tb.Cleanup(p.Close)
		r.hub.Add(p)
		r.portals = append(r.portals, p)
	}
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := installPortal(r.portals[i], r.addrs[i%len(r.addrs)]); err != nil {
					failed.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		r.tb.Fatalf("installing the portals: %v", err)
	}
	if err := within(2*time.Minute, func() bool {
		for _, p := range r.portals {
			if len(p.Handlers()) < 3 {
				return false
			}
		}
		return true
	}); err != nil {
		r.tb.Fatal("the portals' events were not bound within 2 minutes")
	}
}

// installPortal installs p through the instance at addr, asking again
// while the instance's installation checks are over their rate (503).
func installPortal(p *bitrix24test.Portal, addr string) error {
	status := 0
	err := within(2*time.Minute, func() bool {
		res, err := p.SendInstall(context.Background(), "http://"+addr+"/bitrix24/install")
		if err != nil {
			return false
		}
		res.Body.Close()
		status = res.StatusCode
		return status != http.StatusServiceUnavailable
	})
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("install answered %d", status)
	}
	return err
}

// fromAddress is an HTTP client that connects from 127.0.0.(2 + i%250).
func fromAddress(i int) *http.Client {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%250))}
	d := &net.Dialer{LocalAddr: local, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// bodies writes n events, the portals in turn, each a new number, one per
// line, and returns the file.
func (r *intakeRig) bodies(n int) string {
	r.tb.Helper()
	var sb strings.Builder
	handler := "http://" + r.addrs[0] + "/bitrix24/events"
	for i := range n {
		p := r.portals[i%len(r.portals)]
		req := bitrix24test.CallbackRequest{PhoneNumber: fmt.Sprintf("+4930%07d", 1000000+i), Text: "Rückruf erbeten",
			Voice: "eurgermanfemale", CRMEntityType: "LEAD", CRMEntityID: strconv.Itoa(i + 1)}
		sb.WriteString(p.Envelope(bitrix24test.EventExternalCallbackStart, handler, req.Data(), bitrix24test.EventOptions{}).Encode())
		sb.WriteByte('\n')
	}
	file := filepath.Join(r.dir, "events.txt")
	if err := os.WriteFile(file, []byte(sb.String()), 0o600); err != nil {
		r.tb.Fatal(err)
	}
	return file
}

// loadResult is what bench/load prints.
type loadResult struct {
	Sent, Accepted, Failed int
	FirstFail              string  `json:"first_failure"`
	PerSecond              float64 `json:"per_second"`
	P50ms                  float64 `json:"p50_ms"`
	P99ms                  float64 `json:"p99_ms"`
}

// load runs the load generator against path on every instance.
func (r *intakeRig) load(bin, path string, args ...string) loadResult {
	r.tb.Helper()
	urls := make([]string, len(r.addrs))
	for i, a := range r.addrs {
		urls[i] = "http://" + a + path
	}
	out, err := exec.Command(bin, append([]string{"-url", strings.Join(urls, ","), "-conns", "64"}, args...)...).Output()
	if err != nil {
		r.tb.Fatalf("load generator: %v %s", err, out)
	}
	var res loadResult
	if err := json.Unmarshal(out, &res); err != nil {
		r.tb.Fatalf("load generator printed %q: %v", out, err)
	}
	return res
}

// cpu is the user and system time the instances have used so far.
func (r *intakeRig) cpu() time.Duration {
	var sum time.Duration
	for _, s := range r.svcs {
		sum += processCPU(r.tb, s.cmd.Process.Pid)
	}
	return sum
}

// processCPU reads a process's user and system time from /proc (clock
// ticks of 10 ms, as on every Linux Debian ships).
func processCPU(tb testing.TB, pid int) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// Fields after the command name in parentheses: state is the 3rd,
	// utime the 14th and stime the 15th.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// stop ends every instance gracefully (once).
func (r *intakeRig) stop() {
	for _, s := range r.svcs {
		s.stop(r.tb)
	}
	r.svcs = nil
}
