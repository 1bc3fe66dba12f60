package proxy

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// Desired computes the proxy's nftables table for this node from the
// cluster's Services and EndpointSlices. It is a pure function: same input,
// same Ruleset (sorted; String renders it identically).
func Desired(services []*corev1.Service, slices []*discoveryv1.EndpointSlice, node NodeInfo, opts Options) *Ruleset {
	b := newBuilder(node, opts.withDefaults())
	bySvc := slicesByService(slices)
	for _, svc := range services {
		key := svc.Namespace + "/" + svc.Name
		for _, sp := range servicePorts(svc, b.opts) {
			b.addServicePort(sp, endpointsFor(bySvc[key], sp.PortName, sp.Proto, node))
		}
	}
	b.rs.sort()
	return b.rs
}

// slicesByService groups EndpointSlices by "namespace/service-name".
func slicesByService(slices []*discoveryv1.EndpointSlice) map[string][]*discoveryv1.EndpointSlice {
	out := map[string][]*discoveryv1.EndpointSlice{}
	for _, s := range slices {
		name := s.Labels[LabelServiceName]
		if name == "" {
			continue
		}
		key := s.Namespace + "/" + name
		out[key] = append(out[key], s)
	}
	return out
}

// addServicePort adds the chains and map elements of one service port.
func (b *builder) addServicePort(sp *servicePort, eps []endpoint) {
	all := usable(eps, false)
	var local []netip.AddrPort
	if sp.ITPLocal || sp.ETPLocal {
		local = usable(eps, true)
	}
	b.rs.udp.record(sp, all, local)
	b.firewall(sp)
	if len(all) == 0 {
		// Nothing anywhere: refuse at once instead of letting the client
		// time out.
		b.frontends(sp, b.reject(), b.reject())
		return
	}

	// internal is where ClusterIP traffic goes (internalTrafficPolicy).
	internal := Verdict{Kind: VerdictGoto, Chain: serviceChainName(sp.ID)}
	needCluster := !sp.ITPLocal || (sp.hasExternal() && !sp.ETPLocal)
	if sp.ITPLocal {
		internal = Verdict{Kind: VerdictDrop} // endpoints exist, none here
		if len(local) > 0 {
			internal = Verdict{Kind: VerdictGoto, Chain: localChainName(sp.ID)}
		}
	}
	if needCluster {
		b.pickChain(serviceChainName(sp.ID), sp, all, !sp.ITPLocal)
	}
	if len(local) > 0 {
		b.pickChain(localChainName(sp.ID), sp, local, sp.ITPLocal)
	}
	external := Verdict{}
	if sp.hasExternal() {
		external = Verdict{Kind: VerdictGoto, Chain: externalChainName(sp.ID)}
		b.externalChain(sp, internal, len(local) > 0)
	}
	b.frontends(sp, internal, external)
}

// frontends adds the map elements that lead a service port's addresses to
// their verdicts: goto a chain (service-ips, service-nodeports) or drop /
// reject (no-endpoint-services, no-endpoint-nodeports).
func (b *builder) frontends(sp *servicePort, internal, external Verdict) {
	if sp.ClusterIP.IsValid() {
		b.addElement(setClusterIPs, Element{Addr: sp.ClusterIP})
		b.addVerdict(mapServiceIPs, mapNoEndpointServices, Element{Addr: sp.ClusterIP, Proto: sp.Proto, Port: sp.Port, Verdict: internal})
	}
	if !sp.hasExternal() {
		return
	}
	for _, a := range sp.External {
		b.addVerdict(mapServiceIPs, mapNoEndpointServices, Element{Addr: a, Proto: sp.Proto, Port: sp.Port, Verdict: external})
	}
	if sp.NodePort != 0 {
		b.addVerdict(mapServiceNodePorts, mapNoEndpointNodePorts, Element{Proto: sp.Proto, Port: sp.NodePort, Verdict: external})
	}
}

// addVerdict puts a goto element in the dispatch map and a drop or reject
// element in the filter-side map.
func (b *builder) addVerdict(dispatch, noEndpoint string, e Element) {
	if e.Verdict.Kind == VerdictGoto && e.Verdict.Chain != chainReject {
		b.addElement(dispatch, e)
		return
	}
	b.addElement(noEndpoint, e)
}

func (b *builder) reject() Verdict { return Verdict{Kind: VerdictGoto, Chain: chainReject} }

// pickChain is a chain choosing one of eps: clients with a live affinity
// entry go back to their endpoint, the rest by numgen. clusterIPMasq adds
// the masquerade mark for ClusterIP traffic from outside the cluster CIDR.
func (b *builder) pickChain(name string, sp *servicePort, eps []netip.AddrPort, clusterIPMasq bool) {
	var rules []Rule
	if clusterIPMasq && sp.ClusterIP.IsValid() {
		r := rule(MatchAddr{Field: Daddr, Prefix: netip.PrefixFrom(sp.ClusterIP, 32)})
		if b.node.ClusterCIDR.IsValid() {
			r = append(r, MatchAddr{Field: Saddr, Prefix: b.node.ClusterCIDR.Masked(), Not: true})
		}
		rules = append(rules, append(r, jump(chainMarkForMasq)))
	}
	targets := make([]string, len(eps))
	for i, ep := range eps {
		targets[i] = endpointChainName(sp.ID, ep)
		b.endpointChain(sp, ep)
		if sp.Affinity > 0 {
			rules = append(rules, rule(MatchAddrInSet{Field: Saddr, Set: affinitySetName(sp.ID, ep)}, gotoChain(targets[i])))
		}
	}
	for i, t := range targets[:len(targets)-1] {
		rules = append(rules, rule(NumgenMatch{Random: sp.RandomPick, Modulus: uint32(len(targets) - i)}, gotoChain(t)))
	}
	rules = append(rules, rule(gotoChain(targets[len(targets)-1])))
	b.addChain(&Chain{Name: name, Rules: rules})
}

// endpointChain DNATs to one endpoint; a pod reaching itself through its
// Service (hairpin) is masqueraded so the reply comes back through the
// node. Added once even when both the cluster and the local chain use it.
func (b *builder) endpointChain(sp *servicePort, ep netip.AddrPort) {
	name := endpointChainName(sp.ID, ep)
	if b.chains[name] != nil {
		return
	}
	rules := []Rule{rule(MatchAddr{Field: Saddr, Prefix: netip.PrefixFrom(ep.Addr(), 32)}, jump(chainMarkForMasq))}
	if sp.Affinity > 0 {
		set := affinitySetName(sp.ID, ep)
		b.addSet(&Set{Name: set, Key: KeyAddr, Timeout: sp.Affinity})
		rules = append(rules, rule(UpdateSet{Set: set}))
	}
	rules = append(rules, rule(MatchL4Proto{Proto: sp.Proto}, DNAT{Addr: ep.Addr(), Port: ep.Port()}))
	b.addChain(&Chain{Name: name, Rules: rules})
}

// externalChain handles NodePort, externalIP and load-balancer traffic.
// Cluster policy masquerades and uses every endpoint. Local policy keeps
// the client IP and uses only this node's endpoints (drop if none) — except
// for pods and the node itself, which are served like ClusterIP traffic.
func (b *builder) externalChain(sp *servicePort, internal Verdict, haveLocal bool) {
	var rules []Rule
	if !sp.ETPLocal {
		rules = append(rules,
			rule(jump(chainMarkForMasq)),
			rule(gotoChain(serviceChainName(sp.ID))))
		b.addChain(&Chain{Name: externalChainName(sp.ID), Rules: rules})
		return
	}
	if internal.Kind == VerdictGoto {
		if b.node.ClusterCIDR.IsValid() {
			rules = append(rules, rule(MatchAddr{Field: Saddr, Prefix: b.node.ClusterCIDR.Masked()}, VerdictStmt{internal}))
		}
		rules = append(rules,
			rule(MatchFibSaddrLocal{}, jump(chainMarkForMasq)),
			rule(MatchFibSaddrLocal{}, VerdictStmt{internal}))
	}
	if haveLocal {
		rules = append(rules, rule(gotoChain(localChainName(sp.ID))))
	} else {
		rules = append(rules, rule(drop()))
	}
	b.addChain(&Chain{Name: externalChainName(sp.ID), Rules: rules})
}

// firewall enforces loadBalancerSourceRanges: traffic to a load-balancer IP
// of the port is sent (before DNAT) to a chain that lets the allowed
// sources through and drops the rest, as kube-proxy does. Without
// endpoints too: the ranges say who may even learn that.
func (b *builder) firewall(sp *servicePort) {
	if len(sp.SourceRanges) == 0 || len(sp.LBIPs) == 0 {
		return
	}
	name := firewallChainName(sp.ID)
	var rules []Rule
	for _, p := range sp.SourceRanges {
		rules = append(rules, rule(MatchAddr{Field: Saddr, Prefix: p}, ret()))
	}
	b.addChain(&Chain{Name: name, Rules: append(rules, rule(drop()))})
	for _, a := range sp.LBIPs {
		b.addElement(mapFirewallIPs, Element{Addr: a, Proto: sp.Proto, Port: sp.Port, Verdict: Verdict{Kind: VerdictGoto, Chain: name}})
	}
}
