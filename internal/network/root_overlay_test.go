package network

import (
	"net"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// TestRootOverlay programs the overlay in a node namespace of its own
// (underlay: a veth eth0 with 172.30.0.10/24): vxlan device and entries, no-op
// resync, a peer going away, a route of someone else left alone, the
// switch to host-gw, and cleanup.
func TestRootOverlay(t *testing.T) {
	n := newTestNode(t, "10.42.0.0/24", 0)
	h := n.handle(t)
	link := n.addVethPair(t, "eth0", "eth0-peer", 1500) // no dummy module everywhere
	if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipnet(t, "172.30.0.10/24")}); err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetUp(link); err != nil {
		t.Fatal(err)
	}
	// someone else's route: must survive everything below
	foreign := &netlink.Route{LinkIndex: link.Attrs().Index, Dst: ipnet(t, "10.99.0.0/24"), Gw: net.ParseIP("172.30.0.99"), Protocol: unix.RTPROT_STATIC}
	if err := h.RouteAdd(foreign); err != nil {
		t.Fatal(err)
	}

	cfg := OverlayConfig{NodeNetNS: n.cfg.NodeNetNS, Mode: ModeVXLAN, NodeName: "n0", NodeIP: netip.MustParseAddr("172.30.0.10"),
		PodCIDR: netip.MustParsePrefix("10.42.0.0/24"), ClusterCIDR: netip.MustParsePrefix("10.42.0.0/16")}
	mtu, err := EnsureOverlay(cfg)
	if err != nil || mtu != 1450 {
		t.Fatalf("EnsureOverlay = %d, %v", mtu, err)
	}
	vl, err := h.LinkByName(VXLANDevice)
	if err != nil {
		t.Fatal(err)
	}
	vx := vl.(*netlink.Vxlan)
	if vx.VxlanId != 1 || vx.Port != 8472 || vx.Learning || vx.MTU != 1450 || vx.HardwareAddr.String() != "0a:58:0a:2a:00:00" || !vx.SrcAddr.Equal(net.ParseIP("172.30.0.10")) {
		t.Fatalf("vxlan device: %+v", vx)
	}
	if _, err := EnsureOverlay(cfg); err != nil { // idempotent
		t.Fatal(err)
	}

	nodes := []NodeAddr{
		{Name: "n0", PodCIDR: netip.MustParsePrefix("10.42.0.0/24"), IP: netip.MustParseAddr("172.30.0.10")},
		{Name: "n1", PodCIDR: netip.MustParsePrefix("10.42.1.0/24"), IP: netip.MustParseAddr("172.30.0.11")},
		{Name: "n2", PodCIDR: netip.MustParsePrefix("10.42.2.0/24"), IP: netip.MustParseAddr("192.168.7.12")},
	}
	sync := func(nodes []NodeAddr) []error {
		t.Helper()
		skipped, err := SyncOverlay(cfg, nodes)
		if err != nil {
			t.Fatalf("SyncOverlay: %v", err)
		}
		return skipped
	}
	sync(nodes)
	want := "routes: 10.42.1.0/24 via 10.42.1.0 dev berth.vxlan onlink | 10.42.2.0/24 via 10.42.2.0 dev berth.vxlan onlink; " +
		"fdb: 0a:58:0a:2a:01:00 dst 172.30.0.11 | 0a:58:0a:2a:02:00 dst 192.168.7.12; " +
		"neigh: 10.42.1.0 0a:58:0a:2a:01:00 | 10.42.2.0 0a:58:0a:2a:02:00; table: true"
	if got := overlayDump(t, h, n.cfg.NodeNetNS); got != want {
		t.Fatalf("after sync:\n got %s\nwant %s", got, want)
	}
	sync(nodes) // nothing changes
	if got := overlayDump(t, h, n.cfg.NodeNetNS); got != want {
		t.Fatalf("after resync:\n got %s\nwant %s", got, want)
	}
	sync(nodes[:2]) // n2 went away
	want = "routes: 10.42.1.0/24 via 10.42.1.0 dev berth.vxlan onlink; fdb: 0a:58:0a:2a:01:00 dst 172.30.0.11; neigh: 10.42.1.0 0a:58:0a:2a:01:00; table: true"
	if got := overlayDump(t, h, n.cfg.NodeNetNS); got != want {
		t.Fatalf("after n2 left:\n got %s\nwant %s", got, want)
	}

	// a peer whose podCIDR someone else already routes is not taken over
	taken := &netlink.Route{LinkIndex: link.Attrs().Index, Dst: ipnet(t, "10.42.5.0/24"), Gw: net.ParseIP("172.30.0.98"), Protocol: unix.RTPROT_STATIC}
	if err := h.RouteAdd(taken); err != nil {
		t.Fatal(err)
	}
	if _, err := SyncOverlay(cfg, append(nodes[:2:2], NodeAddr{Name: "n5", PodCIDR: netip.MustParsePrefix("10.42.5.0/24"), IP: netip.MustParseAddr("172.30.0.15")})); err == nil ||
		!strings.Contains(err.Error(), "route to 10.42.5.0/24 not installed: a route of another owner is there") {
		t.Fatalf("SyncOverlay over a foreign route: %v", err)
	}
	if rs, _ := h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Dst: taken.Dst}, netlink.RT_FILTER_DST); len(rs) != 1 || rs[0].Protocol != unix.RTPROT_STATIC {
		t.Fatalf("the foreign route to 10.42.5.0/24 was changed: %v", rs)
	}
	if err := h.RouteDel(taken); err != nil {
		t.Fatal(err)
	}

	cfg.Mode = ModeHostGW
	if mtu, err := EnsureOverlay(cfg); err != nil || mtu != 1500 {
		t.Fatalf("EnsureOverlay host-gw = %d, %v", mtu, err)
	}
	if skipped := sync(nodes); len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "node n2: host-gw needs peers on a directly connected subnet") {
		t.Fatalf("skipped: %v", skipped)
	}
	want = "routes: 10.42.1.0/24 via 172.30.0.11 dev eth0; fdb: none; neigh: none; table: true"
	if got := overlayDump(t, h, n.cfg.NodeNetNS); got != want {
		t.Fatalf("host-gw:\n got %s\nwant %s", got, want)
	}

	if err := CleanupOverlay(n.cfg.NodeNetNS); err != nil {
		t.Fatal(err)
	}
	if err := CleanupOverlay(n.cfg.NodeNetNS); err != nil {
		t.Fatalf("second cleanup: %v", err)
	}
	if got := overlayDump(t, h, n.cfg.NodeNetNS); got != "routes: none; fdb: none; neigh: none; table: false" {
		t.Fatalf("after cleanup: %s", got)
	}
	if rs, _ := h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Dst: foreign.Dst}, netlink.RT_FILTER_DST); len(rs) != 1 {
		t.Fatalf("the foreign route was touched: %v", rs)
	}
}

// overlayDump summarises our routes, the VXLAN entries and whether the
// masquerade table exists.
func overlayDump(t *testing.T, h *netlink.Handle, nsPath string) string {
	t.Helper()
	rs, err := h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Protocol: RouteProtocol}, netlink.RT_FILTER_PROTOCOL)
	if err != nil {
		t.Fatal(err)
	}
	var routes, fdb, neigh []string
	for _, r := range rs {
		l, _ := h.LinkByIndex(r.LinkIndex)
		s := r.Dst.String() + " via " + r.Gw.String() + " dev " + l.Attrs().Name
		if r.Flags&int(netlink.FLAG_ONLINK) != 0 {
			s += " onlink"
		}
		routes = append(routes, s)
	}
	if vl, err := h.LinkByName(VXLANDevice); err == nil {
		fs, _ := h.NeighList(vl.Attrs().Index, unix.AF_BRIDGE)
		for _, f := range fs {
			if f.IP != nil {
				fdb = append(fdb, f.HardwareAddr.String()+" dst "+f.IP.String())
			}
		}
		ns, _ := h.NeighList(vl.Attrs().Index, netlink.FAMILY_V4)
		for _, e := range ns {
			neigh = append(neigh, e.IP.String()+" "+e.HardwareAddr.String())
		}
	}
	nsh, err := netns.GetFromPath(nsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer nsh.Close()
	c, err := nftables.New(nftables.WithNetNSFd(int(nsh)))
	if err != nil {
		t.Fatal(err)
	}
	_, terr := c.ListTableOfFamily(MasqueradeTable, nftables.TableFamilyIPv4)
	join := func(s []string) string {
		if len(s) == 0 {
			return "none"
		}
		sort.Strings(s)
		return strings.Join(s, " | ")
	}
	return "routes: " + join(routes) + "; fdb: " + join(fdb) + "; neigh: " + join(neigh) + "; table: " + map[bool]string{true: "true", false: "false"}[terr == nil]
}
