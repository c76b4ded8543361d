package callback_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestResultsCounted: every callback that reaches a final state counts
// once in callbackline_callback_results_total under its line and the
// dashboard's outcome.
func TestResultsCounted(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	m := callback.NewMetrics()
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	e.worker = e.workerWith(func(c *callback.Config) { c.Metrics = m })
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	e.run(e.request(clientRaw, "LEAD", 5785))
	stale := e.request(clientRaw, "LEAD", 5786)
	e.clock.Advance(25 * time.Hour)
	e.run(stale)

	got := map[string]float64{}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "callbackline_callback_results_total" {
			continue
		}
		for _, mt := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range mt.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[labels["line"]+" "+labels["outcome"]] = mt.GetCounter().GetValue()
		}
	}
	want := map[string]float64{lineNumber + " connected": 1, lineNumber + " outside_hours": 1}
	if len(got) != len(want) || got[lineNumber+" connected"] != 1 || got[lineNumber+" outside_hours"] != 1 {
		t.Errorf("results %v, want %v", got, want)
	}
}
