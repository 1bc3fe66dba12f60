package ingress

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	requests *prometheus.CounterVec // by status code
	retries  prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "ingress", Name: "requests_total",
			Help: "Requests through the ingress proxy, by response status code.",
		}, []string{"code"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "ingress", Name: "upstream_retries_total",
			Help: "Requests sent to another endpoint after one failed.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.retries} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
