package loadbalancer

import (
	"fmt"
	"net/netip"
	"strings"
)

// DefaultPoolName is the pool used by Services without the pool annotation
// when a pool of that name exists (otherwise the first pool is).
const DefaultPoolName = "default"

// AnnotationPool on a Service names the pool its address comes from.
const AnnotationPool = "berth.dev/lb-pool"

// ClassName is the spec.loadBalancerClass berth handles besides an unset one;
// Services with any other class are left to whoever implements it, as
// Kubernetes' own service controller does.
const ClassName = "berth.dev/load-balancer"

// ipRange is an inclusive range of addresses of one family.
type ipRange struct{ first, last netip.Addr }

func (r ipRange) contains(a netip.Addr) bool {
	return a.BitLen() == r.first.BitLen() && r.first.Compare(a) <= 0 && a.Compare(r.last) <= 0
}

func (r ipRange) String() string {
	if r.first == r.last {
		return r.first.String()
	}
	return r.first.String() + "-" + r.last.String()
}

// Pool is a named set of addresses for LoadBalancer Services.
type Pool struct {
	Name   string
	ranges []ipRange
}

// Contains reports whether a is one of the pool's addresses.
func (p *Pool) Contains(a netip.Addr) bool {
	for _, r := range p.ranges {
		if r.contains(a) {
			return true
		}
	}
	return false
}

func (p *Pool) String() string {
	parts := make([]string, len(p.ranges))
	for i, r := range p.ranges {
		parts[i] = r.String()
	}
	return p.Name + "=" + strings.Join(parts, ",")
}

// Pools are the configured pools in flag order.
type Pools []*Pool

// ByName returns the pool called name, or nil.
func (ps Pools) ByName(name string) *Pool {
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Default is the pool for Services that do not name one.
func (ps Pools) Default() *Pool {
	if p := ps.ByName(DefaultPoolName); p != nil {
		return p
	}
	if len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// Contains reports whether any pool holds a.
func (ps Pools) Contains(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParsePools reads --lb-pool values. Each is `[NAME=]RANGE[,RANGE…]` where a
// RANGE is a CIDR (its network and broadcast addresses left out when the
// prefix is shorter than /31) or `FIRST-LAST`. Values with the same name
// (default "default") add to one pool. Overlapping ranges are refused: an
// address must belong to one pool only.
func ParsePools(values []string) (Pools, error) {
	var pools Pools
	for _, v := range values {
		name, spec := DefaultPoolName, v
		if i := strings.IndexByte(v, '='); i >= 0 {
			name, spec = v[:i], v[i+1:]
		}
		if name == "" {
			return nil, fmt.Errorf("lb pool %q: empty name", v)
		}
		p := pools.ByName(name)
		if p == nil {
			p = &Pool{Name: name}
			pools = append(pools, p)
		}
		for _, part := range strings.Split(spec, ",") {
			r, err := parseRange(strings.TrimSpace(part))
			if err != nil {
				return nil, fmt.Errorf("lb pool %q: %w", v, err)
			}
			for _, q := range pools {
				for _, o := range q.ranges {
					if o.contains(r.first) || o.contains(r.last) || r.contains(o.first) {
						return nil, fmt.Errorf("lb pool %q: %s overlaps %s of pool %q", v, r, o, q.Name)
					}
				}
			}
			p.ranges = append(p.ranges, r)
		}
	}
	return pools, nil
}

func parseRange(s string) (ipRange, error) {
	if s == "" {
		return ipRange{}, fmt.Errorf("empty range")
	}
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return ipRange{}, fmt.Errorf("invalid CIDR %q: %v", s, err)
		}
		pfx = pfx.Masked()
		first := pfx.Addr()
		last := lastAddr(pfx)
		if pfx.Addr().Is4() && pfx.Bits() < 31 {
			first, last = first.Next(), last.Prev()
		}
		return ipRange{first, last}, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return ipRange{}, fmt.Errorf("invalid address %q (want a CIDR, FIRST-LAST or one address)", s)
		}
		return ipRange{ip, ip}, nil
	}
	first, err1 := netip.ParseAddr(strings.TrimSpace(a))
	last, err2 := netip.ParseAddr(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return ipRange{}, fmt.Errorf("invalid range %q (want FIRST-LAST)", s)
	}
	if first.BitLen() != last.BitLen() || last.Less(first) {
		return ipRange{}, fmt.Errorf("invalid range %q: last address before first or families differ", s)
	}
	return ipRange{first.Unmap(), last.Unmap()}, nil
}

// lastAddr is the highest address of a prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
