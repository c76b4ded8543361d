package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/store/sqlite"
)

// buildBinary builds callbackline into dir once per test binary run.
func buildBinary(t testing.TB) string { return buildPackage(t, ".") }

// buildPackage builds the command in pkg (relative to this folder).
func buildPackage(t testing.TB, pkg string) string {
	t.Helper()
	name := "callbackline"
	if pkg != "." {
		name = filepath.Base(pkg)
	}
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serviceLog creates the file the service instances of a test log to
// (dir/service.log); it is shown when the test fails.
func serviceLog(t testing.TB, dir string) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "service.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.Close()
		if t.Failed() {
			b, _ := os.ReadFile(f.Name())
			t.Logf("service log:\n%s", b)
		}
	})
	return f
}

// service is one run of the built binary.
type service struct {
	cmd  *exec.Cmd
	done chan error
}

// start runs `callbackline serve` with env and waits until /healthz answers.
func start(t testing.TB, bin, addr string, env []string, logw io.Writer) *service {
	t.Helper()
	return startUntil(t, bin, env, logw, func() bool {
		res, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
}

// startUntil runs `callbackline serve` with env and waits until healthy
// says it is.
func startUntil(t testing.TB, bin string, env []string, logw io.Writer, healthy func() bool) *service {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logw, logw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &service{cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if healthy() {
			return s
		}
		select {
		case err := <-s.done:
			t.Fatalf("callbackline exited while starting: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.kill()
	t.Fatal("callbackline did not become healthy within 2 minutes")
	return nil
}

// kill ends the process with SIGKILL and waits for it.
func (s *service) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// stop ends the process with SIGTERM (graceful) and waits for it.
func (s *service) stop(t testing.TB) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("graceful stop: %v", err)
		}
	case <-time.After(time.Minute):
		s.kill()
		t.Error("callbackline did not stop within a minute of SIGTERM")
	}
}

// TestCrashDurability starts the built binary, sends callback requests
// concurrently, kills it with SIGKILL several times mid-stream, restarts it
// on the same database, and proves that every request answered 200 is
// stored exactly once, with exactly one queued job.
func TestCrashDurability(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	portal := bitrix24test.New(bitrix24test.Options{})
	defer portal.Close()
	addr := freeAddr(t)
	dbPath := filepath.Join(dir, "callbackline.db")
	env := []string{
		"CALLBACKLINE_LISTEN=" + addr,
		"CALLBACKLINE_DATABASE=sqlite:" + dbPath,
		"CALLBACKLINE_BITRIX24_CLIENT_ID=" + portal.ClientID(),
		"CALLBACKLINE_BITRIX24_CLIENT_SECRET=" + portal.ClientSecret(),
		"CALLBACKLINE_BITRIX24_OAUTH_SERVER=" + portal.OAuthServer(),
		"CALLBACKLINE_BITRIX24_ALLOW_NETWORKS=127.0.0.0/8",
		"CALLBACKLINE_INTAKE_NUMBER_LIMIT=0",
		"CALLBACKLINE_INTAKE_PORTAL_LIMIT=0",
		"CALLBACKLINE_LOG_LEVEL=warn",
		"CALLBACKLINE_DATA_DIR=" + dir,
	}
	logf := serviceLog(t, dir)
	events := "http://" + addr + "/bitrix24/events"

	svc := start(t, bin, addr, env, logf)
	sendInstall(t, portal, "http://"+addr)

	var (
		next  atomic.Int64 // the number suffix of the next request
		mu    sync.Mutex
		acked = map[string]int64{} // E.164 → callback id, for every 200
	)
	const rounds, senders = 4, 12
	client := &http.Client{Timeout: 5 * time.Second}
	for round := range rounds {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					n := next.Add(1)
					num := fmt.Sprintf("+4930%07d", 2000000+n)
					body := portal.Envelope(bitrix24test.EventExternalCallbackStart, events,
						bitrix24test.CallbackRequest{PhoneNumber: num, Text: "crash test", CRMEntityType: "LEAD", CRMEntityID: fmt.Sprint(n)}.Data(),
						bitrix24test.EventOptions{}).Encode()
					req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, events, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					res, err := client.Do(req)
					if err != nil {
						time.Sleep(5 * time.Millisecond)
						continue // not answered: it may or may not be stored, never twice
					}
					var a struct {
						Status     string `json:"status"`
						CallbackID int64  `json:"callback_id"`
					}
					err = json.NewDecoder(res.Body).Decode(&a)
					res.Body.Close()
					if res.StatusCode == http.StatusOK && err == nil && a.Status == "accepted" {
						mu.Lock()
						acked[num] = a.CallbackID
						mu.Unlock()
					}
				}
			}()
		}
		// Killed once this round has had requests answered (more each
		// round), however slow the machine: the senders keep going, so
		// requests are in flight.
		want := 20 * (round + 1)
		answered := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
		if err := within(2*time.Minute, func() bool { return answered() >= want }); err != nil {
			cancel()
			wg.Wait()
			svc.kill()
			t.Fatalf("round %d: %d requests answered, want %d", round, answered(), want)
		}
		svc.kill() // mid-stream: requests are in flight
		cancel()
		wg.Wait()
		svc = start(t, bin, addr, env, logf)
	}
	svc.stop(t)

	if len(acked) < 50 {
		t.Fatalf("only %d requests were answered; the test proves nothing", len(acked))
	}
	st, err := sqlite.Open(context.Background(), "sqlite:"+dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	seen := map[string]int{}
	var stored int // each callback, whatever its state (the worker fails them: no trunk), has one job
	for before := int64(0); ; {
		list, err := st.Callbacks(context.Background(), callbackline.CallbackFilter{BeforeID: before, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			seen[c.Phone]++
			stored++
			before = c.ID
		}
		if len(list) < 1000 {
			break
		}
	}
	for num, id := range acked {
		if seen[num] != 1 {
			t.Errorf("request %d answered 200 is stored %d times", id, seen[num])
		}
	}
	for num, n := range seen {
		if n > 1 {
			t.Errorf("%s stored %d times", num, n)
		}
	}
	jobs, err := st.CountJobs(context.Background(), callbackline.CallbackJob{}.Kind())
	if err != nil {
		t.Fatal(err)
	}
	if jobs != stored {
		t.Errorf("%d queued jobs for %d stored callbacks", jobs, stored)
	}
	t.Logf("%d requests sent, %d answered 200, %d stored, %d jobs, over %d kills", next.Load(), len(acked), len(seen), jobs, rounds)
}
