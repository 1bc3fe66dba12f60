package loop

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics of every storage controller, by controller (the loop's name),
// registered with the default Prometheus registry.
var (
	syncs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "berth", Subsystem: "storage", Name: "syncs_total",
		Help: "Syncs of the storage controllers, by controller and result (success, error).",
	}, []string{"controller", "result"})
	syncDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "berth", Subsystem: "storage", Name: "sync_duration_seconds",
		Help:    "Time one sync of a storage controller takes, by controller.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16), // 0.5ms … 16s
	}, []string{"controller"})
)

func init() {
	prometheus.MustRegister(syncs, syncDuration)
}

// observe records one sync.
func observe(controller string, start time.Time, err error) {
	result := "success"
	if err != nil {
		result = "error"
	}
	syncs.WithLabelValues(controller, result).Inc()
	syncDuration.WithLabelValues(controller).Observe(time.Since(start).Seconds())
}
