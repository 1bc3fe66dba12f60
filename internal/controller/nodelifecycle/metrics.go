package nodelifecycle

import "github.com/prometheus/client_golang/prometheus"

// metrics are the controller's Prometheus metrics.
type metrics struct {
	transitions *prometheus.CounterVec // by new Ready status
	evictions   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "node_lifecycle", Name: "ready_transitions_total",
			Help: "Nodes whose Ready condition the controller saw change, by new status (True, False, Unknown).",
		}, []string{"status"}),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "node_lifecycle", Name: "evictions_total",
			Help: "Pods deleted because of a NoExecute taint they do not tolerate (any more).",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.transitions, m.evictions} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
