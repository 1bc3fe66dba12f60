package proxy

import (
	"net/netip"
	"slices"
)

// udpState remembers, per UDP service port, its frontends and the endpoints
// it sent traffic to, so a sync can tell which conntrack entries went stale.
type udpState map[string]udpPort

type udpPort struct {
	Frontends []netip.AddrPort // ClusterIP, external IPs, LB IPs with the service port
	NodePort  uint16
	Endpoints []netip.AddrPort // sorted
}

func (u udpState) record(sp *servicePort, all, local []netip.AddrPort) {
	if sp.Proto != ProtoUDP {
		return
	}
	p := udpPort{NodePort: sp.NodePort}
	if sp.ClusterIP.IsValid() {
		p.Frontends = append(p.Frontends, netip.AddrPortFrom(sp.ClusterIP, sp.Port))
	}
	for _, a := range sp.External {
		p.Frontends = append(p.Frontends, netip.AddrPortFrom(a, sp.Port))
	}
	eps := append(slices.Clone(all), local...)
	slices.SortFunc(eps, netip.AddrPort.Compare)
	p.Endpoints = slices.Compact(eps)
	u[sp.ID] = p
}

// staleFlows is what conntrack must forget after moving from old to new.
type staleFlows struct {
	// Endpoints no longer used by a UDP service port: entries NATed to
	// them would keep sending a client's datagrams into the void.
	Endpoints []netip.AddrPort
	// Frontends of UDP service ports that had no endpoints and now have
	// some: entries created while they had none must not linger.
	Frontends []netip.AddrPort
	NodePorts []uint16
}

func (s staleFlows) empty() bool {
	return len(s.Endpoints) == 0 && len(s.Frontends) == 0 && len(s.NodePorts) == 0
}

// staleUDP compares two states (old may be nil: nothing is stale).
func staleUDP(old, cur udpState) staleFlows {
	var out staleFlows
	seen := map[netip.AddrPort]bool{}
	for id, o := range old {
		n := cur[id]
		for _, ep := range o.Endpoints {
			if _, still := slices.BinarySearchFunc(n.Endpoints, ep, netip.AddrPort.Compare); !still && !seen[ep] {
				seen[ep] = true
				out.Endpoints = append(out.Endpoints, ep)
			}
		}
	}
	for id, n := range cur {
		o, existed := old[id]
		if len(n.Endpoints) == 0 || (existed && len(o.Endpoints) > 0) || old == nil {
			continue
		}
		out.Frontends = append(out.Frontends, n.Frontends...)
		if n.NodePort != 0 {
			out.NodePorts = append(out.NodePorts, n.NodePort)
		}
	}
	slices.SortFunc(out.Endpoints, netip.AddrPort.Compare)
	slices.SortFunc(out.Frontends, netip.AddrPort.Compare)
	slices.Sort(out.NodePorts)
	return out
}
