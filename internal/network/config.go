package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"

	"github.com/berth-project/berth/internal/network/ipam"
)

// Defaults used when a NodeConfig field is left empty.
const (
	DefaultBridgeName = "berth0"
	DefaultNetNSDir   = "/run/berth/netns"
	DefaultIPAMDir    = "/var/lib/berth/ipam"
	// DefaultMTU is used when no MTU is configured and the node has no
	// default route to copy one from.
	DefaultMTU = 1500
	// PodInterface is the name of the pod's side of the veth pair.
	PodInterface = "eth0"
)

// NodeConfig describes the pod network of one node. The same value is passed
// to EnsureNode, SetupPod, TeardownPod and ListSandboxes.
//
// When several nodes share one filesystem (berth cluster runs every node in
// one host), each node needs its own NetNSDir and IPAMDir.
type NodeConfig struct {
	// NodeNetNS is the path of the node's network namespace (for example
	// /run/berth/nodes/node-1/netns). Empty means the calling process's
	// current network namespace.
	NodeNetNS string
	// BridgeName is the node's pod bridge; default "berth0". At most 15
	// bytes (IFNAMSIZ-1).
	BridgeName string
	// PodCIDR is the node's pod CIDR (node.spec.podCIDR), IPv4. Its first
	// address is the gateway, assigned to the bridge.
	PodCIDR *net.IPNet
	// MTU of the bridge and of every pod interface. 0 means: the MTU of the
	// node's default-route link, else 1500. With an overlay (VXLAN adds 50
	// bytes) pass the reduced value explicitly.
	MTU int
	// NetNSDir holds one bind-mounted network namespace file per pod
	// sandbox; default /run/berth/netns.
	NetNSDir string
	// IPAMDir holds the IP allocation state; default /var/lib/berth/ipam.
	IPAMDir string
}

// PodNetwork identifies the pod sandbox to set up. Namespace and Name are
// only used for logging.
type PodNetwork struct {
	SandboxID string
	Namespace string
	Name      string
}

// PodNetworkStatus is what SetupPod built.
type PodNetworkStatus struct {
	// IP is the pod IP (on eth0 inside the pod namespace).
	IP net.IP
	// NetNSPath is the pod's network namespace file; runc joins it with
	// {"type":"network","path":NetNSPath}.
	NetNSPath string
	// HostVeth is the node-side end of the pod's veth pair, on the bridge.
	HostVeth string
	// Gateway is the pod's default gateway, the bridge address.
	Gateway net.IP
}

// resolved is a validated NodeConfig with defaults applied and the podCIDR
// split into the pieces the rest of the package needs.
type resolved struct {
	NodeConfig
	prefix  netip.Prefix // masked pod CIDR
	gateway netip.Addr
}

// resolve applies defaults and validates cfg.
func resolve(cfg NodeConfig) (resolved, error) {
	if cfg.BridgeName == "" {
		cfg.BridgeName = DefaultBridgeName
	}
	if cfg.NetNSDir == "" {
		cfg.NetNSDir = DefaultNetNSDir
	}
	if cfg.IPAMDir == "" {
		cfg.IPAMDir = DefaultIPAMDir
	}
	if err := validateLinkName(cfg.BridgeName); err != nil {
		return resolved{}, fmt.Errorf("network: bridge name: %w", err)
	}
	if cfg.MTU < 0 || (cfg.MTU > 0 && cfg.MTU < 576) || cfg.MTU > 65535 {
		return resolved{}, fmt.Errorf("network: MTU %d out of range (0 or 576..65535)", cfg.MTU)
	}
	if !filepath.IsAbs(cfg.NetNSDir) || !filepath.IsAbs(cfg.IPAMDir) {
		return resolved{}, errors.New("network: NetNSDir and IPAMDir must be absolute paths")
	}
	p, err := ipam.PrefixFromIPNet(cfg.PodCIDR)
	if err != nil {
		return resolved{}, fmt.Errorf("network: %w", err)
	}
	if !p.Addr().Is4() {
		return resolved{}, fmt.Errorf("network: pod CIDR %v: only IPv4 is supported", p)
	}
	if _, _, ok := ipam.UsableRange(p); !ok {
		return resolved{}, fmt.Errorf("network: pod CIDR %v is too small to hold any pod", p)
	}
	return resolved{NodeConfig: cfg, prefix: p, gateway: ipam.Gateway(p)}, nil
}

// netnsPath is where the sandbox's network namespace is bind-mounted.
func (r resolved) netnsPath(sandboxID string) string {
	return filepath.Join(r.NetNSDir, sandboxID)
}

// gatewayNet is the bridge address with the podCIDR's prefix length.
func (r resolved) gatewayNet() *net.IPNet {
	return &net.IPNet{IP: net.IP(r.gateway.AsSlice()), Mask: net.CIDRMask(r.prefix.Bits(), 32)}
}

func (r resolved) allocator() (*ipam.Allocator, error) {
	return ipam.New(r.IPAMDir, r.PodCIDR)
}
