package network

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Mode is how pod CIDRs of other nodes are reached (--pod-network).
type Mode string

const (
	// ModeVXLAN tunnels pod traffic between nodes in VXLAN (UDP 8472):
	// works whenever the nodes reach each other by IP.
	ModeVXLAN Mode = "vxlan"
	// ModeHostGW routes each peer's podCIDR via the peer's node IP: no
	// encapsulation, but only for peers on a directly connected subnet.
	ModeHostGW Mode = "host-gw"
)

// ParseMode checks a --pod-network value; "" means vxlan.
func ParseMode(s string) (Mode, error) {
	switch Mode(strings.ToLower(s)) {
	case "", ModeVXLAN:
		return ModeVXLAN, nil
	case ModeHostGW:
		return ModeHostGW, nil
	}
	return "", fmt.Errorf("--pod-network %q: must be %q or %q", s, ModeVXLAN, ModeHostGW)
}

// Overlay constants. The device name, VNI and port follow flannel's
// defaults (flannel.1 uses VNI 1 on the Linux default port 8472).
const (
	VXLANDevice = "berth.vxlan"
	VXLANID     = 1
	VXLANPort   = 8472
	// VXLANOverhead is what the encapsulation adds: outer IPv4 (20) + UDP
	// (8) + VXLAN (8) + inner Ethernet (14) headers.
	VXLANOverhead = 50
	// RouteProtocol marks every route this package installs for peers
	// (the rtm_protocol field, shown by `ip route` as "proto 201"): routes
	// with any other protocol are never changed or deleted.
	RouteProtocol = 201
	// MasqueradeTable is the nftables table (family ip) masquerading pod
	// traffic that leaves the cluster.
	MasqueradeTable = "berth-net"
)

// VTEPMAC is the MAC address of a node's VXLAN device, derived from its
// podCIDR: 0a:58 followed by the podCIDR's network address (10.42.1.0/24 →
// 0a:58:0a:2a:01:00). Peers compute it from node.spec.podCIDR, so nothing
// has to be published; the network address is never a pod's or the
// bridge's, so the MAC collides with none of theirs.
func VTEPMAC(podCIDR netip.Prefix) net.HardwareAddr {
	return MACFromIP(net.IP(podCIDR.Masked().Addr().AsSlice()))
}

// VTEPAddr is the address of a node's VXLAN device (/32): the podCIDR's
// network address. Peers route the podCIDR via it (onlink), and traffic
// the node itself sends into the overlay carries it as source.
func VTEPAddr(podCIDR netip.Prefix) netip.Addr { return podCIDR.Masked().Addr() }

// OverlayMTU is the MTU of the pod network for an underlay MTU: the
// VXLAN header comes off in vxlan mode, host-gw keeps the underlay's.
func OverlayMTU(mode Mode, underlayMTU int) int {
	if underlayMTU <= 0 {
		underlayMTU = DefaultMTU
	}
	if mode == ModeVXLAN {
		return underlayMTU - VXLANOverhead
	}
	return underlayMTU
}
