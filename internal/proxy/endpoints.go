package proxy

import (
	"net/netip"
	"slices"

	discoveryv1 "k8s.io/api/discovery/v1"
)

// endpoint is one backend of a service port.
type endpoint struct {
	AddrPort    netip.AddrPort
	Ready       bool
	Serving     bool
	Terminating bool
	Local       bool
}

// endpointsFor collects the IPv4 endpoints of one service port from the
// Service's EndpointSlices: the slice port with the same name and protocol
// gives the target port; duplicates (an endpoint in two slices while it
// moves) count once, the ready copy winning.
func endpointsFor(slices_ []*discoveryv1.EndpointSlice, portName string, proto Protocol, node NodeInfo) []endpoint {
	byAddr := map[netip.AddrPort]endpoint{}
	for _, s := range slices_ {
		if s.AddressType != discoveryv1.AddressTypeIPv4 {
			continue
		}
		port, ok := slicePort(s, portName, proto)
		if !ok {
			continue
		}
		for _, e := range s.Endpoints {
			ep, ok := toEndpoint(e, port, node)
			if !ok {
				continue
			}
			if old, dup := byAddr[ep.AddrPort]; dup && old.Ready {
				continue
			}
			byAddr[ep.AddrPort] = ep
		}
	}
	out := make([]endpoint, 0, len(byAddr))
	for _, ep := range byAddr {
		out = append(out, ep)
	}
	slices.SortFunc(out, func(a, b endpoint) int { return a.AddrPort.Compare(b.AddrPort) })
	return out
}

func slicePort(s *discoveryv1.EndpointSlice, name string, proto Protocol) (uint16, bool) {
	for _, p := range s.Ports {
		pName := ""
		if p.Name != nil {
			pName = *p.Name
		}
		pProto := ProtoTCP
		if p.Protocol != nil {
			pProto, _ = parseProtocol(string(*p.Protocol))
		}
		if pName != name || pProto != proto || p.Port == nil {
			continue
		}
		if *p.Port <= 0 || *p.Port > 65535 {
			return 0, false
		}
		return uint16(*p.Port), true
	}
	return 0, false
}

// toEndpoint applies the EndpointConditions defaults of the API: nil ready
// means ready, nil serving means the value of ready, nil terminating means
// not terminating. Only the first address is used (as kube-proxy does).
func toEndpoint(e discoveryv1.Endpoint, port uint16, node NodeInfo) (endpoint, bool) {
	if len(e.Addresses) == 0 {
		return endpoint{}, false
	}
	addr, err := netip.ParseAddr(e.Addresses[0])
	if err != nil || !addr.Is4() {
		return endpoint{}, false
	}
	ep := endpoint{AddrPort: netip.AddrPortFrom(addr, port), Ready: true}
	if e.Conditions.Ready != nil {
		ep.Ready = *e.Conditions.Ready
	}
	ep.Serving = ep.Ready
	if e.Conditions.Serving != nil {
		ep.Serving = *e.Conditions.Serving
	}
	if e.Conditions.Terminating != nil {
		ep.Terminating = *e.Conditions.Terminating
	}
	if e.NodeName != nil && *e.NodeName != "" {
		ep.Local = *e.NodeName == node.Name
	} else {
		ep.Local = node.PodCIDR.IsValid() && node.PodCIDR.Contains(addr)
	}
	return ep, true
}

// usable picks the endpoints traffic may go to: the ready ones, or — only
// when none is ready — the serving ones that are terminating (so a rolling
// update that leaves only terminating pods does not drop connections).
// localOnly restricts the choice to endpoints on this node.
func usable(eps []endpoint, localOnly bool) []netip.AddrPort {
	var ready, terminating []netip.AddrPort
	for _, e := range eps {
		if localOnly && !e.Local {
			continue
		}
		switch {
		case e.Ready:
			ready = append(ready, e.AddrPort)
		case e.Serving && e.Terminating:
			terminating = append(terminating, e.AddrPort)
		}
	}
	if len(ready) > 0 {
		return ready
	}
	return terminating
}
