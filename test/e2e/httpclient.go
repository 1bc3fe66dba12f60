package e2e

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// HTTPClient is an HTTP client whose connections are made in the outside
// namespace (in the node's with fromNode) and go to the address to,
// whatever host the URL names, like curl --resolve: the Host header and
// TLS SNI still come from the URL. An empty to keeps the URL's host.
// Certificates are not verified (tests compare them themselves).
func (w *NodeWorld) HTTPClient(fromNode bool, to string, keepAlive bool) *http.Client {
	ns := w.Outside
	if fromNode {
		ns = w.Node
	}
	dial := dialIn(ns)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if to != "" {
				_, port, _ := net.SplitHostPort(addr)
				addr = net.JoinHostPort(to, port)
			}
			return dial(ctx, network, addr)
		},
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: true},
		ForceAttemptHTTP2:   true,
		DisableKeepAlives:   !keepAlive,
		MaxIdleConnsPerHost: 64,
	}
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}
}
