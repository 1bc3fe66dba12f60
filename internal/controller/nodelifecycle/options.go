package nodelifecycle

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultGracePeriod is Kubernetes' --node-monitor-grace-period.
const DefaultGracePeriod = 40 * time.Second

// Options configure the controller.
type Options struct {
	// GracePeriod: a node with no heartbeat for this long is Unknown
	// (default DefaultGracePeriod).
	GracePeriod time.Duration
	// MonitorPeriod: how often nodes are checked (default: 5 s as in
	// Kubernetes, shorter for short grace periods — a fifth of it).
	MonitorPeriod time.Duration
	// Registerer receives the metrics; nil registers none.
	Registerer prometheus.Registerer
}

func (o Options) withDefaults() Options {
	if o.GracePeriod <= 0 {
		o.GracePeriod = DefaultGracePeriod
	}
	if o.MonitorPeriod <= 0 {
		o.MonitorPeriod = min(5*time.Second, max(o.GracePeriod/5, 200*time.Millisecond))
	}
	return o
}
