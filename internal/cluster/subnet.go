package cluster

import (
	"encoding/binary"
	"fmt"
	"net"
)

// UnderlayPool is where underlay subnets come from: 1024 /24s, the range
// kind and docker leave alone by default.
const UnderlayPool = "172.28.0.0/14"

// firstNodeHost is the host number of node 0 (.10); the gateway is .1.
const firstNodeHost = 10

// ChooseSubnet returns the first /24 of pool that overlaps none of used.
// used are the prefixes already present where the bridge will live —
// addresses with their masks, route destinations — and the subnets other
// clusters recorded. Default routes (/0) are ignored: everything overlaps
// them and they do not make a subnet unusable.
func ChooseSubnet(pool *net.IPNet, used []*net.IPNet) (*net.IPNet, error) {
	p4 := pool.IP.To4()
	ones, bits := pool.Mask.Size()
	if p4 == nil || bits != 32 || ones > 24 {
		return nil, fmt.Errorf("underlay pool %s must be an IPv4 prefix of /24 or larger", pool)
	}
	base := binary.BigEndian.Uint32(p4) &^ (1<<(32-ones) - 1)
	count := uint32(1) << (24 - ones)
	for k := uint32(0); k < count; k++ {
		cand := &net.IPNet{IP: u32ToIP(base + k<<8), Mask: net.CIDRMask(24, 32)}
		if !overlapsAny(cand, used) {
			return cand, nil
		}
	}
	return nil, fmt.Errorf("no free /24 left in %s (pass --subnet)", pool)
}

func overlapsAny(cand *net.IPNet, used []*net.IPNet) bool {
	for _, u := range used {
		if u == nil || u.IP.To4() == nil {
			continue
		}
		if ones, _ := u.Mask.Size(); ones == 0 {
			continue
		}
		if cand.Contains(u.IP) || u.Contains(cand.IP) {
			return true
		}
	}
	return false
}

func u32ToIP(v uint32) net.IP {
	ip := make(net.IP, 4)
	binary.BigEndian.PutUint32(ip, v)
	return ip
}

// hostIP is host number n of an IPv4 /24.
func hostIP(subnet *net.IPNet, n int) net.IP {
	base := binary.BigEndian.Uint32(subnet.IP.To4()) &^ 0xff
	return u32ToIP(base + uint32(n))
}

// GatewayIP is the bridge's address, .1 of the underlay.
func GatewayIP(subnet *net.IPNet) net.IP { return hostIP(subnet, 1) }

// NodeIP is node i's address, .(10+i) of the underlay.
func NodeIP(subnet *net.IPNet, i int) net.IP { return hostIP(subnet, firstNodeHost+i) }

// ParseSubnet parses an underlay subnet given by the user: an IPv4 /24.
func ParseSubnet(s string) (*net.IPNet, error) {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		return nil, err
	}
	if ones, bits := n.Mask.Size(); ip.To4() == nil || bits != 32 || ones != 24 {
		return nil, fmt.Errorf("underlay subnet %s must be an IPv4 /24", s)
	}
	return n, nil
}
