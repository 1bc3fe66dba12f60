package ipam

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// ErrExhausted is returned by Allocate when every usable address of the
// podCIDR is taken.
var ErrExhausted = errors.New("ipam: no free address left in the pod CIDR")

// PrefixFromIPNet converts a *net.IPNet into a masked netip.Prefix. IPv4
// addresses held in 16-byte form are unmapped so that 10.42.0.0/24 stays an
// IPv4 prefix.
func PrefixFromIPNet(n *net.IPNet) (netip.Prefix, error) {
	if n == nil {
		return netip.Prefix{}, errors.New("ipam: pod CIDR is not set")
	}
	addr, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, fmt.Errorf("ipam: invalid pod CIDR address %v", n.IP)
	}
	addr = addr.Unmap()
	ones, bits := n.Mask.Size()
	if bits == 0 {
		return netip.Prefix{}, fmt.Errorf("ipam: pod CIDR %v has a non-canonical mask", n)
	}
	// A 16-byte mask on an IPv4 address (::ffff:a.b.c.d form) counts the
	// 96 mapped bits too; drop them.
	if addr.Is4() && bits == 128 {
		ones -= 96
	}
	p, err := addr.Prefix(ones)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("ipam: pod CIDR %v: %w", n, err)
	}
	return p, nil
}

// Gateway returns the gateway address of a pod CIDR: the first address after
// the network address. It is assigned to the node's bridge, never to a pod.
func Gateway(p netip.Prefix) netip.Addr {
	return p.Masked().Addr().Next()
}

// lastAddr returns the highest address of the prefix (the IPv4 broadcast).
func lastAddr(p netip.Prefix) netip.Addr {
	p = p.Masked()
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// UsableRange returns the first and last address that may be given to pods:
// everything except the network address, the gateway and the broadcast (the
// last address is kept back for IPv6 too, for symmetry). ok is false when
// the prefix is too small to hold any pod (/31 and /32, or /127, /128).
func UsableRange(p netip.Prefix) (first, last netip.Addr, ok bool) {
	if !p.IsValid() {
		return netip.Addr{}, netip.Addr{}, false
	}
	first = Gateway(p).Next()
	last = lastAddr(p).Prev()
	if !first.IsValid() || !last.IsValid() || first.Compare(last) > 0 {
		return netip.Addr{}, netip.Addr{}, false
	}
	return first, last, true
}

// inRange reports whether a lies in [first, last].
func inRange(a, first, last netip.Addr) bool {
	return a.Compare(first) >= 0 && a.Compare(last) <= 0
}

// nextFree picks the next address to hand out. Like the host-local CNI
// plugin it goes round-robin: the search starts just after the previously
// reserved address (lastReserved) and wraps around, so that a released
// address is reused as late as possible — stale ARP entries and conntrack
// state pointing at the previous owner then have time to expire.
func nextFree(p netip.Prefix, used map[netip.Addr]bool, lastReserved netip.Addr) (netip.Addr, error) {
	first, last, ok := UsableRange(p)
	if !ok {
		return netip.Addr{}, fmt.Errorf("ipam: pod CIDR %v has no usable pod addresses", p)
	}
	start := first
	if lastReserved.IsValid() && inRange(lastReserved, first, last) && lastReserved != last {
		start = lastReserved.Next()
	}
	a := start
	for {
		if !used[a] {
			return a, nil
		}
		if a == last {
			a = first
		} else {
			a = a.Next()
		}
		if a == start {
			return netip.Addr{}, ErrExhausted
		}
	}
}
