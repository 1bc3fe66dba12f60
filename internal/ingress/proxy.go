package ingress

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ProxyOptions tune the data plane. The zero value is usable.
type ProxyOptions struct {
	// Logger gets table swaps and backend errors (default slog.Default()).
	Logger *slog.Logger
	// Registerer gets the proxy's metrics (default: a private registry).
	Registerer prometheus.Registerer
	// DialTimeout bounds connecting to one endpoint before the next is
	// tried (default 3s).
	DialTimeout time.Duration
	// MaxIdleConnsPerEndpoint is the keep-alive pool size per endpoint
	// (default 64).
	MaxIdleConnsPerEndpoint int
}

// Proxy is the ingress data plane: an http.Handler routing by the current
// Table. SetTable swaps the table atomically; each request reads it once,
// so in-flight requests finish on the table they started with.
type Proxy struct {
	table    atomic.Pointer[Table]
	log      *slog.Logger
	metrics  *metrics
	rp       *httputil.ReverseProxy
	fallback *tls.Certificate
}

type ctxKey struct{}

// NewProxy makes a proxy with an empty table (every request is a 404).
func NewProxy(o ProxyOptions) (*Proxy, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Registerer == nil {
		o.Registerer = prometheus.NewRegistry()
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = 3 * time.Second
	}
	if o.MaxIdleConnsPerEndpoint == 0 {
		o.MaxIdleConnsPerEndpoint = 64
	}
	m, err := newMetrics(o.Registerer)
	if err != nil {
		return nil, err
	}
	fallback, err := selfSignedCertificate()
	if err != nil {
		return nil, err
	}
	p := &Proxy{log: o.Logger.With("component", "ingress"), metrics: m, fallback: fallback}
	p.table.Store(&Table{})
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = "backend" // the transport picks the endpoint
			pr.SetXForwarded()
			pr.Out.Host = pr.In.Host // backends see the Host the client asked for
		},
		Transport:    newBalancer(o, m, p.log),
		BufferPool:   &bufferPool{},
		ErrorHandler: p.backendError,
		// FlushInterval 0: buffered copies, yet ReverseProxy flushes at
		// once for streams (text/event-stream, no Content-Length).
	}
	return p, nil
}

// SetTable makes t the routing table for requests from now on.
func (p *Proxy) SetTable(t *Table) { p.table.Store(t) }

// Table is the current routing table.
func (p *Proxy) Table() *Table { return p.table.Load() }

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	defer func() { p.metrics.requests.WithLabelValues(strconv.Itoa(sw.statusOr200())).Inc() }()
	route, ok := p.table.Load().Lookup(r.Host, r.URL.Path)
	if !ok {
		shortAnswer(sw, http.StatusNotFound, fmt.Sprintf("no Ingress rule for host %q and path %q", r.Host, r.URL.Path))
		return
	}
	if len(route.Backend.Endpoints) == 0 {
		shortAnswer(sw, http.StatusServiceUnavailable, route.Backend.Problem)
		return
	}
	p.rp.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), ctxKey{}, route.Backend)))
}

// backendError answers when no endpoint could be reached (502), or the
// client went away.
func (p *Proxy) backendError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		w.WriteHeader(499) // client closed the request, nginx's code
		return
	}
	be, _ := r.Context().Value(ctxKey{}).(*Backend)
	key := ""
	if be != nil {
		key = be.Key
	}
	p.log.Warn("backend request failed", "backend", key, "host", r.Host, "path", r.URL.Path, "err", err)
	shortAnswer(w, http.StatusBadGateway, "the backend "+key+" could not be reached")
}

// shortAnswer writes a one-line plain-text error page.
func shortAnswer(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	fmt.Fprintf(w, "%d %s: %s\n", code, http.StatusText(code), msg)
}

// getCertificate serves the certificate for the SNI name, or berth's
// self-signed one when no Ingress has one (as ingress-nginx does).
func (p *Proxy) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if c := p.table.Load().Certificate(hello.ServerName); c != nil {
		return c, nil
	}
	return p.fallback, nil
}

// TLSConfig is the HTTPS listener's configuration: SNI certificates from
// the table, HTTP/2 and HTTP/1.1 by ALPN.
func (p *Proxy) TLSConfig() *tls.Config {
	return &tls.Config{GetCertificate: p.getCertificate, NextProtos: []string{"h2", "http/1.1"}, MinVersion: tls.VersionTLS12}
}

// statusWriter remembers the status code for metrics. Unwrap lets
// http.ResponseController reach Hijack (WebSocket) and Flush.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 || s.status == http.StatusSwitchingProtocols {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Flush() { _ = http.NewResponseController(s.ResponseWriter).Flush() }

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) statusOr200() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}

// bufferPool reuses the 32 KiB buffers ReverseProxy copies bodies through;
// without it every request allocates (and clears) a new one.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if buf, ok := b.p.Get().(*[]byte); ok {
		return *buf
	}
	return make([]byte, 32*1024)
}

func (b *bufferPool) Put(buf []byte) { b.p.Put(&buf) }
