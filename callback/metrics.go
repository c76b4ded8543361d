package callback

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
)

// Metrics are the worker's Prometheus metrics.
type Metrics struct {
	outcomes  *prometheus.CounterVec
	results   *prometheus.CounterVec
	toRing    prometheus.Histogram
	toConnect prometheus.Histogram
	answers   *prometheus.CounterVec
	sipCodes  *prometheus.CounterVec
	crmErrors *prometheus.CounterVec
}

// NewMetrics returns the worker's metrics; Register adds them to a registry.
func NewMetrics() *Metrics {
	return &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callbackline_callback_outcomes_total", Help: "Callbacks by line and outcome (done, failed, scheduled).",
		}, []string{"line", "outcome"}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callbackline_callback_results_total",
			Help: "Callbacks that reached a final state in the worker, by line and the dashboard's outcome (connected, client_no_answer, employee_no_answer, outside_hours, rejected, failed).",
		}, []string{"line", "outcome"}),
		toRing: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "callbackline_request_to_ring_seconds", Help: "Time from receiving a request to an employee's phone ringing.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 5, 30, 300, 3600},
		}),
		toConnect: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "callbackline_request_to_connect_seconds", Help: "Time from receiving a request to the client being connected.",
			Buckets: []float64{1, 5, 10, 20, 30, 60, 120, 600, 3600, 86400},
		}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callbackline_employee_answers_total", Help: "Employee legs by line, extension and whether they answered.",
		}, []string{"line", "extension", "answered"}),
		sipCodes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callbackline_sip_final_total", Help: "Final SIP status of the legs placed, by party.",
		}, []string{"party", "status"}),
		crmErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callbackline_bitrix24_call_errors_total", Help: "Failed Bitrix24 REST calls of the worker, by method.",
		}, []string{"method"}),
	}
}

// Register adds the metrics to r.
func (m *Metrics) Register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.outcomes, m.results, m.toRing, m.toConnect, m.answers, m.sipCodes, m.crmErrors} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (m *Metrics) outcome(line, o string) { m.outcomes.WithLabelValues(line, o).Inc() }
func (m *Metrics) result(line string, o callbackline.Outcome) {
	m.results.WithLabelValues(line, string(o)).Inc()
}
func (m *Metrics) firstRing(d time.Duration) { m.toRing.Observe(d.Seconds()) }
func (m *Metrics) connected(d time.Duration) { m.toConnect.Observe(d.Seconds()) }
func (m *Metrics) crmError(method string)    { m.crmErrors.WithLabelValues(method).Inc() }
func (m *Metrics) employee(line, ext string, ok bool) {
	m.answers.WithLabelValues(line, ext, strconv.FormatBool(ok)).Inc()
}

func (m *Metrics) sipResult(res sip.Result) {
	for _, l := range res.Attempts {
		m.sipCodes.WithLabelValues(string(l.Party), strconv.Itoa(l.Status)).Inc()
	}
	if res.Client != nil {
		m.sipCodes.WithLabelValues(string(res.Client.Party), strconv.Itoa(res.Client.Status)).Inc()
	}
}
