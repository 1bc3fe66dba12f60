package network

import (
	"net"

	"github.com/vishvananda/netlink"
)

// Pure decisions used by EnsureNode and SetupPod, kept apart from the
// netlink calls so they can be tested without root.

// defaultRouteLink returns the link index of the node's IPv4 default route
// (the lowest-metric one), or 0 if there is none. A default route shows up
// with Dst nil or 0.0.0.0/0 depending on the netlink version; a multipath
// default route counts via its first hop.
func defaultRouteLink(routes []netlink.Route) int {
	best, bestPrio := 0, -1
	for _, r := range routes {
		if r.Dst != nil {
			if ones, _ := r.Dst.Mask.Size(); ones != 0 {
				continue
			}
		}
		idx := r.LinkIndex
		if idx == 0 && len(r.MultiPath) > 0 {
			idx = r.MultiPath[0].LinkIndex
		}
		if idx == 0 {
			continue
		}
		if bestPrio < 0 || r.Priority < bestPrio {
			best, bestPrio = idx, r.Priority
		}
	}
	return best
}

// chooseMTU is the MTU for the bridge: the configured one, else the
// default-route link's, else DefaultMTU.
func chooseMTU(configured, defaultRouteMTU int) int {
	switch {
	case configured > 0:
		return configured
	case defaultRouteMTU > 0:
		return defaultRouteMTU
	default:
		return DefaultMTU
	}
}

// addrDiff compares the IPv4 addresses on a link with the one it should
// have: stale lists those to delete (any other IPv4 address — the link is
// ours, and a leftover from an earlier podCIDR would route a foreign
// subnet), present tells whether want is already there.
func addrDiff(existing []netlink.Addr, want *net.IPNet) (stale []netlink.Addr, present bool) {
	for _, a := range existing {
		if a.IPNet == nil || a.IP.To4() == nil {
			continue
		}
		if a.IP.Equal(want.IP) && maskEqual(a.Mask, want.Mask) {
			present = true
			continue
		}
		stale = append(stale, a)
	}
	return stale, present
}

func maskEqual(a, b net.IPMask) bool {
	ao, ab := a.Size()
	bo, bb := b.Size()
	// Compare prefix lengths, tolerating 4- vs 16-byte masks.
	if ab == 128 {
		ao -= 96
	}
	if bb == 128 {
		bo -= 96
	}
	return ao == bo
}

// vethReusable decides whether an existing veth pair can be kept on a
// repeated SetupPod: the host side must be a veth labelled for this
// sandbox, and its peer must be the pod namespace's eth0 (each end's
// IFLA_LINK names the other's index).
func vethReusable(host netlink.Link, podEth0 netlink.Link, sandboxID string) bool {
	if host == nil || podEth0 == nil {
		return false
	}
	if host.Type() != "veth" || podEth0.Type() != "veth" {
		return false
	}
	if host.Attrs().Alias != vethAlias(sandboxID) {
		return false
	}
	return host.Attrs().ParentIndex == podEth0.Attrs().Index && podEth0.Attrs().ParentIndex == host.Attrs().Index
}
