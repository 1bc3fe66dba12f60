package podproxy

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/util/proxy"
)

// agentTransports are the ways to reach agents: plain requests (logs) and
// upgrades (exec, attach, port-forward), both with the bearer token, both
// over TLS without verifying the agent's self-signed certificate (the
// kubelet's default serving certificate is self-signed too).
type agentTransports struct {
	token string
	// base dials and speaks TLS; the SPDY clients dial with it.
	base *http.Transport
	// authed is base with the token, for plain requests.
	authed http.RoundTripper
	// upgrade adds the token to upgrade requests the proxy writes itself.
	upgrade proxy.UpgradeRequestRoundTripper
}

func newAgentTransports(token string) agentTransports {
	base := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, //nolint:gosec // agents' certificates are self-signed
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 25,
		IdleConnTimeout:     90 * time.Second,
	}
	return agentTransports{
		token:   token,
		base:    base,
		authed:  bearer{token: token, next: base},
		upgrade: proxy.NewUpgradeRequestRoundTripper(base, bearer{token: token, next: proxy.MirrorRequest}),
	}
}

// bearer adds "Authorization: Bearer <token>" to every request. It unwraps
// to the next round tripper, so the proxy libraries find its dialer and TLS
// configuration.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(req)
}

func (b bearer) WrappedRoundTripper() http.RoundTripper { return b.next }

// withToken is rt with the agent token added to its requests.
func (t agentTransports) withToken(rt http.RoundTripper) http.RoundTripper {
	return bearer{token: t.token, next: rt}
}
