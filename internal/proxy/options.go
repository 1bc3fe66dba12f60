package proxy

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Balance is how a service-port chain picks an endpoint for a new connection.
type Balance string

const (
	// RoundRobin picks endpoints in turn (nftables "numgen inc").
	RoundRobin Balance = "round-robin"
	// Random picks an endpoint uniformly at random ("numgen random").
	Random Balance = "random"
)

// AnnotationLoadBalancing on a Service overrides Options.Balance for that
// Service; its value is "round-robin" or "random".
const AnnotationLoadBalancing = "berth.dev/load-balancing"

// LabelServiceName links an EndpointSlice to its Service.
const LabelServiceName = "kubernetes.io/service-name"

// TableName is the nftables table the proxy owns (family ip).
const TableName = "berth-proxy"

// NodeInfo is what the proxy must know about the node it runs on.
type NodeInfo struct {
	// Name is the node name; endpoints whose nodeName equals it are local.
	Name string
	// IPs are the node's own addresses (InternalIP and others). NodePorts
	// answer on every local address (fib daddr type local) except loopback,
	// so these are informational and used in logs.
	IPs []netip.Addr
	// PodCIDR is this node's pod range (node.spec.podCIDR). An endpoint
	// without nodeName is local when its IP is inside it.
	PodCIDR netip.Prefix
	// ClusterCIDR is the range of all pod IPs in the cluster. Traffic to a
	// ClusterIP from outside it is masqueraded, so replies come back through
	// this node. When it is not set every ClusterIP connection is
	// masqueraded (kube-proxy's --masquerade-all).
	ClusterCIDR netip.Prefix
}

// Options tune the proxy. The zero value is usable.
type Options struct {
	// Balance is the node default; a Service's AnnotationLoadBalancing wins.
	// Empty means RoundRobin.
	Balance Balance
	// Mode is the dataplane; empty means ModeNFTables.
	Mode Mode
	// IPTables is the iptables variant the iptables mode and Cleanup run
	// (its -save and -restore tools): "iptables" (default; on Debian an
	// alternative pointing at iptables-nft), "iptables-nft" or
	// "iptables-legacy".
	IPTables string
	// MasqueradeBit is the packet-mark bit that asks for masquerading;
	// default 0x4000 (kube-proxy's).
	MasqueradeBit uint32
	// MinSyncInterval is the least time between two syncs; Sync calls that
	// come sooner are merged into one. Default 100ms.
	MinSyncInterval time.Duration
	// NetNSPath, when set, is the network namespace the rules and conntrack
	// flushes go to (a /proc/PID/ns/net or bind-mounted file). Empty means
	// the namespace of the calling process.
	NetNSPath string
	// Metrics, when set, receives the proxy's Prometheus metrics.
	Metrics prometheus.Registerer
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// Default values for Options.
const (
	DefaultMasqueradeBit   uint32 = 0x4000
	DefaultMinSyncInterval        = 100 * time.Millisecond
)

func (o Options) withDefaults() Options {
	if o.Balance == "" {
		o.Balance = RoundRobin
	}
	if o.Mode == "" {
		o.Mode = ModeNFTables
	}
	if o.IPTables == "" {
		o.IPTables = "iptables"
	}
	if o.MasqueradeBit == 0 {
		o.MasqueradeBit = DefaultMasqueradeBit
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MinSyncInterval <= 0 {
		o.MinSyncInterval = DefaultMinSyncInterval
	}
	return o
}
