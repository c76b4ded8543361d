package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/store/storetest"
)

// Intake benchmarks: genuine ONEXTERNALCALLBACKSTART events over real HTTP
// into a real store, each answered only after it is durable. Run with
// make bench (go test -run '^$' -bench Intake -benchtime 1x ./web).

const benchEvents = 20000

// benchHarness installs a portal and prepares n distinct event bodies.
func benchHarness(b *testing.B, open func(t testing.TB) storetest.Backend, n int) (*harness, []string) {
	h := newHarnessLog(b, open(b), intake.Rules{Policy: phone.DefaultPolicy()}, slog.New(slog.DiscardHandler))
	h.install()
	bodies := make([]string, n)
	events := h.url("/bitrix24/events")
	for i := range bodies {
		bodies[i] = h.portal.Envelope(bitrix24test.EventExternalCallbackStart, events,
			bitrix24test.CallbackRequest{PhoneNumber: fmt.Sprintf("+4930%07d", 1000000+i), Text: "Rückruf erbeten", Voice: "eurgermanfemale",
				CRMEntityType: "LEAD", CRMEntityID: fmt.Sprint(i + 1)}.Data(), bitrix24test.EventOptions{}).Encode()
	}
	return h, bodies
}

// post sends one event and fails the benchmark unless it was accepted.
func post(b *testing.B, c *http.Client, url, body string) {
	res, err := c.Post(url, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		b.Error(err)
		return
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(got), `"accepted"`) {
		b.Errorf("event answered %d %s", res.StatusCode, got)
	}
}

func percentile(d []time.Duration, p float64) time.Duration {
	slices.Sort(d)
	return d[int(float64(len(d)-1)*p)]
}

// benchThroughput sends benchEvents events from 64 concurrent clients as
// fast as they are answered.
func benchThroughput(b *testing.B, open func(t testing.TB) storetest.Backend) {
	for range b.N {
		b.StopTimer()
		h, bodies := benchHarness(b, open, benchEvents)
		url := h.url("/bitrix24/events")
		const clients = 64
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
		lat := make([]time.Duration, len(bodies))
		var next atomic.Int64
		var wg sync.WaitGroup
		b.StartTimer()
		start := time.Now()
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(bodies) {
						return
					}
					t0 := time.Now()
					post(b, c, url, bodies[i])
					lat[i] = time.Since(t0)
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(len(bodies))/elapsed.Seconds(), "events/s")
		b.ReportMetric(float64(percentile(lat, .50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(lat, .99).Microseconds())/1000, "p99-ms")
		if n := h.jobs(); n != len(bodies) {
			b.Errorf("%d jobs for %d events", n, len(bodies))
		}
		c.CloseIdleConnections()
	}
}

// benchRate sends events at a fixed rate for 5 s and measures each
// latency from the moment it was due (so a stall counts against it).
func benchRate(b *testing.B, open func(t testing.TB) storetest.Backend, perSecond int) {
	const seconds = 5
	for range b.N {
		b.StopTimer()
		h, bodies := benchHarness(b, open, perSecond*seconds)
		url := h.url("/bitrix24/events")
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
		lat := make([]time.Duration, len(bodies))
		interval := time.Second / time.Duration(perSecond)
		var wg sync.WaitGroup
		b.StartTimer()
		start := time.Now()
		for i := range bodies {
			due := start.Add(time.Duration(i) * interval)
			time.Sleep(time.Until(due))
			wg.Add(1)
			go func() {
				defer wg.Done()
				post(b, c, url, bodies[i])
				lat[i] = time.Since(due)
			}()
		}
		wg.Wait()
		b.StopTimer()
		b.ReportMetric(float64(percentile(lat, .50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(lat, .99).Microseconds())/1000, "p99-ms")
		c.CloseIdleConnections()
	}
}

func BenchmarkIntakeSQLite(b *testing.B)         { benchThroughput(b, openSQLite) }
func BenchmarkIntakeSQLiteAt1000(b *testing.B)   { benchRate(b, openSQLite, 1000) }
func BenchmarkIntakePostgres(b *testing.B)       { benchThroughput(b, openPostgres) }
func BenchmarkIntakePostgresAt1000(b *testing.B) { benchRate(b, openPostgres, 1000) }
