package proxy

import "net/netip"

// builder accumulates a Ruleset for Desired.
type builder struct {
	node   NodeInfo
	opts   Options
	rs     *Ruleset
	chains map[string]*Chain
	sets   map[string]*Set
}

func newBuilder(node NodeInfo, opts Options) *builder {
	b := &builder{
		node:   node,
		opts:   opts,
		rs:     &Ruleset{Table: TableName, udp: udpState{}},
		chains: map[string]*Chain{},
		sets:   map[string]*Set{},
	}
	b.baseChains()
	return b
}

func (b *builder) addChain(c *Chain) {
	b.chains[c.Name] = c
	b.rs.Chains = append(b.rs.Chains, c)
}

func (b *builder) addSet(s *Set) {
	if b.sets[s.Name] != nil {
		return
	}
	b.sets[s.Name] = s
	b.rs.Sets = append(b.rs.Sets, s)
}

func (b *builder) addElement(set string, e Element) {
	s := b.sets[set]
	switch s.Key {
	case KeyAddr:
		e.Proto, e.Port, e.Index = 0, 0, 0
	case KeyProtoPort:
		e.Addr, e.Index = netip.Addr{}, 0
	case KeyAddrProtoPort:
		e.Index = 0
	case KeyIndex:
		e.Addr, e.Proto, e.Port = netip.Addr{}, 0, 0
	}
	s.Elements = append(s.Elements, e)
}

// loopback is excluded from NodePorts: DNAT from 127.0.0.0/8 to a pod
// would need route_localnet, which kube-proxy's nftables mode gives up too.
var loopback = netip.MustParsePrefix("127.0.0.0/8")

// baseChains adds the fixed skeleton: hooks, dispatch, masquerading and
// the checks that reject or drop traffic without endpoints.
func (b *builder) baseChains() {
	bit := b.opts.MasqueradeBit
	b.addSet(&Set{Name: mapServiceIPs, Key: KeyAddrProtoPort, Verdicts: true, Comment: "ClusterIP, external IP and load-balancer IP to service chain"})
	b.addSet(&Set{Name: mapServiceNodePorts, Key: KeyProtoPort, Verdicts: true, Comment: "NodePort on a local address to service chain"})
	b.addSet(&Set{Name: mapNoEndpointServices, Key: KeyAddrProtoPort, Verdicts: true, Comment: "service IPs without usable endpoints: reject or drop"})
	b.addSet(&Set{Name: mapNoEndpointNodePorts, Key: KeyProtoPort, Verdicts: true, Comment: "NodePorts without usable endpoints: reject or drop"})
	b.addSet(&Set{Name: setClusterIPs, Key: KeyAddr, Comment: "allocated ClusterIPs: other ports are rejected"})
	b.addSet(&Set{Name: mapFirewallIPs, Key: KeyAddrProtoPort, Verdicts: true, Comment: "load-balancer IPs with loadBalancerSourceRanges to their firewall chain"})

	ctNew := MatchCtStateNew{}
	chains := []*Chain{
		{Name: chainNatPrerouting, Hook: &Hook{Type: "nat", Hook: "prerouting", Priority: -100}, Rules: []Rule{rule(jump(chainServices))}},
		{Name: chainNatOutput, Hook: &Hook{Type: "nat", Hook: "output", Priority: -100}, Rules: []Rule{rule(jump(chainServices))}},
		{Name: chainNatPostrouting, Hook: &Hook{Type: "nat", Hook: "postrouting", Priority: 100}, Rules: []Rule{rule(jump(chainMasquerading))}},
		{Name: chainFilterInput, Hook: &Hook{Type: "filter", Hook: "input", Priority: -10}, Rules: []Rule{
			rule(ctNew, jump(chainEndpointsCheck)),
			rule(ctNew, jump(chainNodePortsCheck)),
		}},
		{Name: chainFilterForward, Hook: &Hook{Type: "filter", Hook: "forward", Priority: -10}, Rules: []Rule{
			rule(ctNew, jump(chainEndpointsCheck)),
			rule(ctNew, jump(chainClusterIPsCheck)),
		}},
		{Name: chainFilterOutput, Hook: &Hook{Type: "filter", Hook: "output", Priority: -10}, Rules: []Rule{
			rule(ctNew, jump(chainEndpointsCheck)),
			rule(ctNew, jump(chainClusterIPsCheck)),
			rule(ctNew, jump(chainNodePortsCheck)),
		}},
		// Before DNAT (dstnat - 10): the firewall sees the load-balancer IP.
		{Name: chainFilterPreDNAT, Hook: &Hook{Type: "filter", Hook: "prerouting", Priority: -110}, Rules: []Rule{rule(jump(chainFirewallCheck))}},
		{Name: chainOutputPreDNAT, Hook: &Hook{Type: "filter", Hook: "output", Priority: -110}, Rules: []Rule{rule(jump(chainFirewallCheck))}},
		{Name: chainFirewallCheck, Rules: []Rule{rule(ServiceVmap{Map: mapFirewallIPs})}},
		{Name: chainServices, Rules: []Rule{
			rule(ServiceVmap{Map: mapServiceIPs}),
			rule(MatchFibDaddrLocal{}, MatchAddr{Field: Daddr, Prefix: loopback, Not: true}, PortVmap{Map: mapServiceNodePorts}),
		}},
		{Name: chainMasquerading, Rules: []Rule{
			rule(MatchMarkClear{Bit: bit}, ret()),
			rule(SetMarkXor{Bit: bit}),
			rule(Masquerade{}),
		}},
		{Name: chainMarkForMasq, Rules: []Rule{rule(SetMarkOr{Bit: bit})}},
		{Name: chainReject, Rules: []Rule{
			rule(MatchL4Proto{Proto: ProtoTCP}, Reject{TCPReset: true}),
			rule(Reject{}),
		}},
		{Name: chainEndpointsCheck, Rules: []Rule{rule(ServiceVmap{Map: mapNoEndpointServices})}},
		{Name: chainNodePortsCheck, Rules: []Rule{
			rule(MatchFibDaddrLocal{}, MatchAddr{Field: Daddr, Prefix: loopback, Not: true}, PortVmap{Map: mapNoEndpointNodePorts}),
		}},
		{Name: chainClusterIPsCheck, Rules: []Rule{rule(MatchAddrInSet{Field: Daddr, Set: setClusterIPs}, gotoChain(chainReject))}},
	}
	for _, c := range chains {
		b.addChain(c)
	}
}
