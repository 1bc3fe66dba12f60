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
		// a controller started again (a server leading again) reuses the
		// collectors registered the first time
		if err := reg.Register(m.transitions); err != nil {
			are, ok := err.(prometheus.AlreadyRegisteredError)
			if !ok {
				return nil, err
			}
			m.transitions = are.ExistingCollector.(*prometheus.CounterVec)
		}
		if err := reg.Register(m.evictions); err != nil {
			are, ok := err.(prometheus.AlreadyRegisteredError)
			if !ok {
				return nil, err
			}
			m.evictions = are.ExistingCollector.(prometheus.Counter)
		}
	}
	return m, nil
}
