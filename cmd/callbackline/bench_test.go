package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// BenchmarkEventToRing measures the time from the event's 200 answer to
// the employee's phone receiving the INVITE, through the whole service:
// HTTP intake, store, queue, worker, routing and register against the
// simulated portal (answering quickly, no rate limit), the SIP dialer. Events are sent
// one after another (the latency of a single callback, not a load test).
//
//	go test -run '^$' -bench EventToRing -benchtime 1x ./cmd/callbackline
func BenchmarkEventToRing(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		phones, err := siptest.NewPhone(ctx)
		if err != nil {
			b.Fatal(err)
		}
		// The employee (the seeded lead's owner, extension 101) is busy at
		// once: each callback rings and ends.
		phones.Set("101", siptest.Behavior{Action: siptest.Busy})
		portal := bitrix24test.New(bitrix24test.Options{Drain: -1})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		cfg := config.Default()
		cfg.Listen, cfg.PublicURL = ln.Addr().String(), "http://"+ln.Addr().String()
		cfg.Database, cfg.DataDir = "sqlite:"+filepath.Join(dir, "cb.db"), dir
		cfg.Bitrix24.ClientID, cfg.Bitrix24.ClientSecret, cfg.Bitrix24.OAuthServer = portal.ClientID(), portal.ClientSecret(), portal.OAuthServer()
		cfg.Bitrix24.AllowNetworks = bitrix24test.LoopbackNetworks
		cfg.Intake.NumberLimit, cfg.Intake.PortalLimit = 0, 0
		// A portal that answers quickly and does not limit: this measures
		// callbackline, not Bitrix24's 2 requests/s (which a burst of 200
		// callbacks in a row would hit after the first 50 requests).
		cfg.Bitrix24.Rate, cfg.Bitrix24.Burst = 10000, 10000
		cfg.SIP.Listen = "127.0.0.1:0"
		cfg.SIP.Trunks = []sip.Trunk{{Name: "bench", Employee: "sip:{extension}@" + phones.Addr(), Client: "sip:{number}@" + phones.Addr()}}
		cfg.Speech.Engine = config.EngineNone
		a, err := newApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), appOptions{Listener: ln})
		if err != nil {
			b.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- a.run(runCtx) }()
		installInto(b, portal, cfg.PublicURL)

		events := benchEventCount()
		lat := make([]time.Duration, 0, events)
		b.StartTimer()
		for i := range events {
			req := bitrix24test.CallbackRequest{PhoneNumber: fmt.Sprintf("+4930%07d", 3000000+i), Text: "bench",
				CRMEntityType: "LEAD", CRMEntityID: "5785"}
			before := len(phones.Calls())
			res, err := portal.SendCallbackStart(ctx, cfg.PublicURL+"/bitrix24/events", req, bitrix24test.EventOptions{})
			answered := time.Now()
			if err != nil || res.StatusCode != http.StatusOK {
				b.Fatalf("event: %v %v", res, err)
			}
			res.Body.Close()
			calls, err := waitCalls(phones, before+1, 10*time.Second)
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, calls[before].Invited.Sub(answered))
			if os.Getenv("CALLBACKLINE_BENCH_DEBUG") != "" {
				hist, _ := a.store.History(ctx, int64(i+1))
				for _, h := range hist {
					b.Logf("event %d: +%s %s %s", i, h.At.Sub(answered), h.State, h.Note)
				}
				b.Logf("event %d: invite +%s", i, calls[before].Invited.Sub(answered))
			}
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
		stop()
		<-done
		portal.Close()
		phones.Close()
	}
}

// waitCalls waits until the phone has seen n calls.
func waitCalls(p *siptest.Phone, n int, d time.Duration) ([]siptest.Call, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return p.WaitCalls(ctx, n)
}

// benchEventCount is 200, or CALLBACKLINE_BENCH_EVENTS.
func benchEventCount() int {
	if n, err := strconv.Atoi(os.Getenv("CALLBACKLINE_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 200
}
