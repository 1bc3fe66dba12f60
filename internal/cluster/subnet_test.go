package cluster

import (
	"net"
	"testing"
)

func mustCIDR(t *testing.T, s string) *net.IPNet {
	t.Helper()
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	// keep the address as given (an interface address, not the network)
	return &net.IPNet{IP: ip, Mask: n.Mask}
}

func TestChooseSubnet(t *testing.T) {
	pool := mustCIDR(t, UnderlayPool)
	for _, tc := range []struct {
		name string
		used []string
		want string // "" = error
	}{
		{"empty", nil, "172.28.0.0/24"},
		{"default route ignored", []string{"0.0.0.0/0"}, "172.28.0.0/24"},
		{"host address in first", []string{"172.28.0.5/24"}, "172.28.1.0/24"},
		{"/32 route in first", []string{"172.28.0.77/32"}, "172.28.1.0/24"},
		{"two taken", []string{"172.28.0.1/24", "172.28.1.1/24"}, "172.28.2.0/24"},
		{"gap", []string{"172.28.0.1/24", "172.28.2.1/24"}, "172.28.1.0/24"},
		{"wide route covers several", []string{"172.28.0.0/22"}, "172.28.4.0/24"},
		{"docker-like /16", []string{"172.28.0.0/16"}, "172.29.0.0/24"},
		{"unrelated", []string{"10.0.0.0/8", "192.168.1.10/24", "172.17.0.1/16"}, "172.28.0.0/24"},
		{"covering /12", []string{"172.16.0.0/12"}, ""},
		{"ipv6 ignored", []string{"fd00::1/64"}, "172.28.0.0/24"},
		{"all but last", []string{"172.28.0.0/15", "172.30.0.0/16", "172.31.0.0/17", "172.31.128.0/18",
			"172.31.192.0/19", "172.31.224.0/20", "172.31.240.0/21", "172.31.248.0/22", "172.31.252.0/23", "172.31.254.0/24"},
			"172.31.255.0/24"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var used []*net.IPNet
			for _, u := range tc.used {
				used = append(used, mustCIDR(t, u))
			}
			got, err := ChooseSubnet(pool, used)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("got %v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want {
				t.Fatalf("got %v, want %s", got, tc.want)
			}
		})
	}
}

func TestChooseSubnetBadPool(t *testing.T) {
	for _, p := range []string{"172.28.0.0/25", "fd00::/48"} {
		if _, err := ChooseSubnet(mustCIDR(t, p), nil); err == nil {
			t.Errorf("pool %s accepted", p)
		}
	}
}

func TestAddresses(t *testing.T) {
	s := mustCIDR(t, "172.28.3.0/24")
	if got := GatewayIP(s).String(); got != "172.28.3.1" {
		t.Errorf("gateway %s", got)
	}
	if got := NodeIP(s, 0).String(); got != "172.28.3.10" {
		t.Errorf("node0 %s", got)
	}
	if got := NodeIP(s, MaxNodes-1).String(); got != "172.28.3.209" {
		t.Errorf("last node %s", got)
	}
}

func TestParseSubnet(t *testing.T) {
	for s, ok := range map[string]bool{"172.28.9.0/24": true, "10.1.2.0/24": true, "10.1.2.0/23": false, "fd00::/120": false, "x": false} {
		if _, err := ParseSubnet(s); (err == nil) != ok {
			t.Errorf("ParseSubnet(%q) = %v, want ok=%v", s, err, ok)
		}
	}
}
