package ingress

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// balancer is the proxy's RoundTripper: it picks the backend's endpoints
// round-robin and, when one cannot be used, tries the next — always when
// the connection could not be made (nothing was sent), and for idempotent
// requests without a body on any transport error. Connections are kept
// alive in one pool per endpoint.
type balancer struct {
	transport *http.Transport
	metrics   *metrics
	log       *slog.Logger
}

// maxTries bounds the endpoints one request tries.
const maxTries = 3

func newBalancer(o ProxyOptions, m *metrics, log *slog.Logger) *balancer {
	d := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second}
	return &balancer{
		transport: &http.Transport{
			DialContext:         d.DialContext,
			MaxIdleConns:        0, // no global bound; per endpoint below
			MaxIdleConnsPerHost: o.MaxIdleConnsPerEndpoint,
			IdleConnTimeout:     90 * time.Second,
			// Pods speak HTTP/1.1 (WebSocket upgrades need it too).
			ForceAttemptHTTP2: false,
		},
		metrics: m,
		log:     log,
	}
}

func (b *balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	be, _ := req.Context().Value(ctxKey{}).(*Backend)
	if be == nil || len(be.Endpoints) == 0 {
		return nil, errors.New("no endpoints")
	}
	n := uint64(len(be.Endpoints))
	start := be.next.Add(1) - 1
	tries := min(int(n), maxTries)
	var err error
	for i := 0; i < tries; i++ {
		ep := be.Endpoints[(start+uint64(i))%n]
		out := *req
		u := *req.URL
		u.Host = ep
		out.URL = &u
		var resp *http.Response
		resp, err = b.transport.RoundTrip(&out)
		if err == nil {
			return resp, nil
		}
		if req.Context().Err() != nil || !retryable(req, err) {
			return nil, err
		}
		if i < tries-1 {
			b.metrics.retries.Inc()
			b.log.Debug("endpoint failed, trying the next", "backend", be.Key, "endpoint", ep, "err", err)
		}
	}
	return nil, err
}

// retryable says whether a failed request may go to another endpoint:
// when the connection was never made, or when repeating it is safe.
func retryable(req *http.Request, err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	if req.Header.Get("Upgrade") != "" || (req.Body != nil && req.Body != http.NoBody) {
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}
