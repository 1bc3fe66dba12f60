package network

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// OverlayConfig describes this node's side of the cross-node pod network.
type OverlayConfig struct {
	// NodeNetNS as in NodeConfig: "" is the calling process's namespace.
	NodeNetNS string
	Mode      Mode
	NodeName  string
	// NodeIP is this node's InternalIP; the VXLAN device sends from it
	// and the link holding it is the underlay.
	NodeIP netip.Addr
	// PodCIDR is this node's spec.podCIDR.
	PodCIDR netip.Prefix
	// ClusterCIDR is the range of all pod IPs: pod traffic leaving it
	// (and not going to a node) is masqueraded.
	ClusterCIDR netip.Prefix
}

func (c OverlayConfig) validate() error {
	switch {
	case c.Mode != ModeVXLAN && c.Mode != ModeHostGW:
		return fmt.Errorf("network: pod network mode %q: must be %q or %q", c.Mode, ModeVXLAN, ModeHostGW)
	case !c.NodeIP.Is4():
		return fmt.Errorf("network: overlay needs the node's IPv4 address, got %v", c.NodeIP)
	case !c.PodCIDR.IsValid() || !c.PodCIDR.Addr().Is4():
		return fmt.Errorf("network: overlay needs the node's IPv4 podCIDR, got %v", c.PodCIDR)
	case !c.ClusterCIDR.IsValid() || !c.ClusterCIDR.Addr().Is4():
		return fmt.Errorf("network: overlay needs the IPv4 cluster CIDR, got %v", c.ClusterCIDR)
	}
	return nil
}

// vxlanAlias labels the VXLAN device as ours.
const vxlanAlias = "berth:overlay"

// EnsureOverlay prepares the node's overlay device and returns the MTU
// pods must use (pass it as NodeConfig.MTU). vxlan: creates or repairs
// berth.vxlan (VNI 1, port 8472, local = node IP on the underlay link,
// learning off, MAC VTEPMAC, address VTEPAddr/32, MTU underlay − 50, up).
// host-gw: removes a berth.vxlan left from an earlier vxlan run. Only
// links and routes of ours are ever touched.
func EnsureOverlay(cfg OverlayConfig) (podMTU int, err error) {
	if err := cfg.validate(); err != nil {
		return 0, err
	}
	h, _, done, err := nodeHandles(cfg.NodeNetNS)
	if err != nil {
		return 0, err
	}
	defer done()

	underlay, err := linkWithAddr(h, cfg.NodeIP)
	if err != nil {
		return 0, err
	}
	mtu := OverlayMTU(cfg.Mode, underlay.Attrs().MTU)
	if cfg.Mode == ModeHostGW {
		return mtu, deleteVXLAN(h)
	}
	if err := ensureVXLAN(h, cfg, underlay, mtu); err != nil {
		return 0, err
	}
	slog.Info("network: overlay device ready", "mode", cfg.Mode, "device", VXLANDevice, "vtep", VTEPAddr(cfg.PodCIDR), "mac", VTEPMAC(cfg.PodCIDR).String(), "underlay", underlay.Attrs().Name, "mtu", mtu)
	return mtu, nil
}

// linkWithAddr finds the link holding ip.
func linkWithAddr(h *netlink.Handle, ip netip.Addr) (netlink.Link, error) {
	addrs, err := h.AddrList(nil, netlink.FAMILY_V4)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return nil, fmt.Errorf("network: list addresses: %w", err)
	}
	for _, a := range addrs {
		if v, ok := netip.AddrFromSlice(a.IP.To4()); ok && v == ip {
			return h.LinkByIndex(a.LinkIndex)
		}
	}
	return nil, fmt.Errorf("network: no link in the node namespace holds the node IP %v", ip)
}

// vxlanMatches reports whether an existing device can be kept (the rest —
// MTU, MAC, address, state — is repaired in place).
func vxlanMatches(l netlink.Link, want *netlink.Vxlan) bool {
	vx, ok := l.(*netlink.Vxlan)
	return ok && vx.VxlanId == want.VxlanId && vx.Port == want.Port && !vx.Learning &&
		vx.VtepDevIndex == want.VtepDevIndex && vx.SrcAddr.Equal(want.SrcAddr)
}

func ensureVXLAN(h *netlink.Handle, cfg OverlayConfig, underlay netlink.Link, mtu int) error {
	mac := VTEPMAC(cfg.PodCIDR)
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.MTU, attrs.HardwareAddr = VXLANDevice, mtu, mac
	want := &netlink.Vxlan{LinkAttrs: attrs, VxlanId: VXLANID, VtepDevIndex: underlay.Attrs().Index,
		SrcAddr: net.IP(cfg.NodeIP.AsSlice()), Port: VXLANPort, Learning: false}
	link, err := h.LinkByName(VXLANDevice)
	switch {
	case err == nil && !vxlanMatches(link, want):
		slog.Info("network: recreating overlay device with new parameters", "device", VXLANDevice)
		if err := h.LinkDel(link); err != nil {
			return fmt.Errorf("network: delete outdated %s: %w", VXLANDevice, err)
		}
		link = nil
	case err != nil && !isLinkNotFound(err):
		return fmt.Errorf("network: look up %s: %w", VXLANDevice, err)
	case err != nil:
		link = nil
	}
	if link == nil {
		if err := h.LinkAdd(want); err != nil {
			return fmt.Errorf("network: create %s: %w", VXLANDevice, err)
		}
		if link, err = h.LinkByName(VXLANDevice); err != nil {
			return fmt.Errorf("network: look up new %s: %w", VXLANDevice, err)
		}
	}
	if link.Attrs().Alias != vxlanAlias {
		if err := h.LinkSetAlias(link, vxlanAlias); err != nil {
			return fmt.Errorf("network: label %s: %w", VXLANDevice, err)
		}
	}
	if link.Attrs().MTU != mtu {
		if err := h.LinkSetMTU(link, mtu); err != nil {
			return fmt.Errorf("network: set MTU of %s: %w", VXLANDevice, err)
		}
	}
	if link.Attrs().HardwareAddr.String() != mac.String() {
		if err := h.LinkSetHardwareAddr(link, mac); err != nil {
			return fmt.Errorf("network: set MAC of %s: %w", VXLANDevice, err)
		}
	}
	vtep := &net.IPNet{IP: net.IP(VTEPAddr(cfg.PodCIDR).AsSlice()), Mask: net.CIDRMask(32, 32)}
	if err := ensureOnlyAddr(h, link, vtep); err != nil {
		return fmt.Errorf("network: address of %s: %w", VXLANDevice, err)
	}
	if err := h.LinkSetUp(link); err != nil {
		return fmt.Errorf("network: set %s up: %w", VXLANDevice, err)
	}
	return nil
}

// deleteVXLAN removes our VXLAN device (and with it its routes, neighbour
// and forwarding entries); a device of that name not labelled ours stays.
func deleteVXLAN(h *netlink.Handle) error {
	link, err := h.LinkByName(VXLANDevice)
	if err != nil {
		if isLinkNotFound(err) {
			return nil
		}
		return fmt.Errorf("network: look up %s: %w", VXLANDevice, err)
	}
	if a := link.Attrs().Alias; a != vxlanAlias && a != "" {
		slog.Warn("network: leaving a device that is not ours", "device", VXLANDevice, "alias", a)
		return nil
	}
	if err := h.LinkDel(link); err != nil {
		return fmt.Errorf("network: delete %s: %w", VXLANDevice, err)
	}
	slog.Info("network: removed overlay device", "device", VXLANDevice)
	return nil
}
