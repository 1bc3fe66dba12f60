package allocator

import (
	"net"
	"testing"
)

func mustCIDR(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewIPRange(t *testing.T) {
	tests := []struct {
		cidr     string
		wantSize int
		wantErr  bool
	}{
		{"10.43.0.0/16", 65534, false},
		{"10.43.0.0/24", 254, false},
		{"10.43.0.0/30", 2, false},
		{"10.32.0.0/12", 1<<20 - 2, false},
		{"10.0.0.0/8", 0, true},  // larger than /12
		{"10.0.0.0/31", 0, true}, // no usable address
		{"10.0.0.1/32", 0, true},
		{"fd00:43::/112", 65535, false},
		{"fd00:43::/64", 65535, false}, // capped at 2^16, like Kubernetes
		{"fd00:43::/120", 255, false},
		{"fd00::1/128", 0, true},
	}
	for _, tt := range tests {
		r, err := newIPRange(mustCIDR(t, tt.cidr))
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", tt.cidr, err, tt.wantErr)
			continue
		}
		if err == nil && r.size != tt.wantSize {
			t.Errorf("%s: size = %d, want %d", tt.cidr, r.size, tt.wantSize)
		}
	}
	if _, err := newIPRange(nil); err == nil {
		t.Error("nil CIDR accepted")
	}
}

func TestIPRangeOffsets(t *testing.T) {
	v4, err := newIPRange(mustCIDR(t, "10.43.0.0/16"))
	if err != nil {
		t.Fatal(err)
	}
	v6, err := newIPRange(mustCIDR(t, "fd00:43::/64"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		r      ipRange
		ip     string
		want   int
		wantOK bool
	}{
		{v4, "10.43.0.1", 0, true},
		{v4, "10.43.0.10", 9, true},
		{v4, "10.43.1.0", 255, true},
		{v4, "10.43.255.254", 65533, true},
		{v4, "10.43.0.0", 0, false},     // network address
		{v4, "10.43.255.255", 0, false}, // broadcast address
		{v4, "10.44.0.1", 0, false},
		{v4, "10.42.255.255", 0, false},
		{v4, "fd00:43::1", 0, false},
		{v6, "fd00:43::1", 0, true},
		{v6, "fd00:43::ffff", 65534, true},
		{v6, "fd00:43::", 0, false},
		{v6, "fd00:43::1:0", 0, false}, // beyond the 2^16 cap
		{v6, "10.43.0.1", 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.r.offset(net.ParseIP(tt.ip))
		if ok != tt.wantOK || (ok && got != tt.want) {
			t.Errorf("%s in %s: offset = %d, %v; want %d, %v", tt.ip, tt.r, got, ok, tt.want, tt.wantOK)
			continue
		}
		if ok {
			if back := tt.r.addr(got); !back.Equal(net.ParseIP(tt.ip)) {
				t.Errorf("addr(%d) = %v, want %s", got, back, tt.ip)
			}
		}
	}
	// A 4-byte net.IP works as well as the 16-byte form ParseIP returns.
	if off, ok := v4.offset(net.IPv4(10, 43, 0, 10).To4()); !ok || off != 9 {
		t.Errorf("4-byte form: %d, %v", off, ok)
	}
	if ip := v4.addr(0); len(ip) != net.IPv4len || ip.String() != "10.43.0.1" {
		t.Errorf("addr(0) = %v (len %d), want 4-byte 10.43.0.1", ip, len(ip))
	}
	// Carry across the 64-bit boundary of an IPv6 address.
	edge, err := newIPRange(mustCIDR(t, "fd00::ffff:ffff:ffff:ff00/120"))
	if err != nil {
		t.Fatal(err)
	}
	if ip := edge.addr(edge.size - 1); ip.String() != "fd00::ffff:ffff:ffff:ffff" {
		t.Errorf("last IPv6 address = %v", ip)
	}
}
