package sip_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// The benchmark's fake phones run in a child process (this test binary,
// started with phoneProcessEnv=1) so that the dialer's CPU and memory are
// measured alone.
const phoneProcessEnv = "SIPTEST_PHONE_PROCESS"

func TestMain(m *testing.M) {
	if os.Getenv(phoneProcessEnv) == "1" {
		os.Exit(phoneProcess())
	}
	os.Exit(m.Run())
}

// phoneStats is what the phone process reports.
type phoneStats struct {
	Calls, Answered int
	Packets         int64     // RTP packets received on all calls so far
	Sent            int64     // RTP packets sent on all calls so far
	FirstSpeechMS   []float64 // per employee call: 200 OK sent → first RTP received
}

// phoneProcess runs a fake phone that answers every call with a tone and
// reports statistics for each "report" line on stdin, until stdin closes.
func phoneProcess() int {
	ph, err := siptest.NewPhone(context.Background())
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	defer ph.Close()
	ph.Set("", siptest.Behavior{Action: siptest.Answer, ToneHz: 440})
	fmt.Println("ADDR", ph.Addr())
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		var st phoneStats
		for _, c := range ph.Calls() {
			st.Calls++
			st.Packets += int64(c.Packets)
			st.Sent += int64(c.Sent)
			if c.Answered.IsZero() {
				continue
			}
			st.Answered++
			if strings.HasPrefix(c.User, "e") && !c.FirstRTP.IsZero() {
				st.FirstSpeechMS = append(st.FirstSpeechMS, float64(c.FirstRTP.Sub(c.Answered).Microseconds())/1000)
			}
		}
		b, _ := json.Marshal(st)
		fmt.Println(string(b))
	}
	return 0
}

type phoneProc struct {
	cmd  *exec.Cmd
	in   *os.File
	out  *bufio.Scanner
	addr string
}

func startPhoneProcess(b *testing.B) *phoneProc {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if cpus := os.Getenv("CALLBACKLINE_BENCH_PHONE_CPUS"); cpus != "" {
		// e.g. run the dialer with `taskset -c 0 go test …` and the phones on "1"
		cmd = exec.Command("taskset", "-c", cpus, os.Args[0], "-test.run=^$")
	}
	cmd.Env = append(os.Environ(), phoneProcessEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &phoneProc{cmd: cmd, out: bufio.NewScanner(stdout)}
	p.out.Buffer(make([]byte, 1<<20), 16<<20)
	p.in = stdin.(*os.File)
	if !p.out.Scan() || !strings.HasPrefix(p.out.Text(), "ADDR ") {
		b.Fatalf("phone process: %q", p.out.Text())
	}
	p.addr = strings.TrimPrefix(p.out.Text(), "ADDR ")
	b.Cleanup(func() { p.in.Close(); _ = p.cmd.Wait() })
	return p
}

func (p *phoneProc) stats(b *testing.B) phoneStats {
	fmt.Fprintln(p.in, "report")
	if !p.out.Scan() {
		b.Fatal("phone process ended")
	}
	var st phoneStats
	if err := json.Unmarshal(p.out.Bytes(), &st); err != nil {
		b.Fatal(err)
	}
	return st
}

func (p *phoneProc) cpu() time.Duration { return procCPU(p.cmd.Process.Pid) }

// procCPU is user+system CPU time of a process, from /proc/PID/stat.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func rssKB() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return n
		}
	}
	return 0
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkConcurrentCalls holds N bridged and recorded callbacks at once
// against Go fake phones in a child process and reports the dialer's CPU
// and memory per call, RTP delivery, and the time from the employee's
// answer to the first announcement packet. Size it with
// CALLBACKLINE_BENCH_CALLS (default 200) and CALLBACKLINE_BENCH_WINDOW
// (seconds measured, default 10); calls are set up at
// CALLBACKLINE_BENCH_RATE per second (default 50). CALLBACKLINE_BENCH_PHONE_CPUS
// pins the phone process (taskset -c) so that the dialer can have a core
// of its own.
func BenchmarkConcurrentCalls(b *testing.B) {
	n := envInt("CALLBACKLINE_BENCH_CALLS", 200)
	window := time.Duration(envInt("CALLBACKLINE_BENCH_WINDOW", 10)) * time.Second
	rate := envInt("CALLBACKLINE_BENCH_RATE", 50)
	for i := 0; i < b.N; i++ {
		benchCalls(b, n, window, rate)
	}
}

func benchCalls(b *testing.B, n int, window time.Duration, rate int) {
	ph := startPhoneProcess(b)
	dir := b.TempDir()
	ann := filepath.Join(dir, "ann.wav")
	if err := siptest.WriteSpeechLike(ann, 8000, 1); err != nil {
		b.Fatal(err)
	}
	cfg := sip.Config{
		Listen:   "127.0.0.1:0",
		RTPPorts: sip.PortRange{Min: 20000, Max: 29999},
		Trunks:   []sip.Trunk{{Employee: "sip:{extension}@" + ph.addr, Client: "sip:{number}@" + ph.addr, ExtensionPattern: `e[0-9]+`}},
	}
	d, err := sip.New(context.Background(), cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	runtime.GC()
	time.Sleep(500 * time.Millisecond)
	rss0 := rssKB()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var connected atomic.Int64
	var wg sync.WaitGroup
	results := make([]sip.Result, n)
	setupStart := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for i := range n {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = d.Callback(ctx, sip.Plan{
				ID: "bench", Employees: []string{fmt.Sprintf("e%d", i)}, Client: fmt.Sprintf("+4930%07d", i),
				Announcement: ann, Recording: filepath.Join(dir, fmt.Sprintf("rec%d.wav", i)),
				Timeouts: sip.Timeouts{EmployeeRing: 10 * time.Second, ClientRing: 10 * time.Second, DeadPeer: 10 * time.Second, MaxCall: time.Hour},
				Progress: func(e sip.Event) {
					if e.Type == sip.EventConnected {
						connected.Add(1)
					}
				},
			})
		}()
	}
	tick.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for connected.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	setup := time.Since(setupStart)
	if got := connected.Load(); got < int64(n) {
		b.Errorf("only %d of %d calls connected after %s", got, n, setup)
	}
	time.Sleep(2 * time.Second) // let announcements finish everywhere

	st0 := ph.stats(b)
	self := os.Getpid()
	cpu0, pcpu0, t0 := procCPU(self), ph.cpu(), time.Now()
	time.Sleep(window)
	cpu1, pcpu1, el := procCPU(self), ph.cpu(), time.Since(t0)
	st1 := ph.stats(b)
	rss1 := rssKB()
	goroutines := runtime.NumGoroutine()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)

	cancel()
	wg.Wait()
	failed := 0
	for _, r := range results {
		if r.Outcome != sip.OutcomeConnected || r.Err != nil {
			failed++
		}
	}
	var rings, crings, firsts []float64
	for _, r := range results {
		if r.Employee != nil && !r.Employee.FirstAudio.IsZero() {
			firsts = append(firsts, float64(r.Employee.FirstAudio.Sub(r.Employee.Answered).Microseconds())/1000)
		}
	}
	slices.Sort(firsts)
	if len(firsts) > 0 {
		b.Logf("dialer side: answer → first announcement packet sent p50 %.2f ms p95 %.2f ms max %.2f ms",
			firsts[len(firsts)/2], firsts[len(firsts)*95/100], firsts[len(firsts)-1])
	}
	for _, r := range results {
		if r.Employee != nil {
			rings = append(rings, float64(r.Employee.RingTime().Microseconds())/1000)
		}
		if r.Client != nil {
			crings = append(crings, float64(r.Client.RingTime().Microseconds())/1000)
		}
	}
	slices.Sort(rings)
	slices.Sort(crings)
	if len(rings) > 0 && len(crings) > 0 {
		b.Logf("setup: employee INVITE→answer p50 %.1f ms p95 %.1f ms max %.1f ms; client p50 %.1f ms p95 %.1f ms max %.1f ms",
			rings[len(rings)/2], rings[len(rings)*95/100], rings[len(rings)-1], crings[len(crings)/2], crings[len(crings)*95/100], crings[len(crings)-1])
	}
	conn := float64(connected.Load())
	cores := (cpu1 - cpu0).Seconds() / el.Seconds()
	expected := conn * 2 * 50 * el.Seconds()
	sent := float64(st1.Sent - st0.Sent)
	received := float64(st1.Packets - st0.Packets)
	delivered := received / sent * 100
	fs := slices.Clone(st1.FirstSpeechMS)
	slices.Sort(fs)
	pct := func(p float64) float64 {
		if len(fs) == 0 {
			return 0
		}
		return fs[min(len(fs)-1, int(p*float64(len(fs))))]
	}
	perCallKB := float64(rss1-rss0) / conn
	b.ReportMetric(conn, "calls")
	b.ReportMetric(cores, "cores")
	b.ReportMetric(cores*1000/conn, "cpu-ms/call-s")
	b.ReportMetric(perCallKB, "KB/call")
	b.ReportMetric(delivered, "%delivered")
	b.ReportMetric(pct(0.95), "first-speech-p95-ms")
	b.ReportMetric(float64(failed), "failed")
	b.Logf("%d calls connected in %s (rate %d/s); failed %d", int(conn), setup.Round(time.Millisecond), rate, failed)
	b.Logf("dialer CPU %.2f cores = %.2f ms per call-second; phones %.2f cores", cores, cores*1000/conn, (pcpu1-pcpu0).Seconds()/el.Seconds())
	b.Logf("dialer RSS %d→%d KB = %.0f KB per call; heap in use %d KB, stacks %d KB, goroutines %d (%.1f per call)",
		rss0, rss1, perCallKB, ms.HeapInuse/1024, ms.StackInuse/1024, goroutines, float64(goroutines)/conn)
	b.Logf("RTP through the bridge: phones sent %.0f packets (%.2f%% of the nominal 50/s per leg), received %.0f = %.2f%% of those sent, in %s",
		sent, sent/expected*100, received, delivered, el.Round(time.Millisecond))
	b.Logf("first speech after employee answer: p50 %.1f ms, p95 %.1f ms, max %.1f ms (%d calls)", pct(0.5), pct(0.95), pct(1), len(fs))
}
