package proxy

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the proxy's Prometheus metrics.
type metrics struct {
	syncDuration *prometheus.HistogramVec // by mode: full, incremental
	syncs        *prometheus.CounterVec   // by result: success, error
	rules        prometheus.Gauge
	chains       prometheus.Gauge
	elements     prometheus.Gauge
	lastSync     prometheus.Gauge
	conntrack    prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		syncDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "berth", Subsystem: "proxy", Name: "sync_duration_seconds",
			Help:    "Time to compute and apply the nftables rules, by mode (full, incremental).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16), // 1ms … 32s
		}, []string{"mode"}),
		syncs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "proxy", Name: "syncs_total",
			Help: "Syncs of the nftables table, by result (success, error).",
		}, []string{"result"}),
		rules: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "berth", Subsystem: "proxy", Name: "rules",
			Help: "Rules in the proxy's nftables table after the last successful sync.",
		}),
		chains: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "berth", Subsystem: "proxy", Name: "chains",
			Help: "Chains in the proxy's nftables table after the last successful sync.",
		}),
		elements: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "berth", Subsystem: "proxy", Name: "map_elements",
			Help: "Elements in the proxy's sets and maps after the last successful sync.",
		}),
		lastSync: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "berth", Subsystem: "proxy", Name: "last_sync_timestamp_seconds",
			Help: "Unix time of the last successful sync.",
		}),
		conntrack: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "berth", Subsystem: "proxy", Name: "conntrack_entries_deleted_total",
			Help: "Stale UDP conntrack entries deleted after endpoints changed.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.syncDuration, m.syncs, m.rules, m.chains, m.elements, m.lastSync, m.conntrack} {
		if err := reg.Register(c); err != nil {
			return nil, errors.Join(errors.New("proxy: registering metrics"), err)
		}
	}
	return m, nil
}

func (m *metrics) observe(rs *Ruleset) {
	m.rules.Set(float64(rs.NumRules()))
	m.chains.Set(float64(len(rs.Chains) + len(rs.IPTables)))
	m.elements.Set(float64(rs.NumElements()))
}
