package allocator

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net"
	"net/netip"
)

// ipRange maps the allocatable addresses of a service CIDR to offsets
// 0..size-1. As in Kubernetes, the network address is never allocatable and
// neither is the IPv4 broadcast address; offset 0 is the first usable
// address (10.43.0.1 in 10.43.0.0/16). An IPv6 range is capped at 2^16
// addresses, the bitmap Kubernetes keeps for IPv6 service ranges too.
type ipRange struct {
	prefix netip.Prefix
	first  netip.Addr // offset 0
	size   int        // allocatable addresses
	total  int        // addresses in the (capped) CIDR, network/broadcast included
}

// maxIPv4HostBits: a /12 is the largest IPv4 service CIDR Kubernetes accepts
// (a bitmap of 2^20 bits, 128 KiB in one etcd value).
const (
	maxIPv4HostBits = 20
	maxIPv6HostBits = 16
)

func newIPRange(cidr *net.IPNet) (ipRange, error) {
	if cidr == nil {
		return ipRange{}, fmt.Errorf("service CIDR is nil")
	}
	addr, ok := netip.AddrFromSlice(cidr.IP)
	ones, addrBits := cidr.Mask.Size()
	if !ok || addrBits == 0 {
		return ipRange{}, fmt.Errorf("invalid service CIDR %v", cidr)
	}
	if addrBits == 32 {
		addr = addr.Unmap()
	}
	if addr.BitLen() != addrBits {
		return ipRange{}, fmt.Errorf("invalid service CIDR %v: mask does not match address family", cidr)
	}
	prefix := netip.PrefixFrom(addr, ones).Masked()
	host := addrBits - ones
	var size, total int
	if addr.Is4() {
		if host > maxIPv4HostBits {
			return ipRange{}, fmt.Errorf("service CIDR %s is too large: the mask must be at least /%d", prefix, 32-maxIPv4HostBits)
		}
		total = 1 << host
		size = total - 2 // network and broadcast address
	} else {
		total = 1 << min(host, maxIPv6HostBits)
		size = total - 1 // network (subnet-router anycast) address
	}
	if size < 1 {
		return ipRange{}, fmt.Errorf("service CIDR %s is too small: it has no usable address", prefix)
	}
	return ipRange{prefix: prefix, first: prefix.Addr().Next(), size: size, total: total}, nil
}

// offset returns the offset of ip, or false if ip is not allocatable.
func (r ipRange) offset(ip net.IP) (int, bool) {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return 0, false
	}
	if r.prefix.Addr().Is4() {
		a = a.Unmap()
	}
	if !r.prefix.Contains(a) {
		return 0, false
	}
	ahi, alo := u128(a)
	fhi, flo := u128(r.first)
	lo, borrow := bits.Sub64(alo, flo, 0)
	hi, _ := bits.Sub64(ahi, fhi, borrow)
	// a below first (the network address) wraps around to a huge value.
	if hi != 0 || lo >= uint64(r.size) {
		return 0, false
	}
	return int(lo), true
}

// addr returns the address at offset off (0 <= off < size).
func (r ipRange) addr(off int) net.IP {
	fhi, flo := u128(r.first)
	lo, carry := bits.Add64(flo, uint64(off), 0)
	hi := fhi + carry
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	a := netip.AddrFrom16(b)
	if r.prefix.Addr().Is4() {
		a = a.Unmap()
	}
	return net.IP(a.AsSlice())
}

func (r ipRange) String() string { return r.prefix.String() }

func u128(a netip.Addr) (hi, lo uint64) {
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}
