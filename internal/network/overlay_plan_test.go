package network

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name, podCIDR, ip string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.NodeSpec{PodCIDR: podCIDR}}
	if ip != "" {
		n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: name}, {Type: corev1.NodeInternalIP, Address: ip}}
	}
	return n
}

func TestNodeAddrs(t *testing.T) {
	got, errs := NodeAddrs([]*corev1.Node{
		node("c", "10.42.2.0/24", "172.28.0.12"),
		node("a", "10.42.0.0/24", "172.28.0.10"),
		node("no-cidr", "", "172.28.0.13"),
		node("no-ip", "10.42.4.0/24", ""),
		node("bad", "10.42.5.0", "172.28.0.15"),
		node("v6", "fd00::/64", "172.28.0.16"),
		node("unmasked", "10.42.7.9/24", "172.28.0.17"),
	})
	want := []NodeAddr{
		{Name: "a", PodCIDR: netip.MustParsePrefix("10.42.0.0/24"), IP: netip.MustParseAddr("172.28.0.10")},
		{Name: "c", PodCIDR: netip.MustParsePrefix("10.42.2.0/24"), IP: netip.MustParseAddr("172.28.0.12")},
		{Name: "unmasked", PodCIDR: netip.MustParsePrefix("10.42.7.0/24"), IP: netip.MustParseAddr("172.28.0.17")},
	}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "bad") || !strings.Contains(errs[1].Error(), "v6") {
		t.Fatalf("errors: %v", errs)
	}
}

func addrs3() []NodeAddr {
	return []NodeAddr{
		{Name: "n0", PodCIDR: netip.MustParsePrefix("10.42.0.0/24"), IP: netip.MustParseAddr("172.28.0.10")},
		{Name: "n1", PodCIDR: netip.MustParsePrefix("10.42.1.0/24"), IP: netip.MustParseAddr("172.28.0.11")},
		{Name: "n2", PodCIDR: netip.MustParsePrefix("10.42.2.0/24"), IP: netip.MustParseAddr("192.168.9.12")},
	}
}

func TestDesiredOverlay(t *testing.T) {
	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	eth0 := []ConnectedNet{{Prefix: p("172.28.0.0/24"), Link: "eth0"}}
	nodeIPs := []netip.Addr{a("172.28.0.10"), a("172.28.0.11"), a("192.168.9.12")}
	cases := []struct {
		name      string
		mode      Mode
		self      string
		nodes     []NodeAddr
		connected []ConnectedNet
		want      OverlayState
		errs      []string
	}{{
		name: "vxlan: every peer, whatever subnet", mode: ModeVXLAN, self: "n0", nodes: addrs3(), connected: eth0,
		want: OverlayState{
			Routes: []OverlayRoute{
				{Dst: p("10.42.1.0/24"), Gw: a("10.42.1.0"), Dev: VXLANDevice, OnLink: true},
				{Dst: p("10.42.2.0/24"), Gw: a("10.42.2.0"), Dev: VXLANDevice, OnLink: true},
			},
			FDB:     []OverlayFDB{{MAC: "0a:58:0a:2a:01:00", Dst: a("172.28.0.11")}, {MAC: "0a:58:0a:2a:02:00", Dst: a("192.168.9.12")}},
			Neigh:   []OverlayNeigh{{IP: a("10.42.1.0"), MAC: "0a:58:0a:2a:01:00"}, {IP: a("10.42.2.0"), MAC: "0a:58:0a:2a:02:00"}},
			NodeIPs: nodeIPs,
		},
	}, {
		name: "host-gw: direct routes; a peer off-link is refused", mode: ModeHostGW, self: "n1", nodes: addrs3(), connected: eth0,
		want: OverlayState{
			Routes:  []OverlayRoute{{Dst: p("10.42.0.0/24"), Gw: a("172.28.0.10"), Dev: "eth0"}},
			NodeIPs: nodeIPs,
		},
		errs: []string{"node n2: host-gw needs peers on a directly connected subnet, but 192.168.9.12 is in none of this node's (172.28.0.0/24 on eth0); use --pod-network=vxlan"},
	}, {
		name: "host-gw: the link of the matching subnet", mode: ModeHostGW, self: "n0", nodes: []NodeAddr{addrs3()[0], addrs3()[2]},
		connected: append(eth0, ConnectedNet{Prefix: p("192.168.9.0/24"), Link: "eth1"}),
		want: OverlayState{
			Routes:  []OverlayRoute{{Dst: p("10.42.2.0/24"), Gw: a("192.168.9.12"), Dev: "eth1"}},
			NodeIPs: []netip.Addr{a("172.28.0.10"), a("192.168.9.12")},
		},
	}, {
		name: "alone: nothing to route", mode: ModeVXLAN, self: "n0", nodes: addrs3()[:1], connected: eth0,
		want: OverlayState{NodeIPs: nodeIPs[:1]},
	}, {
		name: "self not registered yet: still routes the peers", mode: ModeVXLAN, self: "n9", nodes: addrs3()[1:2], connected: eth0,
		want: OverlayState{
			Routes:  []OverlayRoute{{Dst: p("10.42.1.0/24"), Gw: a("10.42.1.0"), Dev: VXLANDevice, OnLink: true}},
			FDB:     []OverlayFDB{{MAC: "0a:58:0a:2a:01:00", Dst: a("172.28.0.11")}},
			Neigh:   []OverlayNeigh{{IP: a("10.42.1.0"), MAC: "0a:58:0a:2a:01:00"}},
			NodeIPs: nodeIPs[1:2],
		},
	}, {
		name: "overlapping podCIDR is not routed", mode: ModeVXLAN, self: "n0", connected: eth0,
		nodes: []NodeAddr{addrs3()[0], {Name: "dup", PodCIDR: p("10.42.0.0/16"), IP: a("172.28.0.20")}},
		want:  OverlayState{NodeIPs: []netip.Addr{a("172.28.0.10"), a("172.28.0.20")}},
		errs:  []string{"node dup: podCIDR 10.42.0.0/16 overlaps this node's 10.42.0.0/24; not routed"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := DesiredOverlay(tc.mode, tc.self, tc.nodes, tc.connected)
			if d := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			if d := cmp.Diff(tc.errs, msgs); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
		})
	}
}

func TestOverlayHelpers(t *testing.T) {
	if m, err := ParseMode(""); err != nil || m != ModeVXLAN {
		t.Errorf("ParseMode(\"\") = %q, %v", m, err)
	}
	if m, err := ParseMode("host-gw"); err != nil || m != ModeHostGW {
		t.Errorf("ParseMode(host-gw) = %q, %v", m, err)
	}
	if _, err := ParseMode("udp"); err == nil || !strings.Contains(err.Error(), `"vxlan" or "host-gw"`) {
		t.Errorf("ParseMode(udp) error = %v", err)
	}
	if got := VTEPMAC(netip.MustParsePrefix("10.42.3.0/24")).String(); got != "0a:58:0a:2a:03:00" {
		t.Errorf("VTEPMAC = %s", got)
	}
	if got := VTEPAddr(netip.MustParsePrefix("10.42.3.7/24")); got != netip.MustParseAddr("10.42.3.0") {
		t.Errorf("VTEPAddr = %s", got)
	}
	for _, c := range []struct {
		mode      Mode
		under, to int
	}{{ModeVXLAN, 1500, 1450}, {ModeVXLAN, 9000, 8950}, {ModeVXLAN, 0, 1450}, {ModeHostGW, 1500, 1500}} {
		if got := OverlayMTU(c.mode, c.under); got != c.to {
			t.Errorf("OverlayMTU(%s, %d) = %d, want %d", c.mode, c.under, got, c.to)
		}
	}
	if err := (OverlayConfig{Mode: "x"}).validate(); err == nil {
		t.Error("bad mode accepted")
	}
}
