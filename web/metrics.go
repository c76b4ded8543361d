package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

// Metrics holds the Prometheus metrics of the HTTP side and the registry
// they are served from.
type Metrics struct {
	Registry *prometheus.Registry
	events   *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	installs *prometheus.CounterVec
}

// NewMetrics registers callbackline's HTTP metrics, Go and process metrics,
// and a collector of callbacks by state read from the store at scrape time.
func NewMetrics(store callbackline.CallbackStore) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callbackline_events_total",
			Help: "Bitrix24 events received, by event and outcome (accepted, duplicate, rejected, ignored, unauthorized, bad_request, error, …).",
		}, []string{"event", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "callbackline_intake_seconds",
			Help:    "Time from receiving a Bitrix24 event to answering it.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"event"}),
		installs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callbackline_installs_total",
			Help: "Installation requests, by outcome (installed, refused).",
		}, []string{"outcome"}),
	}
	m.Registry.MustRegister(m.events, m.latency, m.installs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if store != nil {
		m.ObserveStore(store)
	}
	return m
}

// ObserveStore adds a gauge of the store's callbacks by state, read at
// scrape time. Call it once.
func (m *Metrics) ObserveStore(store callbackline.CallbackStore) {
	m.Registry.MustRegister(&stateCollector{store: store, desc: prometheus.NewDesc(
		"callbackline_callbacks", "Callbacks in the store, by state.", []string{"state"}, nil)})
	if ps, ok := store.(callbackline.PortalStore); ok {
		m.Registry.MustRegister(&portalCollector{store: ps, desc: prometheus.NewDesc(
			"callbackline_portals", "Portals by status (installed, reinstall_required, uninstalled).", []string{"status"}, nil)})
	}
}

// portalCollector counts portals by status at scrape time: a portal that
// must reinstall the application shows up here.
type portalCollector struct {
	store callbackline.PortalStore
	desc  *prometheus.Desc
}

func (c *portalCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *portalCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	list, err := c.store.Portals(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	counts := map[callbackline.PortalStatus]int{callbackline.PortalInstalled: 0, callbackline.PortalReinstall: 0, callbackline.PortalUninstalled: 0}
	for _, p := range list {
		counts[p.Status]++
	}
	for st, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), string(st))
	}
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

func (m *Metrics) observeEvent(event, outcome string, d time.Duration) {
	m.events.WithLabelValues(event, outcome).Inc()
	m.latency.WithLabelValues(event).Observe(d.Seconds())
}

// metricEventName keeps the label set small: known events by name, the
// rest as "other".
func metricEventName(name string) string {
	switch name {
	case bitrix24.EventCallbackStart, bitrix24.EventCallStart, bitrix24.EventAppInstall,
		bitrix24.EventAppUpdate, bitrix24.EventAppUninstall, bitrix24.EventCallEnd:
		return strings.ToLower(name)
	}
	return "other"
}

// stateCollector reads the number of callbacks per state at scrape time.
type stateCollector struct {
	store callbackline.CallbackStore
	desc  *prometheus.Desc
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.store.CallbackCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, st := range callbackline.States() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
}
