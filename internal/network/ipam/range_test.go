package ipam

import (
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestPrefixFromIPNet(t *testing.T) {
	tests := []struct {
		name string
		in   *net.IPNet
		want string
		err  bool
	}{
		{name: "nil", in: nil, err: true},
		{name: "v4 parsed", in: mustCIDR(t, "10.42.0.0/24"), want: "10.42.0.0/24"},
		{name: "v4 unmasked host bits", in: &net.IPNet{IP: net.ParseIP("10.42.0.7").To4(), Mask: net.CIDRMask(24, 32)}, want: "10.42.0.0/24"},
		{name: "v4 in 16-byte form with 4-byte mask", in: &net.IPNet{IP: net.ParseIP("10.42.1.0"), Mask: net.CIDRMask(24, 32)}, want: "10.42.1.0/24"},
		{name: "v4 in 16-byte form with 16-byte mask", in: &net.IPNet{IP: net.ParseIP("10.42.1.0"), Mask: net.CIDRMask(120, 128)}, want: "10.42.1.0/24"},
		{name: "v6", in: mustCIDR(t, "fd00:42::/64"), want: "fd00:42::/64"},
		{name: "non-canonical mask", in: &net.IPNet{IP: net.ParseIP("10.0.0.0").To4(), Mask: net.IPv4Mask(255, 0, 255, 0)}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PrefixFromIPNet(tt.in)
			if tt.err {
				if err == nil {
					t.Fatalf("want error, got %v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUsableRange(t *testing.T) {
	tests := []struct {
		cidr        string
		gw          string
		first, last string
		ok          bool
	}{
		{cidr: "10.42.0.0/24", gw: "10.42.0.1", first: "10.42.0.2", last: "10.42.0.254", ok: true},
		{cidr: "10.42.0.0/16", gw: "10.42.0.1", first: "10.42.0.2", last: "10.42.255.254", ok: true},
		{cidr: "10.42.3.0/29", gw: "10.42.3.1", first: "10.42.3.2", last: "10.42.3.6", ok: true},
		{cidr: "10.42.3.4/30", gw: "10.42.3.5", first: "10.42.3.6", last: "10.42.3.6", ok: true},
		{cidr: "10.42.3.4/31", gw: "10.42.3.5", ok: false},
		{cidr: "10.42.3.4/32", ok: false},
		{cidr: "fd00::/120", gw: "fd00::1", first: "fd00::2", last: "fd00::fe", ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.cidr, func(t *testing.T) {
			p := netip.MustParsePrefix(tt.cidr)
			if tt.gw != "" {
				if gw := Gateway(p); gw.String() != tt.gw {
					t.Errorf("gateway %v, want %v", gw, tt.gw)
				}
			}
			first, last, ok := UsableRange(p)
			if ok != tt.ok {
				t.Fatalf("ok=%v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if first.String() != tt.first || last.String() != tt.last {
				t.Fatalf("range %v-%v, want %v-%v", first, last, tt.first, tt.last)
			}
		})
	}
}

func TestNextFree(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/29") // pods: .2 .. .6
	addrs := func(ss ...string) map[netip.Addr]bool {
		m := map[netip.Addr]bool{}
		for _, s := range ss {
			m[netip.MustParseAddr(s)] = true
		}
		return m
	}
	tests := []struct {
		name    string
		used    map[netip.Addr]bool
		last    string
		want    string
		wantErr error
	}{
		{name: "empty starts at first usable", used: addrs(), want: "10.0.0.2"},
		{name: "skips used", used: addrs("10.0.0.2", "10.0.0.3"), want: "10.0.0.4"},
		{name: "continues after last reserved", used: addrs(), last: "10.0.0.3", want: "10.0.0.4"},
		{name: "round-robin does not reuse a just-freed lower address", used: addrs("10.0.0.4"), last: "10.0.0.4", want: "10.0.0.5"},
		{name: "wraps after the last usable", used: addrs("10.0.0.6"), last: "10.0.0.6", want: "10.0.0.2"},
		{name: "wraps and skips used", used: addrs("10.0.0.2", "10.0.0.6"), last: "10.0.0.5", want: "10.0.0.3"},
		{name: "last reserved outside the range is ignored", used: addrs(), last: "192.168.0.9", want: "10.0.0.2"},
		{name: "last reserved = gateway is ignored", used: addrs(), last: "10.0.0.1", want: "10.0.0.2"},
		{name: "exhausted", used: addrs("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"), last: "10.0.0.4", wantErr: ErrExhausted},
		{name: "network, gateway and broadcast in used do not matter", used: addrs("10.0.0.0", "10.0.0.1", "10.0.0.7"), want: "10.0.0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var last netip.Addr
			if tt.last != "" {
				last = netip.MustParseAddr(tt.last)
			}
			got, err := nextFree(p, tt.used, last)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNextFreeNeverHandsOutReservedAddresses(t *testing.T) {
	for _, cidr := range []string{"10.1.0.0/30", "10.1.0.0/29", "10.1.0.0/26", "fd00::/125"} {
		p := netip.MustParsePrefix(cidr)
		used := map[netip.Addr]bool{}
		for {
			a, err := nextFree(p, used, netip.Addr{})
			if errors.Is(err, ErrExhausted) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if a == p.Addr() || a == Gateway(p) || a == lastAddr(p) || !p.Contains(a) {
				t.Fatalf("%s: handed out reserved or foreign address %v", cidr, a)
			}
			used[a] = true
		}
		size := 1 << (p.Addr().BitLen() - p.Bits())
		if len(used) != size-3 {
			t.Fatalf("%s: handed out %d addresses, want %d", cidr, len(used), size-3)
		}
	}
}

func mustCIDR(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
