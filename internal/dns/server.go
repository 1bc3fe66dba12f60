package dns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// Server is the cluster DNS server.
type Server struct {
	cfg      Config
	zone     *zoneData
	view     *indexView
	factory  informers.SharedInformerFactory
	ownsInf  bool
	synced   []cache.InformerSynced
	isSynced atomic.Bool
	fwd      *forwarder
	search   []string // the node's search domains, for AutoPath
	metrics  *metrics
	gatherer prometheus.Gatherer
	log      *slog.Logger

	mu    sync.Mutex
	addrs []net.Addr
	ready chan struct{}
}

// New builds a server; Run serves.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("component", "dns"), ready: make(chan struct{})}

	s.factory = cfg.Informers
	if s.factory == nil {
		s.factory = informers.NewSharedInformerFactory(cfg.Client, 0)
		s.ownsInf = true
	}
	s.view = &indexView{}
	svcInf := s.factory.Core().V1().Services().Informer()
	sliceInf := s.factory.Discovery().V1().EndpointSlices().Informer()
	if s.view.services, err = indexed(svcInf, serviceIndexers()); err != nil {
		return nil, err
	}
	if s.view.slices, err = indexed(sliceInf, sliceIndexers()); err != nil {
		return nil, err
	}
	s.synced = []cache.InformerSynced{svcInf.HasSynced, sliceInf.HasSynced}
	if cfg.WatchPods {
		podInf := s.factory.Core().V1().Pods().Informer()
		if s.view.pods, err = indexed(podInf, podIndexers()); err != nil {
			return nil, err
		}
		s.synced = append(s.synced, podInf.HasSynced)
	}

	var rc resolvConf
	if cfg.ResolvConf != "" {
		b, err := os.ReadFile(cfg.ResolvConf)
		if err != nil {
			return nil, fmt.Errorf("dns: reading resolv.conf: %w", err)
		}
		rc = parseResolvConf(b)
	}
	servers := rc.servers
	if len(cfg.Upstreams) > 0 {
		servers = nil
		for _, u := range cfg.Upstreams {
			a, ok := upstreamAddr(u)
			if !ok {
				return nil, fmt.Errorf("dns: bad upstream %q", u)
			}
			servers = append(servers, a)
		}
	}
	s.search = rc.search

	reg := cfg.Registerer
	if reg == nil {
		r := prometheus.NewRegistry()
		reg, s.gatherer = r, r
	} else if g, ok := reg.(prometheus.Gatherer); ok {
		s.gatherer = g
	} else {
		s.gatherer = prometheus.DefaultGatherer
	}
	if s.metrics, err = newMetrics(reg); err != nil {
		return nil, err
	}

	s.fwd = &forwarder{
		servers: withoutSelf(servers, cfg.Listen),
		timeout: cfg.ForwardTimeout,
		cache:   newAnswerCache(cfg.CacheSize, cfg.CacheMaxTTL, cfg.CacheMaxNegativeTTL),
		metrics: s.metrics,
	}
	s.zone = &zoneData{
		zone:        canonical(cfg.Zone),
		ttl:         uint32(max(cfg.TTL/time.Second, 1)),
		serial:      uint32(time.Now().Unix()),
		nameservers: cfg.Nameservers,
		pods:        cfg.PodRecords,
	}
	if len(s.zone.nameservers) == 0 {
		s.zone.nameservers = listenIPs(cfg.Listen)
	}
	return s, nil
}

// indexed adds the indexes the server needs to an informer (those it lacks)
// and returns its store.
func indexed(inf cache.SharedIndexInformer, want cache.Indexers) (cache.Indexer, error) {
	have := inf.GetIndexer().GetIndexers()
	add := cache.Indexers{}
	for name, fn := range want {
		if _, ok := have[name]; !ok {
			add[name] = fn
		}
	}
	if len(add) > 0 {
		if err := inf.AddIndexers(add); err != nil {
			return nil, fmt.Errorf("dns: adding indexes: %w", err)
		}
	}
	return inf.GetIndexer(), nil
}

func listenIPs(listen []string) []netip.Addr {
	var out []netip.Addr
	for _, l := range listen {
		host, _, err := net.SplitHostPort(l)
		if err != nil {
			continue
		}
		if a, err := netip.ParseAddr(host); err == nil && !a.IsUnspecified() {
			out = append(out, a.Unmap())
		}
	}
	return out
}

// MetricsHandler serves the server's metrics in the Prometheus text format.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{})
}

// Ready is closed once the server listens on all its addresses.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addrs are the UDP addresses served (the TCP ones have the same ports),
// known once Ready is closed.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]net.Addr(nil), s.addrs...)
}

// HasSynced reports whether the caches have been filled once; until then
// questions about the zone get SERVFAIL, and clients retry.
func (s *Server) HasSynced() bool { return s.isSynced.Load() }

// Run listens, starts the informers and serves until ctx is done. Once the
// caches are filled, answers come from them even while the API server is
// unreachable (the informers keep their last state and reconnect).
func (s *Server) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var servers []*mdns.Server
	for _, addr := range s.cfg.Listen {
		pc, ln, err := listenBoth(addr)
		if err != nil {
			for _, srv := range servers {
				_ = srv.Shutdown()
			}
			return err
		}
		servers = append(servers,
			&mdns.Server{PacketConn: pc, Handler: s},
			&mdns.Server{Listener: ln, Handler: s, ReadTimeout: 10 * time.Second, IdleTimeout: func() time.Duration { return 10 * time.Second }})
		s.mu.Lock()
		s.addrs = append(s.addrs, pc.LocalAddr())
		s.mu.Unlock()
	}
	errs := make(chan error, len(servers)+1)
	for _, srv := range servers {
		go func() { errs <- srv.ActivateAndServe() }()
	}
	defer func() {
		for _, srv := range servers {
			_ = srv.Shutdown()
		}
	}()

	if s.cfg.MetricsListen != "" {
		hs := &http.Server{Addr: s.cfg.MetricsListen, Handler: s.metricsMux(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("dns: metrics: %w", err)
			}
		}()
		defer hs.Close()
	}

	s.factory.Start(ctx.Done())
	if s.ownsInf {
		defer s.factory.Shutdown()
	}
	go func() {
		if cache.WaitForCacheSync(ctx.Done(), s.synced...) {
			s.isSynced.Store(true)
			s.log.Info("caches synced")
		}
	}()

	s.log.Info("serving", "addrs", s.Addrs(), "zone", s.zone.zone, "upstreams", s.fwd.servers)
	close(s.ready)
	select {
	case <-ctx.Done():
		return nil
	case err := <-errs:
		return fmt.Errorf("dns: serving: %w", err)
	}
}

func (s *Server) metricsMux() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", s.MetricsHandler())
	return mux
}

// listenBoth binds UDP and TCP on the same address; port 0 finds a port
// free for both.
func listenBoth(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("dns: listen address %q: %w", addr, err)
	}
	tries := 1
	if port == "0" {
		tries = 20
	}
	for range tries {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("dns: %w", err)
		}
		p := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(p)))
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		if tries == 1 {
			return nil, nil, fmt.Errorf("dns: %w", err)
		}
	}
	return nil, nil, fmt.Errorf("dns: no port free for both UDP and TCP on %s", host)
}
