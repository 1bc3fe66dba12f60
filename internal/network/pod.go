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

// SetupPod gives a pod sandbox its network: a network namespace of its own
// bind-mounted at NetNSDir/<sandboxID>, loopback up, and a veth pair whose
// node side (HostVethName) is on the bridge in hairpin mode and whose pod
// side is eth0 with the pod IP/prefix, the MTU, a MAC derived from the IP,
// arp_notify on, and a default route via the gateway.
//
// EnsureNode must have run. SetupPod is idempotent: on an already set-up
// sandbox it re-applies the configuration and returns the same status; on
// a half-built one (crash in the middle) it completes it. If a first setup
// fails, what it built is torn down again.
func SetupPod(cfg NodeConfig, pod PodNetwork) (status *PodNetworkStatus, err error) {
	r, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	id := pod.SandboxID
	if err := ValidateSandboxID(id); err != nil {
		return nil, err
	}
	defer lockSandbox(id)()
	log := slog.With("sandbox", id, "pod", pod.Namespace+"/"+pod.Name)

	nodeH, _, done, err := nodeHandles(r.NodeNetNS)
	if err != nil {
		return nil, err
	}
	defer done()
	br, err := nodeH.LinkByName(r.BridgeName)
	if err != nil {
		if isLinkNotFound(err) {
			return nil, fmt.Errorf("network: bridge %s does not exist; EnsureNode must run first", r.BridgeName)
		}
		return nil, fmt.Errorf("network: look up bridge %s: %w", r.BridgeName, err)
	}
	if br.Type() != "bridge" {
		return nil, fmt.Errorf("network: %s is a %s, not a bridge", r.BridgeName, br.Type())
	}
	mtu := r.MTU
	if mtu == 0 {
		mtu = br.Attrs().MTU
	}
	alloc, err := r.allocator()
	if err != nil {
		return nil, err
	}

	path := r.netnsPath(id)
	created, err := createNetNS(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil && created {
			// A first setup that failed leaves nothing behind; a repeated
			// one keeps the pod as it was (the caller will retry or tear
			// down).
			if terr := teardown(r, id); terr != nil {
				log.Error("network: rollback of failed setup incomplete", "err", terr)
			}
		}
	}()

	ip, err := alloc.Allocate(id)
	if err != nil {
		return nil, fmt.Errorf("network: allocate pod IP: %w", err)
	}
	podNet := &net.IPNet{IP: ip.To4(), Mask: net.CIDRMask(r.prefix.Bits(), 32)}
	gw := net.IP(r.gateway.AsSlice())

	podNS, err := netns.GetFromPath(path)
	if err != nil {
		return nil, fmt.Errorf("network: open pod namespace: %w", err)
	}
	defer podNS.Close()
	podH, err := netlink.NewHandleAt(podNS, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("network: netlink handle in pod namespace: %w", err)
	}
	defer podH.Close()

	hostName := HostVethName(id)
	host, err := ensureVethPair(nodeH, podH, podNS, hostName, id, mtu, MACFromIP(ip))
	if err != nil {
		return nil, err
	}
	if err := configureHostVeth(nodeH, host, br, mtu); err != nil {
		return nil, err
	}
	if err := configurePod(podH, podNS, podNet, gw, mtu); err != nil {
		return nil, err
	}
	log.Info("network: pod network ready", "ip", ip, "netns", path, "hostVeth", hostName)
	return &PodNetworkStatus{IP: ip, NetNSPath: path, HostVeth: hostName, Gateway: gw}, nil
}

// ensureVethPair returns the sandbox's host-side veth, whose peer is eth0
// in the pod namespace, creating the pair if there is no intact one.
func ensureVethPair(nodeH, podH *netlink.Handle, podNS netns.NsHandle, hostName, id string, mtu int, mac net.HardwareAddr) (netlink.Link, error) {
	host, err := nodeH.LinkByName(hostName)
	if err != nil && !isLinkNotFound(err) {
		return nil, fmt.Errorf("network: look up %s: %w", hostName, err)
	}
	if host != nil && !aliasOwnedBy(host.Attrs().Alias, id) {
		return nil, fmt.Errorf("network: %s already exists for another sandbox (alias %q): name hash collision", hostName, host.Attrs().Alias)
	}
	eth0, err := podH.LinkByName(PodInterface)
	if err != nil && !isLinkNotFound(err) {
		return nil, fmt.Errorf("network: look up %s in pod namespace: %w", PodInterface, err)
	}
	if vethReusable(host, eth0, id) {
		return host, nil
	}
	// Something half-built: start from scratch. Deleting either end of a
	// veth pair deletes both.
	if host != nil {
		if err := nodeH.LinkDel(host); err != nil && !isLinkNotFound(err) {
			return nil, fmt.Errorf("network: delete stale %s: %w", hostName, err)
		}
	}
	if eth0, err = podH.LinkByName(PodInterface); err == nil {
		if err := podH.LinkDel(eth0); err != nil && !isLinkNotFound(err) {
			return nil, fmt.Errorf("network: delete stale %s in pod namespace: %w", PodInterface, err)
		}
	}

	attrs := netlink.NewLinkAttrs()
	attrs.Name = hostName
	attrs.MTU = mtu // also the peer's, PeerMTU being 0
	veth := netlink.NewVeth(attrs)
	// The peer is created directly inside the pod namespace under its final
	// name: it never exists in the node namespace, so it can never clash
	// with another pod's half-built eth0 there.
	veth.PeerName = PodInterface
	veth.PeerNamespace = netlink.NsFd(int(podNS))
	veth.PeerHardwareAddr = mac
	if err := nodeH.LinkAdd(veth); err != nil {
		return nil, fmt.Errorf("network: create veth %s/%s: %w", hostName, PodInterface, err)
	}
	host, err = nodeH.LinkByName(hostName)
	if err != nil {
		return nil, fmt.Errorf("network: look up new %s: %w", hostName, err)
	}
	// The alias records whose link this is: teardown and a hash collision
	// check rely on it.
	if err := nodeH.LinkSetAlias(host, vethAlias(id)); err != nil {
		return nil, fmt.Errorf("network: label %s: %w", hostName, err)
	}
	return host, nil
}

// configureHostVeth puts the node side on the bridge, hairpin on, and up.
// It comes up before eth0 so that eth0 has carrier when it comes up and its
// gratuitous ARP reaches the bridge.
func configureHostVeth(h *netlink.Handle, host, br netlink.Link, mtu int) error {
	name := host.Attrs().Name
	if host.Attrs().MTU != mtu {
		if err := h.LinkSetMTU(host, mtu); err != nil {
			return fmt.Errorf("network: set MTU of %s: %w", name, err)
		}
	}
	if host.Attrs().MasterIndex != br.Attrs().Index {
		if err := h.LinkSetMaster(host, br); err != nil {
			return fmt.Errorf("network: attach %s to %s: %w", name, br.Attrs().Name, err)
		}
	}
	// Hairpin: a packet may leave through the port it came in on — a pod
	// reaching itself through a Service IP gets its own reply that way.
	if err := h.LinkSetHairpin(host, true); err != nil {
		return fmt.Errorf("network: hairpin on %s: %w", name, err)
	}
	if err := h.LinkSetUp(host); err != nil {
		return fmt.Errorf("network: set %s up: %w", name, err)
	}
	return nil
}

// configurePod sets up lo and eth0 inside the pod namespace.
func configurePod(h *netlink.Handle, podNS netns.NsHandle, podNet *net.IPNet, gw net.IP, mtu int) error {
	lo, err := h.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("network: look up lo in pod namespace: %w", err)
	}
	if err := h.LinkSetUp(lo); err != nil {
		return fmt.Errorf("network: set lo up: %w", err)
	}
	eth0, err := h.LinkByName(PodInterface)
	if err != nil {
		return fmt.Errorf("network: look up %s in pod namespace: %w", PodInterface, err)
	}
	// Before eth0 comes up: arp_notify must be on when it does.
	if err := applySysctls(podNS, podSysctls(PodInterface)); err != nil {
		return err
	}
	if eth0.Attrs().MTU != mtu {
		if err := h.LinkSetMTU(eth0, mtu); err != nil {
			return fmt.Errorf("network: set MTU of %s: %w", PodInterface, err)
		}
	}
	if mac := MACFromIP(podNet.IP); eth0.Attrs().HardwareAddr.String() != mac.String() {
		if err := h.LinkSetHardwareAddr(eth0, mac); err != nil {
			return fmt.Errorf("network: set MAC of %s: %w", PodInterface, err)
		}
	}
	if err := ensureOnlyAddr(h, eth0, podNet); err != nil {
		return fmt.Errorf("network: address of %s: %w", PodInterface, err)
	}
	if err := h.LinkSetUp(eth0); err != nil {
		return fmt.Errorf("network: set %s up: %w", PodInterface, err)
	}
	def := &netlink.Route{
		LinkIndex: eth0.Attrs().Index,
		Dst:       &net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)},
		Gw:        gw,
		Scope:     netlink.SCOPE_UNIVERSE,
		Family:    unix.AF_INET,
	}
	if err := h.RouteReplace(def); err != nil {
		return fmt.Errorf("network: default route via %s: %w", gw, err)
	}
	return nil
}

// TeardownPod removes a sandbox's network: the veth pair, the namespace
// mount and file, then the IP reservation. It is idempotent and works on
// any half-built state, also with no in-memory state at all (after an agent
// restart). The IP is only released once the rest is gone, so it can never
// be handed to a new pod while still configured.
func TeardownPod(cfg NodeConfig, sandboxID string) error {
	r, err := resolve(cfg)
	if err != nil {
		return err
	}
	if err := ValidateSandboxID(sandboxID); err != nil {
		return err
	}
	defer lockSandbox(sandboxID)()
	return teardown(r, sandboxID)
}

// teardown is TeardownPod with the lock held.
func teardown(r resolved, id string) error {
	if err := deleteHostVeth(r, id); err != nil {
		return err
	}
	if err := removeNetNS(r.netnsPath(id)); err != nil {
		return err
	}
	alloc, err := r.allocator()
	if err != nil {
		return err
	}
	if err := alloc.Release(id); err != nil {
		return err
	}
	slog.Info("network: pod network removed", "sandbox", id)
	return nil
}

// deleteHostVeth deletes the sandbox's veth pair via its node side, unless
// that link is labelled for another sandbox (name-hash collision).
func deleteHostVeth(r resolved, id string) error {
	h, _, done, err := nodeHandles(r.NodeNetNS)
	if err != nil {
		if r.NodeNetNS != "" && errors.Is(err, unix.ENOENT) {
			// The node namespace is gone, and every link in it with it.
			return nil
		}
		return err
	}
	defer done()
	name := HostVethName(id)
	link, err := h.LinkByName(name)
	if isLinkNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("network: look up %s: %w", name, err)
	}
	if !aliasOwnedBy(link.Attrs().Alias, id) {
		slog.Warn("network: not deleting veth of another sandbox", "link", name, "alias", link.Attrs().Alias, "sandbox", id)
		return nil
	}
	if err := h.LinkDel(link); err != nil && !isLinkNotFound(err) {
		return fmt.Errorf("network: delete %s: %w", name, err)
	}
	return nil
}
