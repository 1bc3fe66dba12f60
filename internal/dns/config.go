package dns

import (
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
)

// PodRecords chooses how <a-b-c-d>.<ns>.pod.<zone> names are answered.
type PodRecords int

const (
	// PodsInsecure answers every well-formed name with the IP it spells,
	// as the specification (§2.6) requires. The default.
	PodsInsecure PodRecords = iota
	// PodsVerified answers only when a pod of that namespace has the IP
	// (CoreDNS's "pods verified"); needs Config.WatchPods.
	PodsVerified
	// PodsDisabled answers NXDOMAIN.
	PodsDisabled
)

// AutoPath chooses when server-side search-path expansion is done: a query
// <name>.<ns>.svc.<zone> that does not exist, as the first try of a pod's
// ndots:5 search list, is answered with what the pod would find next
// (<name>.svc.<zone>, <name>.<zone>, the node's search domains, <name>
// itself) plus a CNAME to it, as CoreDNS's autopath plugin does.
type AutoPath int

const (
	// AutoPathAuto is AutoPathPods when pods are watched, AutoPathAll
	// otherwise. The default.
	AutoPathAuto AutoPath = iota
	// AutoPathOff never expands.
	AutoPathOff
	// AutoPathPods expands only for clients that are pods (by source IP)
	// of the namespace in the query, whose search list is known.
	AutoPathPods
	// AutoPathAll expands for every client.
	AutoPathAll
)

// Config configures the server.
type Config struct {
	// Listen are the addresses served over both UDP and TCP, e.g.
	// "10.43.0.10:53"; port 0 picks a free port (see Server.Addrs).
	Listen []string
	// Zone is the cluster domain; default "cluster.local".
	Zone string
	// ResolvConf is a resolv.conf whose nameservers get the names outside
	// the zone and whose search domains extend the search path that
	// AutoPath follows (pods inherit them from the node). Empty: no
	// forwarding, unless Upstreams is set.
	ResolvConf string
	// Upstreams, when set, replace the nameservers of ResolvConf: "ip" or
	// "ip:port".
	Upstreams []string
	// TTL of the cluster records; default 5s.
	TTL time.Duration

	// Client is the API client; or Informers, a factory the server adds its
	// informers to (and starts).
	Client    kubernetes.Interface
	Informers informers.SharedInformerFactory
	// WatchPods caches pods too, for PodsVerified and AutoPathPods.
	WatchPods  bool
	PodRecords PodRecords
	AutoPath   AutoPath
	// Nameservers are the addresses of ns.dns.<zone> (the NS of the zone);
	// default: the IPs of Listen.
	Nameservers []netip.Addr

	// CacheSize bounds the cache of forwarded answers (entries; default
	// 10000, negative disables); CacheMaxTTL and CacheMaxNegativeTTL cap
	// how long an answer and a denial are kept (defaults 30s and 5s).
	CacheSize                        int
	CacheMaxTTL, CacheMaxNegativeTTL time.Duration
	// ForwardTimeout bounds one upstream exchange; default 2s.
	ForwardTimeout time.Duration

	// Registerer receives the metrics; default a private registry. The
	// metrics are served by Server.MetricsHandler and, when MetricsListen is
	// set, at http://<MetricsListen>/metrics.
	Registerer    prometheus.Registerer
	MetricsListen string

	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if len(c.Listen) == 0 {
		return c, errors.New("dns: no listen address")
	}
	if c.Client == nil && c.Informers == nil {
		return c, errors.New("dns: neither Client nor Informers set")
	}
	if c.Zone == "" {
		c.Zone = "cluster.local"
	}
	if c.TTL <= 0 {
		c.TTL = 5 * time.Second
	}
	if c.CacheSize == 0 {
		c.CacheSize = 10000
	}
	if c.CacheMaxTTL <= 0 {
		c.CacheMaxTTL = 30 * time.Second
	}
	if c.CacheMaxNegativeTTL <= 0 {
		c.CacheMaxNegativeTTL = 5 * time.Second
	}
	if c.ForwardTimeout <= 0 {
		c.ForwardTimeout = 2 * time.Second
	}
	if c.AutoPath == AutoPathAuto {
		c.AutoPath = AutoPathAll
		if c.WatchPods {
			c.AutoPath = AutoPathPods
		}
	}
	if (c.PodRecords == PodsVerified || c.AutoPath == AutoPathPods) && !c.WatchPods {
		return c, errors.New("dns: PodsVerified and AutoPathPods need WatchPods")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}
