package dns

import (
	"errors"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's Prometheus metrics.
type metrics struct {
	responses *prometheus.CounterVec   // by query type and rcode
	duration  *prometheus.HistogramVec // by transport
	forwards  *prometheus.CounterVec   // upstream exchanges by rcode ("error" for no answer)
	cache     *prometheus.CounterVec   // forward cache lookups by result
	autopath  prometheus.Counter
	truncated prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		responses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "dns", Name: "responses_total",
			Help: "DNS responses sent, by query type and response code.",
		}, []string{"type", "rcode"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "berth", Subsystem: "dns", Name: "request_duration_seconds",
			Help:    "Time to answer a DNS query, by transport.",
			Buckets: prometheus.ExponentialBuckets(0.00025, 2, 16), // 0.25ms … 8s
		}, []string{"proto"}),
		forwards: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "dns", Name: "forward_requests_total",
			Help: "Queries sent to upstream servers, by response code (\"error\" when none came).",
		}, []string{"rcode"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "dns", Name: "forward_cache_lookups_total",
			Help: "Lookups in the cache of forwarded answers, by result (hit, miss).",
		}, []string{"result"}),
		autopath: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "dns", Name: "autopath_total",
			Help: "Queries answered by server-side search-path expansion.",
		}),
		truncated: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "dns", Name: "truncated_responses_total",
			Help: "UDP responses sent truncated (TC bit) because they did not fit.",
		}),
	}
	for _, c := range []prometheus.Collector{m.responses, m.duration, m.forwards, m.cache, m.autopath, m.truncated} {
		if err := reg.Register(c); err != nil {
			return nil, errors.Join(errors.New("dns: registering metrics"), err)
		}
	}
	return m, nil
}

// knownTypes bounds the "type" label.
var knownTypes = map[uint16]bool{
	mdns.TypeA: true, mdns.TypeAAAA: true, mdns.TypeSRV: true, mdns.TypePTR: true, mdns.TypeTXT: true,
	mdns.TypeCNAME: true, mdns.TypeSOA: true, mdns.TypeNS: true, mdns.TypeMX: true, mdns.TypeANY: true,
	mdns.TypeHTTPS: true, mdns.TypeSVCB: true,
}

func typeLabel(t uint16) string {
	if knownTypes[t] {
		return mdns.TypeToString[t]
	}
	return "other"
}

func rcodeLabel(rc int) string {
	if s, ok := mdns.RcodeToString[rc]; ok {
		return s
	}
	return "other"
}

func (m *metrics) observe(qtype uint16, rcode int, proto string, took time.Duration) {
	m.responses.WithLabelValues(typeLabel(qtype), rcodeLabel(rcode)).Inc()
	m.duration.WithLabelValues(proto).Observe(took.Seconds())
}
