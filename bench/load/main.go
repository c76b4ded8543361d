// Command load is the intake benchmark's load generator: a process of its
// own, so that the service's CPU figures do not include the client's
// bookkeeping in the same runtime. It sends requests from many connections
// to one or more instances in turn (as a round-robin load balancer would)
// and prints one JSON line: how many were sent and accepted, the rate and
// the latency percentiles.
//
//	load -url http://127.0.0.1:8080/bitrix24/events,http://127.0.0.1:8081/bitrix24/events \
//	     -bodies events.txt -expect '"accepted"' -conns 64
//	load -url http://127.0.0.1:8080/healthz -n 20000 -conns 64
//
// With -bodies, each line of the file is one form-encoded body, POSTed
// once (n is the number of lines); without it, n GETs are sent. The
// command that runs it is BenchmarkIntakeInstances in cmd/callbackline.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// options are the command line.
type options struct {
	urls   []string
	bodies []string // nil: GET
	n      int
	conns  int
	expect string // a 200 counts as accepted only when its body holds it
}

// Result is what one run printed.
type Result struct {
	Sent      int     `json:"sent"`
	Accepted  int     `json:"accepted"`
	Failed    int     `json:"failed"`
	FirstFail string  `json:"first_failure,omitempty"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
	MaxMs     float64 `json:"max_ms"`
}

func main() {
	o, err := parse(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	if err := json.NewEncoder(os.Stdout).Encode(run(o)); err != nil {
		os.Exit(1)
	}
}

// parse reads the flags and the bodies file.
func parse(args []string) (options, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	urls := fs.String("url", "", "comma-separated target URLs, used in turn")
	bodies := fs.String("bodies", "", "file with one form-encoded body per line (POST); none: GET")
	n := fs.Int("n", 10000, "requests to send without -bodies")
	conns := fs.Int("conns", 64, "concurrent connections")
	expect := fs.String("expect", "", "text a 200 answer's body must hold to count as accepted")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	o := options{n: *n, conns: *conns, expect: *expect}
	for u := range strings.SplitSeq(*urls, ",") {
		if u = strings.TrimSpace(u); u != "" {
			o.urls = append(o.urls, u)
		}
	}
	if len(o.urls) == 0 || o.conns < 1 || o.n < 1 {
		return o, errors.New("-url, a positive -conns and -n are required")
	}
	if *bodies != "" {
		var err error
		if o.bodies, err = readLines(*bodies); err != nil {
			return o, err
		}
		o.n = len(o.bodies)
	}
	return o, nil
}

// readLines reads the non-empty lines of a file.
func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, sc.Err()
}

// run sends o.n requests from o.conns connections and measures them.
func run(o options) Result {
	c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns, DisableCompression: true}}
	defer c.CloseIdleConnections()
	lat := make([]time.Duration, o.n)
	var next, accepted atomic.Int64
	var mu sync.Mutex
	var firstFail string
	var wg sync.WaitGroup
	start := time.Now()
	for range o.conns {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < o.n; i = int(next.Add(1)) - 1 {
				t0 := time.Now()
				err := send(c, o, i)
				lat[i] = time.Since(t0)
				if err == nil {
					accepted.Add(1)
					continue
				}
				mu.Lock()
				if firstFail == "" {
					firstFail = err.Error()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	slices.Sort(lat)
	ms := func(p float64) float64 { return float64(lat[int(float64(o.n-1)*p)].Microseconds()) / 1000 }
	return Result{Sent: o.n, Accepted: int(accepted.Load()), Failed: o.n - int(accepted.Load()), FirstFail: firstFail,
		Seconds: took.Seconds(), PerSecond: float64(o.n) / took.Seconds(), P50ms: ms(.5), P99ms: ms(.99), MaxMs: ms(1)}
}

// send makes request i and says why it was not accepted.
func send(c *http.Client, o options, i int) error {
	url := o.urls[i%len(o.urls)]
	var res *http.Response
	var err error
	if o.bodies == nil {
		res, err = c.Get(url)
	} else {
		res, err = c.Post(url, "application/x-www-form-urlencoded", strings.NewReader(o.bodies[i]))
	}
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	switch {
	case err != nil:
		return err
	case res.StatusCode != http.StatusOK:
		return fmt.Errorf("%s answered %d: %.200s", url, res.StatusCode, body)
	case o.expect != "" && !strings.Contains(string(body), o.expect):
		return fmt.Errorf("%s answered without %s: %.200s", url, o.expect, body)
	}
	return nil
}
