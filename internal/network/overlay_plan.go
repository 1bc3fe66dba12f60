package network

import (
	"fmt"
	"net"
	"net/netip"
	"sort"

	corev1 "k8s.io/api/core/v1"
)

// NodeAddr is what the overlay needs to know of one Node.
type NodeAddr struct {
	Name    string
	PodCIDR netip.Prefix // spec.podCIDR, masked
	IP      netip.Addr   // first InternalIP
}

// NodeAddrs extracts the NodeAddr of every Node that has an IPv4 podCIDR
// and an IPv4 InternalIP. Nodes without them yet are skipped silently (the
// node IPAM controller or the agent has not got there); malformed values
// are reported.
func NodeAddrs(nodes []*corev1.Node) ([]NodeAddr, []error) {
	var out []NodeAddr
	var errs []error
	for _, n := range nodes {
		if n.Spec.PodCIDR == "" {
			continue
		}
		p, err := netip.ParsePrefix(n.Spec.PodCIDR)
		if err != nil || !p.Addr().Is4() {
			errs = append(errs, fmt.Errorf("node %s: spec.podCIDR %q is not an IPv4 CIDR", n.Name, n.Spec.PodCIDR))
			continue
		}
		var ip netip.Addr
		for _, a := range n.Status.Addresses {
			if a.Type != corev1.NodeInternalIP {
				continue
			}
			if v, err := netip.ParseAddr(a.Address); err == nil && v.Is4() {
				ip = v
				break
			}
		}
		if !ip.IsValid() {
			continue
		}
		out = append(out, NodeAddr{Name: n.Name, PodCIDR: p.Masked(), IP: ip})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errs
}

// ConnectedNet is a subnet directly connected to the node (an address on
// one of its links), for host-gw's next hops.
type ConnectedNet struct {
	Prefix netip.Prefix
	Link   string
}

// OverlayRoute is `Dst via Gw dev Dev [onlink] proto RouteProtocol`.
type OverlayRoute struct {
	Dst    netip.Prefix
	Gw     netip.Addr
	Dev    string
	OnLink bool
}

// OverlayFDB is `bridge fdb <MAC> dev berth.vxlan dst <Dst>`: frames for
// a peer's VTEP go to the peer's node IP.
type OverlayFDB struct {
	MAC string
	Dst netip.Addr
}

// OverlayNeigh is `ip neigh <IP> lladdr <MAC> dev berth.vxlan permanent`:
// the peer's VTEP address resolves without ARP over the tunnel.
type OverlayNeigh struct {
	IP  netip.Addr
	MAC string
}

// OverlayState is what the node's kernel should hold for its peers.
type OverlayState struct {
	Routes []OverlayRoute
	FDB    []OverlayFDB
	Neigh  []OverlayNeigh
	// NodeIPs are every node's address (self included): pod traffic to
	// them is not masqueraded.
	NodeIPs []netip.Addr
}

// DesiredOverlay computes the routes, forwarding and neighbour entries
// that make every other node's podCIDR reachable from node self. Peers
// that cannot be served are skipped with an error each (host-gw to a peer
// outside every connected subnet; a podCIDR overlapping ours), the rest
// still work. Pure.
func DesiredOverlay(mode Mode, self string, nodes []NodeAddr, connected []ConnectedNet) (OverlayState, []error) {
	var st OverlayState
	var errs []error
	var me *NodeAddr
	for i := range nodes {
		if nodes[i].Name == self {
			me = &nodes[i]
		}
	}
	for _, n := range nodes {
		st.NodeIPs = append(st.NodeIPs, n.IP)
		if n.Name == self {
			continue
		}
		if me != nil && me.PodCIDR.Overlaps(n.PodCIDR) {
			errs = append(errs, fmt.Errorf("node %s: podCIDR %v overlaps this node's %v; not routed", n.Name, n.PodCIDR, me.PodCIDR))
			continue
		}
		switch mode {
		case ModeHostGW:
			dev := ""
			for _, c := range connected {
				if c.Prefix.Contains(n.IP) {
					dev = c.Link
					break
				}
			}
			if dev == "" {
				errs = append(errs, fmt.Errorf("node %s: host-gw needs peers on a directly connected subnet, but %v is in none of this node's (%s); use --pod-network=vxlan", n.Name, n.IP, connectedList(connected)))
				continue
			}
			st.Routes = append(st.Routes, OverlayRoute{Dst: n.PodCIDR, Gw: n.IP, Dev: dev})
		default:
			mac := VTEPMAC(n.PodCIDR).String()
			vtep := VTEPAddr(n.PodCIDR)
			st.Routes = append(st.Routes, OverlayRoute{Dst: n.PodCIDR, Gw: vtep, Dev: VXLANDevice, OnLink: true})
			st.FDB = append(st.FDB, OverlayFDB{MAC: mac, Dst: n.IP})
			st.Neigh = append(st.Neigh, OverlayNeigh{IP: vtep, MAC: mac})
		}
	}
	sort.Slice(st.NodeIPs, func(i, j int) bool { return st.NodeIPs[i].Less(st.NodeIPs[j]) })
	return st, errs
}

func connectedList(c []ConnectedNet) string {
	if len(c) == 0 {
		return "none"
	}
	s := ""
	for i, n := range c {
		if i > 0 {
			s += ", "
		}
		s += n.Prefix.String() + " on " + n.Link
	}
	return s
}

// toIPNet converts a prefix for netlink.
func toIPNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: net.IP(p.Masked().Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}
