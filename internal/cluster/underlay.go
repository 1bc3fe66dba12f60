package cluster

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// usedPrefixes lists the IPv4 prefixes present in the current network
// namespace: interface addresses with their masks and route destinations
// of every table.
func usedPrefixes() ([]*net.IPNet, error) {
	var out []*net.IPNet
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("listing addresses: %w", err)
	}
	for _, a := range addrs {
		if a.IPNet != nil {
			out = append(out, a.IPNet)
		}
	}
	routes, err := netlink.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, fmt.Errorf("listing routes: %w", err)
	}
	for _, r := range routes {
		if r.Dst != nil {
			out = append(out, r.Dst)
		}
	}
	return out, nil
}

// linkExists reports whether a link of that name exists here.
func linkExists(name string) bool {
	_, err := netlink.LinkByName(name)
	return err == nil
}

// createBridge adds the underlay bridge with the gateway address, up.
func createBridge(name, cluster string, gw net.IP) error {
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}}
	if err := netlink.LinkAdd(br); err != nil {
		return fmt.Errorf("creating bridge %s: %w", name, err)
	}
	link, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	if err := netlink.LinkSetAlias(link, linkAlias(cluster)); err != nil {
		return fmt.Errorf("labelling %s: %w", name, err)
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: gw, Mask: net.CIDRMask(24, 32)}}
	if err := netlink.AddrAdd(link, addr); err != nil {
		return fmt.Errorf("adding %s to %s: %w", addr.IPNet, name, err)
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("bringing %s up: %w", name, err)
	}
	return nil
}

// plugNode joins node n's namespace to the bridge: a veth pair whose host
// end sits on the bridge and whose other end is the node's eth0 with its
// address and a default route via the gateway; lo comes up and the node
// forwards IPv4.
func plugNode(bridge, cluster string, n Node, gw net.IP) error {
	nsPath := netnsPath(n.NetNS)
	ns, err := netns.GetFromPath(nsPath)
	if err != nil {
		return fmt.Errorf("opening %s: %w", nsPath, err)
	}
	defer ns.Close()
	br, err := netlink.LinkByName(bridge)
	if err != nil {
		return fmt.Errorf("bridge %s: %w", bridge, err)
	}
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: n.HostVeth, MasterIndex: br.Attrs().Index},
		PeerName:      "eth0",
		PeerNamespace: netlink.NsFd(ns),
	}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("creating veth %s: %w", n.HostVeth, err)
	}
	host, err := netlink.LinkByName(n.HostVeth)
	if err != nil {
		return err
	}
	if err := netlink.LinkSetAlias(host, linkAlias(cluster)); err != nil {
		return fmt.Errorf("labelling %s: %w", n.HostVeth, err)
	}
	if err := netlink.LinkSetUp(host); err != nil {
		return fmt.Errorf("bringing %s up: %w", n.HostVeth, err)
	}

	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	lo, err := h.LinkByName("lo")
	if err != nil {
		return err
	}
	if err := h.LinkSetUp(lo); err != nil {
		return fmt.Errorf("%s: lo up: %w", n.NetNS, err)
	}
	eth0, err := h.LinkByName("eth0")
	if err != nil {
		return err
	}
	ip := net.ParseIP(n.IP)
	if err := h.AddrAdd(eth0, &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: net.CIDRMask(24, 32)}}); err != nil {
		return fmt.Errorf("%s: address %s: %w", n.NetNS, ip, err)
	}
	if err := h.LinkSetUp(eth0); err != nil {
		return fmt.Errorf("%s: eth0 up: %w", n.NetNS, err)
	}
	if err := h.RouteAdd(&netlink.Route{LinkIndex: eth0.Attrs().Index, Gw: gw}); err != nil {
		return fmt.Errorf("%s: default route via %s: %w", n.NetNS, gw, err)
	}
	return enableForwarding(nsPath)
}

// deleteLink removes a bridge or veth of the cluster from the current
// namespace; a missing link is fine, one labelled for something else is
// left alone.
func deleteLink(name, cluster string) error {
	link, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return err
	}
	if !aliasOwned(link.Attrs().Alias, cluster) {
		return fmt.Errorf("link %s has alias %q, not %q: leaving it alone", name, link.Attrs().Alias, linkAlias(cluster))
	}
	if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		// ENODEV: gone meanwhile, e.g. a veth whose peer's namespace died
		return fmt.Errorf("deleting %s: %w", name, err)
	}
	return nil
}
