package network

import (
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// nodeHandles opens the node namespace and a netlink handle bound to it.
// Both must be released with the returned function.
func nodeHandles(nodeNetNS string) (*netlink.Handle, netns.NsHandle, func(), error) {
	ns, err := openNS(nodeNetNS)
	if err != nil {
		return nil, netns.None(), nil, err
	}
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		ns.Close()
		return nil, netns.None(), nil, fmt.Errorf("network: netlink handle in node namespace: %w", err)
	}
	return h, ns, func() { h.Close(); ns.Close() }, nil
}

// EnsureNode makes the node's pod network ready, inside the node namespace
// only: the bridge (cfg.BridgeName, default berth0) exists, carries the
// gateway address (first address of the podCIDR) with the podCIDR's prefix
// length, a MAC derived from that address, the MTU, and is up; IPv4
// forwarding is on. It is idempotent and repairs drift (wrong MTU, stale
// addresses on the bridge).
func EnsureNode(cfg NodeConfig) error {
	r, err := resolve(cfg)
	if err != nil {
		return err
	}
	h, ns, done, err := nodeHandles(r.NodeNetNS)
	if err != nil {
		return err
	}
	defer done()

	mtu := chooseMTU(r.MTU, defaultRouteMTU(h, r.BridgeName))
	br, err := ensureBridge(h, r, mtu)
	if err != nil {
		return err
	}
	if err := applySysctls(ns, nodeSysctls(r.BridgeName)); err != nil {
		return err
	}
	slog.Info("network: node ready", "bridge", r.BridgeName, "gateway", r.gatewayNet(), "mtu", br.Attrs().MTU, "netns", nsLabel(r.NodeNetNS))
	return nil
}

// defaultRouteMTU returns the MTU of the link carrying the IPv4 default
// route in the handle's namespace, or 0 if there is none (or it is our own
// bridge, which would be circular).
func defaultRouteMTU(h *netlink.Handle, bridge string) int {
	routes, err := h.RouteList(nil, netlink.FAMILY_V4)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		slog.Warn("network: cannot list routes to pick an MTU", "err", err)
		return 0
	}
	idx := defaultRouteLink(routes)
	if idx == 0 {
		return 0
	}
	l, err := h.LinkByIndex(idx)
	if err != nil || l.Attrs().Name == bridge {
		return 0
	}
	return l.Attrs().MTU
}

// ensureBridge creates or repairs the bridge and returns it, up.
func ensureBridge(h *netlink.Handle, r resolved, mtu int) (netlink.Link, error) {
	gw := r.gatewayNet()
	mac := MACFromIP(gw.IP)
	link, err := h.LinkByName(r.BridgeName)
	if err != nil {
		if !isLinkNotFound(err) {
			return nil, fmt.Errorf("network: look up bridge %s: %w", r.BridgeName, err)
		}
		attrs := netlink.NewLinkAttrs()
		attrs.Name = r.BridgeName
		attrs.MTU = mtu
		// A MAC given explicitly pins it: otherwise the bridge takes the
		// lowest MAC among its ports and changes it whenever pods come and
		// go, invalidating every pod's ARP entry for the gateway.
		attrs.HardwareAddr = mac
		if err := h.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
			return nil, fmt.Errorf("network: create bridge %s: %w", r.BridgeName, err)
		}
		if link, err = h.LinkByName(r.BridgeName); err != nil {
			return nil, fmt.Errorf("network: look up new bridge %s: %w", r.BridgeName, err)
		}
		slog.Info("network: created bridge", "bridge", r.BridgeName, "mtu", mtu)
	} else if link.Type() != "bridge" {
		return nil, fmt.Errorf("network: %s exists but is a %s, not a bridge", r.BridgeName, link.Type())
	}

	if link.Attrs().MTU != mtu {
		if err := h.LinkSetMTU(link, mtu); err != nil {
			return nil, fmt.Errorf("network: set MTU of %s: %w", r.BridgeName, err)
		}
	}
	if link.Attrs().HardwareAddr.String() != mac.String() {
		if err := h.LinkSetHardwareAddr(link, mac); err != nil {
			return nil, fmt.Errorf("network: set MAC of %s: %w", r.BridgeName, err)
		}
	}
	if err := ensureOnlyAddr(h, link, gw); err != nil {
		return nil, fmt.Errorf("network: address of %s: %w", r.BridgeName, err)
	}
	if err := h.LinkSetUp(link); err != nil {
		return nil, fmt.Errorf("network: set %s up: %w", r.BridgeName, err)
	}
	return h.LinkByName(r.BridgeName)
}

// ensureOnlyAddr makes want the link's only IPv4 address.
func ensureOnlyAddr(h *netlink.Handle, link netlink.Link, want *net.IPNet) error {
	addrs, err := h.AddrList(link, netlink.FAMILY_V4)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return err
	}
	stale, present := addrDiff(addrs, want)
	for _, a := range stale {
		slog.Info("network: removing stale address", "link", link.Attrs().Name, "addr", a.IPNet)
		if err := h.AddrDel(link, &a); err != nil {
			return err
		}
	}
	if !present {
		if err := h.AddrReplace(link, &netlink.Addr{IPNet: want}); err != nil {
			return err
		}
	}
	return nil
}

// isLinkNotFound reports a netlink "no such link" answer.
func isLinkNotFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf)
}

func nsLabel(path string) string {
	if path == "" {
		return "(current)"
	}
	return path
}
