package network

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// SyncOverlay programs the routes, VXLAN forwarding and neighbour entries
// for every other node in nodes, removes those of nodes no longer there,
// and refreshes the masquerade table. Idempotent; touches only routes with
// protocol RouteProtocol, entries on berth.vxlan and the table berth-net.
// skipped lists peers that could not be served (they are logged by the
// caller); err is a failure to program the kernel.
func SyncOverlay(cfg OverlayConfig, nodes []NodeAddr) (skipped []error, err error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h, ns, done, err := nodeHandles(cfg.NodeNetNS)
	if err != nil {
		return nil, err
	}
	defer done()

	connected, err := connectedNets(h)
	if err != nil {
		return nil, err
	}
	st, skipped := DesiredOverlay(cfg.Mode, cfg.NodeName, nodes, connected)
	var errs []error
	if cfg.Mode == ModeVXLAN {
		link, err := h.LinkByName(VXLANDevice)
		if err != nil {
			return skipped, fmt.Errorf("network: %s missing (EnsureOverlay first): %w", VXLANDevice, err)
		}
		errs = append(errs, syncFDB(h, link, st.FDB), syncNeigh(h, link, st.Neigh))
	}
	errs = append(errs, syncRoutes(h, st.Routes), syncMasquerade(ns, cfg.ClusterCIDR, st.NodeIPs))
	return skipped, errors.Join(errs...)
}

// connectedNets lists the subnets of the node's addresses, except those
// of the pod network's own devices.
func connectedNets(h *netlink.Handle) ([]ConnectedNet, error) {
	addrs, err := h.AddrList(nil, netlink.FAMILY_V4)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return nil, fmt.Errorf("network: list addresses: %w", err)
	}
	var out []ConnectedNet
	for _, a := range addrs {
		l, err := h.LinkByIndex(a.LinkIndex)
		if err != nil {
			continue
		}
		name := l.Attrs().Name
		if name == VXLANDevice || l.Type() == "bridge" && name == DefaultBridgeName || name == "lo" {
			continue
		}
		ip, ok := netip.AddrFromSlice(a.IP.To4())
		if !ok {
			continue
		}
		ones, _ := a.Mask.Size()
		out = append(out, ConnectedNet{Prefix: netip.PrefixFrom(ip, ones).Masked(), Link: name})
	}
	return out, nil
}

func routeKey(dst, gw string, link int, onlink bool) string {
	return fmt.Sprintf("%s via %s dev %d onlink=%v", dst, gw, link, onlink)
}

// syncRoutes makes the main table's routes with our protocol exactly want.
func syncRoutes(h *netlink.Handle, want []OverlayRoute) error {
	have, err := h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Protocol: RouteProtocol, Table: unix.RT_TABLE_MAIN},
		netlink.RT_FILTER_PROTOCOL|netlink.RT_FILTER_TABLE)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return fmt.Errorf("network: list overlay routes: %w", err)
	}
	var errs []error
	wanted := map[string]bool{}
	for _, r := range want {
		link, err := h.LinkByName(r.Dev)
		if err != nil {
			errs = append(errs, fmt.Errorf("network: route %v: link %s: %w", r.Dst, r.Dev, err))
			continue
		}
		key := routeKey(r.Dst.String(), r.Gw.String(), link.Attrs().Index, r.OnLink)
		wanted[key] = true
		present := false
		for _, hr := range have {
			if hr.Dst != nil && routeKey(hr.Dst.String(), hr.Gw.String(), hr.LinkIndex, hr.Flags&int(netlink.FLAG_ONLINK) != 0) == key {
				present = true
			}
		}
		if present {
			continue
		}
		if other := foreignRoute(h, r.Dst); other != "" {
			errs = append(errs, fmt.Errorf("network: route to %v not installed: a route of another owner is there (%s)", r.Dst, other))
			continue
		}
		nr := &netlink.Route{LinkIndex: link.Attrs().Index, Dst: toIPNet(r.Dst), Gw: net.IP(r.Gw.AsSlice()),
			Protocol: RouteProtocol, Table: unix.RT_TABLE_MAIN}
		if r.OnLink {
			nr.Flags = int(netlink.FLAG_ONLINK)
		}
		if err := h.RouteReplace(nr); err != nil {
			errs = append(errs, fmt.Errorf("network: route %v via %v dev %s: %w", r.Dst, r.Gw, r.Dev, err))
			continue
		}
		slog.Info("network: overlay route", "dst", r.Dst, "via", r.Gw, "dev", r.Dev)
	}
	for _, hr := range have {
		if hr.Dst == nil || wanted[routeKey(hr.Dst.String(), hr.Gw.String(), hr.LinkIndex, hr.Flags&int(netlink.FLAG_ONLINK) != 0)] {
			continue
		}
		if wantsDst(want, hr.Dst) {
			continue // replaced above by RouteReplace
		}
		if err := h.RouteDel(&hr); err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, fmt.Errorf("network: delete route %v: %w", hr.Dst, err))
			continue
		}
		slog.Info("network: removed overlay route", "dst", hr.Dst)
	}
	return errors.Join(errs...)
}

// foreignRoute describes a main-table route to exactly dst that is not
// ours ("" if none): replacing it would take someone else's route.
func foreignRoute(h *netlink.Handle, dst netip.Prefix) string {
	rs, err := h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Dst: toIPNet(dst), Table: unix.RT_TABLE_MAIN},
		netlink.RT_FILTER_DST|netlink.RT_FILTER_TABLE)
	if err != nil {
		return ""
	}
	for _, r := range rs {
		if r.Protocol != RouteProtocol {
			return r.String()
		}
	}
	return ""
}

func wantsDst(want []OverlayRoute, dst *net.IPNet) bool {
	for _, r := range want {
		if r.Dst.String() == dst.String() {
			return true
		}
	}
	return false
}

// syncFDB makes the VXLAN device's forwarding entries exactly want.
func syncFDB(h *netlink.Handle, link netlink.Link, want []OverlayFDB) error {
	have, err := h.NeighList(link.Attrs().Index, unix.AF_BRIDGE)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return fmt.Errorf("network: list forwarding entries: %w", err)
	}
	wanted := map[string]bool{}
	for _, f := range want {
		wanted[f.MAC+" "+f.Dst.String()] = true
	}
	present := map[string]bool{}
	var errs []error
	for _, n := range have {
		key := n.HardwareAddr.String() + " " + n.IP.String()
		if n.IP == nil || wanted[key] {
			present[key] = true
			continue
		}
		if err := h.NeighDel(&n); err != nil && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("network: delete forwarding entry %s: %w", key, err))
			continue
		}
		slog.Info("network: removed forwarding entry", "mac", n.HardwareAddr.String(), "dst", n.IP)
	}
	for _, f := range want {
		if present[f.MAC+" "+f.Dst.String()] {
			continue
		}
		mac, _ := net.ParseMAC(f.MAC)
		n := &netlink.Neigh{LinkIndex: link.Attrs().Index, Family: unix.AF_BRIDGE, Flags: netlink.NTF_SELF,
			State: netlink.NUD_PERMANENT, IP: net.IP(f.Dst.AsSlice()), HardwareAddr: mac}
		if err := h.NeighSet(n); err != nil {
			errs = append(errs, fmt.Errorf("network: forwarding entry %s → %v: %w", f.MAC, f.Dst, err))
			continue
		}
		slog.Info("network: forwarding entry", "mac", f.MAC, "dst", f.Dst)
	}
	return errors.Join(errs...)
}

// syncNeigh makes the VXLAN device's permanent neighbour entries exactly
// want (entries the kernel learnt itself are left alone).
func syncNeigh(h *netlink.Handle, link netlink.Link, want []OverlayNeigh) error {
	have, err := h.NeighList(link.Attrs().Index, netlink.FAMILY_V4)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return fmt.Errorf("network: list neighbours: %w", err)
	}
	wanted := map[string]bool{}
	for _, n := range want {
		wanted[n.IP.String()+" "+n.MAC] = true
	}
	present := map[string]bool{}
	var errs []error
	for _, n := range have {
		key := n.IP.String() + " " + n.HardwareAddr.String()
		if n.State&netlink.NUD_PERMANENT == 0 || wanted[key] {
			present[key] = true
			continue
		}
		if err := h.NeighDel(&n); err != nil && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("network: delete neighbour %s: %w", key, err))
			continue
		}
		slog.Info("network: removed overlay neighbour", "ip", n.IP, "mac", n.HardwareAddr.String())
	}
	for _, w := range want {
		if present[w.IP.String()+" "+w.MAC] {
			continue
		}
		mac, _ := net.ParseMAC(w.MAC)
		n := &netlink.Neigh{LinkIndex: link.Attrs().Index, Family: netlink.FAMILY_V4, State: netlink.NUD_PERMANENT,
			Type: unix.RTN_UNICAST, IP: net.IP(w.IP.AsSlice()), HardwareAddr: mac}
		if err := h.NeighSet(n); err != nil {
			errs = append(errs, fmt.Errorf("network: neighbour %v → %s: %w", w.IP, w.MAC, err))
			continue
		}
		slog.Info("network: overlay neighbour", "ip", w.IP, "mac", w.MAC)
	}
	return errors.Join(errs...)
}
