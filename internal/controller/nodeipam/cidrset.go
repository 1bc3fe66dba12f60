package nodeipam

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// maxSubnetBits caps the number of subnets at 2^16, as Kubernetes does: the
// bitmap stays small and a typo such as "/8 with /24 nodes" is refused.
const maxSubnetBits = 16

// cidrSet is the cluster CIDR cut into 2^(maskSize-prefix) subnets, with a
// bit per subnet telling whether it is taken. It is not safe for concurrent
// use; the controller builds a fresh one on every pass.
type cidrSet struct {
	cluster  netip.Prefix
	maskSize int
	used     []uint64
	size     int
}

// newCIDRSet validates the cluster CIDR / mask size pair.
func newCIDRSet(cluster *net.IPNet, maskSize int) (*cidrSet, error) {
	if cluster == nil {
		return nil, errors.New("cluster CIDR is required")
	}
	p, err := prefixOf(cluster)
	if err != nil {
		return nil, fmt.Errorf("cluster CIDR: %w", err)
	}
	bits := p.Addr().BitLen()
	switch {
	case maskSize < p.Bits():
		return nil, fmt.Errorf("node mask size /%d is larger than the cluster CIDR %s", maskSize, p)
	case maskSize-p.Bits() > maxSubnetBits:
		return nil, fmt.Errorf("node mask size /%d cuts %s into more than 2^%d subnets", maskSize, p, maxSubnetBits)
	case maskSize > bits-2:
		// A /31 or /32 (IPv4) leaves no room for a gateway and a pod.
		return nil, fmt.Errorf("node mask size /%d is too small for pods", maskSize)
	}
	size := 1 << (maskSize - p.Bits())
	return &cidrSet{cluster: p, maskSize: maskSize, used: make([]uint64, (size+63)/64), size: size}, nil
}

// prefixOf converts a net.IPNet to its canonical (masked) netip.Prefix,
// keeping IPv4 as IPv4 even when stored in 16 bytes.
func prefixOf(n *net.IPNet) (netip.Prefix, error) {
	addr, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, fmt.Errorf("invalid IP %v", n.IP)
	}
	addr = addr.Unmap()
	ones, bits := n.Mask.Size()
	if bits == 0 || bits != addr.BitLen() {
		return netip.Prefix{}, fmt.Errorf("mask of %v does not fit its address", n)
	}
	return netip.PrefixFrom(addr, ones).Masked(), nil
}

// parseCIDR reads a podCIDR string as Kubernetes stores it.
func parseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return p.Masked(), nil
}

// subnet returns the i-th subnet.
func (s *cidrSet) subnet(i int) netip.Prefix {
	b := s.cluster.Addr().AsSlice()
	setBits(b, s.cluster.Bits(), s.maskSize-s.cluster.Bits(), uint32(i))
	addr, _ := netip.AddrFromSlice(b)
	return netip.PrefixFrom(addr, s.maskSize)
}

// indexOf returns the subnet number an address of the cluster CIDR falls in.
func (s *cidrSet) indexOf(a netip.Addr) int {
	return int(getBits(a.AsSlice(), s.cluster.Bits(), s.maskSize-s.cluster.Bits()))
}

// span returns the subnets p overlaps, first..last inclusive; ok is false
// when p does not overlap the cluster CIDR at all (other family, elsewhere).
func (s *cidrSet) span(p netip.Prefix) (first, last int, ok bool) {
	if !s.cluster.Overlaps(p) {
		return 0, 0, false
	}
	if p.Bits() <= s.cluster.Bits() {
		return 0, s.size - 1, true // p covers the whole cluster CIDR
	}
	first = s.indexOf(p.Addr())
	if p.Bits() >= s.maskSize {
		return first, first, true // inside one subnet
	}
	return first, first + 1<<(s.maskSize-p.Bits()) - 1, true
}

func (s *cidrSet) isUsed(i int) bool { return s.used[i/64]&(1<<(i%64)) != 0 }
func (s *cidrSet) mark(i int)        { s.used[i/64] |= 1 << (i % 64) }

// allocate takes the lowest free subnet; lowest-first keeps the result
// deterministic for a given set of nodes.
func (s *cidrSet) allocate() (netip.Prefix, bool) {
	for w, word := range s.used {
		if word == ^uint64(0) {
			continue
		}
		for b := range 64 {
			i := w*64 + b
			if i >= s.size {
				return netip.Prefix{}, false
			}
			if !s.isUsed(i) {
				s.mark(i)
				return s.subnet(i), true
			}
		}
	}
	return netip.Prefix{}, false
}

// getBits reads n bits of b starting at bit offset from (MSB first).
func getBits(b []byte, from, n int) uint32 {
	var v uint32
	for i := from; i < from+n; i++ {
		v = v<<1 | uint32(b[i/8]>>(7-i%8)&1)
	}
	return v
}

// setBits writes the low n bits of v into b starting at bit offset from.
func setBits(b []byte, from, n int, v uint32) {
	for i := from + n - 1; i >= from; i-- {
		mask := byte(1) << (7 - i%8)
		if v&1 != 0 {
			b[i/8] |= mask
		} else {
			b[i/8] &^= mask
		}
		v >>= 1
	}
}

// empty returns a set with the same geometry and nothing taken.
func (s *cidrSet) empty() *cidrSet {
	return &cidrSet{cluster: s.cluster, maskSize: s.maskSize, used: make([]uint64, len(s.used)), size: s.size}
}
