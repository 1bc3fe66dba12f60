package endpointslice

import "time"

// Options configures the controller. The zero value is usable.
type Options struct {
	// MaxEndpointsPerSlice caps the endpoints of one slice; default 100
	// (kube-controller-manager's --max-endpoints-per-slice). The API allows
	// up to 1000.
	MaxEndpointsPerSlice int
	// InitialBackoff and MaxBackoff bound the retry delay of a failed sync;
	// defaults 5ms and 60s.
	InitialBackoff, MaxBackoff time.Duration
}

func (o Options) withDefaults() Options {
	if o.MaxEndpointsPerSlice <= 0 {
		o.MaxEndpointsPerSlice = DefaultMaxEndpointsPerSlice
	}
	o.MaxEndpointsPerSlice = min(o.MaxEndpointsPerSlice, 1000)
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = 5 * time.Millisecond
	}
	if o.MaxBackoff < o.InitialBackoff {
		o.MaxBackoff = max(60*time.Second, o.InitialBackoff)
	}
	return o
}
