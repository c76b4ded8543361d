package cluster

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/callbackline/callbackline"
)

// Metrics are one instance's cluster metrics. Every instance serves its
// own /metrics; the instance label of callbackline_instance_info names it.
type Metrics struct {
	info      *prometheus.GaugeVec
	alive     prometheus.Gauge
	takeovers prometheus.Counter
	fenced    prometheus.Counter
	pruned    prometheus.Counter
}

// NewMetrics returns the metrics; Register adds them to a registry.
func NewMetrics() *Metrics {
	return &Metrics{
		info: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "callbackline_instance_info", Help: "This instance: 1 for its id and current generation.",
		}, []string{"instance", "generation"}),
		alive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "callbackline_instances_alive", Help: "Instances on the database not declared dead, as this one last saw them.",
		}),
		takeovers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "callbackline_instance_takeovers_total", Help: "Dead instances this instance took over.",
		}),
		fenced: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "callbackline_instance_fenced_total", Help: "Times this instance learnt it had been declared dead.",
		}),
		pruned: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "callbackline_instances_pruned_total", Help: "Rows of instances dead for longer than cluster.prune_after this instance deleted.",
		}),
	}
}

// Register adds the metrics to r.
func (m *Metrics) Register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.info, m.alive, m.takeovers, m.fenced, m.pruned} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// joined shows the lease's generation as the current one.
func (m *Metrics) joined(l callbackline.Lease) {
	m.info.Reset()
	m.info.WithLabelValues(l.Instance, strconv.FormatInt(l.Generation, 10)).Set(1)
}
