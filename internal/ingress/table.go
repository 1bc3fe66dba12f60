package ingress

import (
	"crypto/tls"
	"net"
	"strings"
	"sync/atomic"

	networkingv1 "k8s.io/api/networking/v1"
)

// Table is the routing state of the ingress proxy, built by Build from
// observed objects and never modified afterwards: the proxy swaps whole
// tables, so a request sees one consistent table from start to end.
type Table struct {
	exact     map[string]*hostRoutes // by host
	wildcards map[string]*hostRoutes // by suffix: "*.foo.com" → ".foo.com"
	anyHost   *hostRoutes            // rules without host
	// defaultBackend is the defaultBackend of the oldest Ingress with one:
	// it answers what no rule matches.
	defaultBackend *Backend

	certs         map[string]*tls.Certificate // by exact host
	wildcardCerts map[string]*tls.Certificate // by suffix
	defaultCert   *tls.Certificate            // a TLS entry without hosts
}

// hostRoutes are the paths of one host, most specific first.
type hostRoutes struct {
	routes []route
	// defaultBackend is that of the oldest Ingress defining this host.
	defaultBackend *Backend
}

type route struct {
	path    string
	typ     networkingv1.PathType
	elems   int
	backend *Backend
}

// Backend is one Service port an Ingress routes to, resolved to endpoints.
type Backend struct {
	// Key is namespace/service:port (the port as the Ingress names it).
	Key       string
	Namespace string
	Service   string
	// Endpoints are ready "ip:port" addresses (serving terminating ones
	// only when none is ready), sorted.
	Endpoints []string
	// Problem says why the backend has no endpoints, for the 503 body.
	Problem string

	next atomic.Uint64 // round-robin position within this table
}

// Route is the answer of Lookup.
type Route struct {
	Backend *Backend
	// Matched is the rule's host and path, for logs ("" path: default backend).
	Host, Path string
}

// Lookup finds the backend for a request host (with or without port) and
// URL path. The first of exact host, one-label wildcard, and rules without a
// host that exists decides; within it the most specific path wins (longest,
// then Exact before Prefix); a host whose paths do not match falls to the
// defaultBackend. ok is false when nothing matches: a 404.
func (t *Table) Lookup(host, path string) (Route, bool) {
	host = normalizeHost(host)
	group, groupHost := t.exact[host], host
	if group == nil {
		if _, rest, found := strings.Cut(host, "."); found {
			group, groupHost = t.wildcards["."+rest], "*."+rest
		}
	}
	if group == nil {
		group, groupHost = t.anyHost, ""
	}
	if group != nil {
		for _, r := range group.routes {
			if pathMatches(r.typ, r.path, path) {
				return Route{Backend: r.backend, Host: groupHost, Path: r.path}, true
			}
		}
		if group.defaultBackend != nil {
			return Route{Backend: group.defaultBackend, Host: groupHost}, true
		}
	}
	if t.defaultBackend != nil {
		return Route{Backend: t.defaultBackend}, true
	}
	return Route{}, false
}

// Certificate picks the certificate for a TLS server name: exact host,
// then a one-label wildcard, then a TLS entry without hosts. nil means none.
func (t *Table) Certificate(serverName string) *tls.Certificate {
	host := normalizeHost(serverName)
	if c := t.certs[host]; c != nil {
		return c
	}
	if _, rest, found := strings.Cut(host, "."); found {
		if c := t.wildcardCerts["."+rest]; c != nil {
			return c
		}
	}
	return t.defaultCert
}

// normalizeHost lower-cases a Host header or SNI name and drops the port
// and a trailing dot.
func normalizeHost(h string) string {
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}
