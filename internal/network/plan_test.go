package network

import (
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
)

func ipnet(t *testing.T, s string) *net.IPNet {
	t.Helper()
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	n.IP = ip
	return n
}

func TestDefaultRouteLink(t *testing.T) {
	zero := &net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}
	tests := []struct {
		name   string
		routes []netlink.Route
		want   int
	}{
		{name: "none", want: 0},
		{name: "only connected routes", routes: []netlink.Route{{LinkIndex: 2, Dst: ipnet(t, "10.0.0.0/24")}}, want: 0},
		{name: "default with nil Dst", routes: []netlink.Route{{LinkIndex: 2, Dst: ipnet(t, "10.0.0.0/24")}, {LinkIndex: 3}}, want: 3},
		{name: "default with 0.0.0.0/0 Dst", routes: []netlink.Route{{LinkIndex: 4, Dst: zero}}, want: 4},
		{name: "lowest metric wins", routes: []netlink.Route{{LinkIndex: 4, Dst: zero, Priority: 600}, {LinkIndex: 5, Dst: zero, Priority: 100}}, want: 5},
		{name: "multipath uses first hop", routes: []netlink.Route{{Dst: zero, MultiPath: []*netlink.NexthopInfo{{LinkIndex: 7}, {LinkIndex: 8}}}}, want: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := defaultRouteLink(tt.routes); got != tt.want {
				t.Fatalf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestChooseMTU(t *testing.T) {
	tests := []struct{ configured, route, want int }{
		{0, 0, 1500},
		{0, 9001, 9001},
		{1450, 9001, 1450},
		{1400, 0, 1400},
	}
	for _, tt := range tests {
		if got := chooseMTU(tt.configured, tt.route); got != tt.want {
			t.Errorf("chooseMTU(%d, %d) = %d, want %d", tt.configured, tt.route, got, tt.want)
		}
	}
}

func TestAddrDiff(t *testing.T) {
	want := ipnet(t, "10.42.0.1/24")
	tests := []struct {
		name        string
		existing    []string
		wantStale   []string
		wantPresent bool
	}{
		{name: "empty", wantPresent: false},
		{name: "already right", existing: []string{"10.42.0.1/24"}, wantPresent: true},
		{name: "wrong prefix length is stale", existing: []string{"10.42.0.1/16"}, wantStale: []string{"10.42.0.1/16"}},
		{name: "old podCIDR is stale", existing: []string{"10.42.9.1/24", "10.42.0.1/24"}, wantStale: []string{"10.42.9.1/24"}, wantPresent: true},
		{name: "IPv6 addresses are left alone", existing: []string{"fe80::1/64", "10.42.0.1/24"}, wantPresent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var addrs []netlink.Addr
			for _, s := range tt.existing {
				addrs = append(addrs, netlink.Addr{IPNet: ipnet(t, s)})
			}
			stale, present := addrDiff(addrs, want)
			var got []string
			for _, a := range stale {
				got = append(got, a.IPNet.String())
			}
			if !reflect.DeepEqual(got, tt.wantStale) || present != tt.wantPresent {
				t.Fatalf("stale %v present %v, want %v %v", got, present, tt.wantStale, tt.wantPresent)
			}
		})
	}
}

func TestVethReusable(t *testing.T) {
	veth := func(index, parent int, alias string) netlink.Link {
		a := netlink.NewLinkAttrs()
		a.Index, a.ParentIndex, a.Alias = index, parent, alias
		return &netlink.Veth{LinkAttrs: a}
	}
	dummy := &netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Index: 2}}
	tests := []struct {
		name      string
		host, pod netlink.Link
		want      bool
	}{
		{name: "intact pair", host: veth(10, 2, "berth:s1"), pod: veth(2, 10, ""), want: true},
		{name: "no host side", host: nil, pod: veth(2, 10, ""), want: false},
		{name: "no pod side", host: veth(10, 2, "berth:s1"), pod: nil, want: false},
		{name: "unlabelled host side is rebuilt", host: veth(10, 2, ""), pod: veth(2, 10, ""), want: false},
		{name: "other sandbox's label", host: veth(10, 2, "berth:s2"), pod: veth(2, 10, ""), want: false},
		{name: "eth0 is the peer of some other link", host: veth(10, 2, "berth:s1"), pod: veth(2, 11, ""), want: false},
		{name: "eth0 is not a veth", host: veth(10, 2, "berth:s1"), pod: dummy, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := vethReusable(tt.host, tt.pod, "s1"); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSysctlPaths(t *testing.T) {
	var got []string
	for _, s := range nodeSysctls("br.x") {
		got = append(got, s.file()+"="+s.Value)
	}
	want := []string{
		"/proc/sys/net/ipv4/ip_forward=1",
		"/proc/sys/net/ipv4/conf/all/send_redirects=0",
		// A dotted interface name stays one path component.
		"/proc/sys/net/ipv4/conf/br.x/send_redirects=0",
		"/proc/sys/net/bridge/bridge-nf-call-iptables=1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("node sysctls:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if p := podSysctls("eth0"); len(p) != 1 || p[0].file() != "/proc/sys/net/ipv4/conf/eth0/arp_notify" || p[0].Value != "1" {
		t.Fatalf("pod sysctls: %+v", p)
	}
}

func TestResolveConfig(t *testing.T) {
	cidr := ipnet(t, "10.42.3.0/24")
	tests := []struct {
		name    string
		cfg     NodeConfig
		wantErr string
		check   func(t *testing.T, r resolved)
	}{
		{
			name: "defaults",
			cfg:  NodeConfig{PodCIDR: cidr},
			check: func(t *testing.T, r resolved) {
				if r.BridgeName != "berth0" || r.NetNSDir != "/run/berth/netns" || r.IPAMDir != "/var/lib/berth/ipam" {
					t.Fatalf("defaults not applied: %+v", r.NodeConfig)
				}
				if r.gatewayNet().String() != "10.42.3.1/24" {
					t.Fatalf("gateway %v", r.gatewayNet())
				}
				if r.netnsPath("abc") != "/run/berth/netns/abc" {
					t.Fatalf("netns path %s", r.netnsPath("abc"))
				}
			},
		},
		{name: "no podCIDR", cfg: NodeConfig{}, wantErr: "pod CIDR is not set"},
		{name: "IPv6 podCIDR", cfg: NodeConfig{PodCIDR: ipnet(t, "fd00::/64")}, wantErr: "only IPv4"},
		{name: "tiny podCIDR", cfg: NodeConfig{PodCIDR: ipnet(t, "10.0.0.0/31")}, wantErr: "too small"},
		{name: "long bridge name", cfg: NodeConfig{PodCIDR: cidr, BridgeName: "a-very-long-bridge"}, wantErr: "bridge name"},
		{name: "relative dir", cfg: NodeConfig{PodCIDR: cidr, NetNSDir: "netns"}, wantErr: "absolute"},
		{name: "MTU too small", cfg: NodeConfig{PodCIDR: cidr, MTU: 100}, wantErr: "MTU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := resolve(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
}
