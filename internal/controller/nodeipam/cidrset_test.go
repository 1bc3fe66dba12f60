package nodeipam

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
)

func mustNet(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewCIDRSet(t *testing.T) {
	tests := []struct {
		cluster string
		mask    int
		size    int
		wantErr string
	}{
		{"10.42.0.0/16", 24, 256, ""},
		{"10.42.0.0/16", 16, 1, ""},
		{"10.42.0.0/8", 24, 65536, ""},
		{"10.42.7.9/16", 24, 256, ""}, // host bits are masked away
		{"fd00:42::/48", 64, 65536, ""},
		{"10.0.0.0/8", 25, 0, "more than 2^16"},
		{"10.42.0.0/16", 8, 0, "larger than the cluster"},
		{"10.42.0.0/24", 31, 0, "too small"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s by /%d", tt.cluster, tt.mask), func(t *testing.T) {
			s, err := newCIDRSet(mustNet(t, tt.cluster), tt.mask)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.size != tt.size {
				t.Errorf("size = %d, want %d", s.size, tt.size)
			}
		})
	}
	if _, err := newCIDRSet(nil, 24); err == nil {
		t.Error("nil cluster CIDR accepted")
	}
}

func TestSubnetAndSpan(t *testing.T) {
	s, err := newCIDRSet(mustNet(t, "10.42.0.0/16"), 24)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]string{0: "10.42.0.0/24", 1: "10.42.1.0/24", 255: "10.42.255.0/24"} {
		if got := s.subnet(i).String(); got != want {
			t.Errorf("subnet(%d) = %s, want %s", i, got, want)
		}
	}
	tests := []struct {
		cidr        string
		first, last int
		ok          bool
	}{
		{"10.42.3.0/24", 3, 3, true},
		{"10.42.3.128/25", 3, 3, true}, // smaller: its containing subnet
		{"10.42.4.0/23", 4, 5, true},   // larger: every subnet it covers
		{"10.0.0.0/8", 0, 255, true},   // covers the whole cluster CIDR
		{"10.43.0.0/24", 0, 0, false},  // elsewhere
		{"fd00::/64", 0, 0, false},     // other family
		{"10.42.255.0/24", 255, 255, true},
	}
	for _, tt := range tests {
		f, l, ok := s.span(netip.MustParsePrefix(tt.cidr))
		if f != tt.first || l != tt.last || ok != tt.ok {
			t.Errorf("span(%s) = %d,%d,%v want %d,%d,%v", tt.cidr, f, l, ok, tt.first, tt.last, tt.ok)
		}
	}
}

func TestAllocateIPv6AndExhaustion(t *testing.T) {
	s, err := newCIDRSet(mustNet(t, "fd00:42::/62"), 64)
	if err != nil {
		t.Fatal(err)
	}
	s.mark(1)
	var got []string
	for {
		p, ok := s.allocate()
		if !ok {
			break
		}
		got = append(got, p.String())
	}
	want := "fd00:42::/64 fd00:42:0:2::/64 fd00:42:0:3::/64"
	if strings.Join(got, " ") != want {
		t.Errorf("allocated %v, want %s", got, want)
	}
}

func TestBits(t *testing.T) {
	b := []byte{0, 0, 0, 0}
	setBits(b, 12, 12, 0xABC)
	if got := getBits(b, 12, 12); got != 0xABC {
		t.Errorf("round trip = %x", got)
	}
	if b[0] != 0 || b[1] != 0x0A || b[2] != 0xBC || b[3] != 0 {
		t.Errorf("bytes = %x", b)
	}
}
