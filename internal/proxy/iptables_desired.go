package proxy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// IPTChain is one chain of the iptables mode: its table ("nat" or
// "filter"), name (always BERTH-…) and rules as iptables-restore lines
// without the "-A CHAIN" head.
type IPTChain struct {
	Table string
	Name  string
	Rules []string
}

// Fixed chains of the iptables mode.
const (
	iptServices    = "BERTH-SERVICES"    // nat: service IPs → service chains
	iptNodePorts   = "BERTH-NODEPORTS"   // nat: NodePorts on local addresses
	iptPostrouting = "BERTH-POSTROUTING" // nat: masquerade marked packets
	iptMarkMasq    = "BERTH-MARK-MASQ"   // nat: set the masquerade bit
	iptFilter      = "BERTH-FILTER"      // filter: new connections without endpoints, firewalls
	iptReject      = "BERTH-REJECT"      // filter: refuse at once
)

// iptHook is a jump from a built-in chain to one of ours, as iptables-save
// prints it; the mode keeps exactly one of each, first in its chain.
type iptHook struct {
	Table, Chain, Spec string
}

var iptHooks = []iptHook{
	{"nat", "PREROUTING", "-m comment --comment \"berth service portals\" -j " + iptServices},
	{"nat", "OUTPUT", "-m comment --comment \"berth service portals\" -j " + iptServices},
	{"nat", "POSTROUTING", "-m comment --comment \"berth masquerade\" -j " + iptPostrouting},
	{"filter", "INPUT", "-m conntrack --ctstate NEW -m comment --comment \"berth service checks\" -j " + iptFilter},
	{"filter", "FORWARD", "-m conntrack --ctstate NEW -m comment --comment \"berth service checks\" -j " + iptFilter},
	{"filter", "OUTPUT", "-m conntrack --ctstate NEW -m comment --comment \"berth service checks\" -j " + iptFilter},
}

// DesiredIPTables is the iptables mode's counterpart of Desired: the same
// Services and endpoints with the same semantics (ClusterIP, NodePort,
// external and load-balancer IPs, traffic policies, masquerading, reject
// without endpoints, ClientIP affinity through the recent match,
// round-robin through statistic nth, random through statistic random,
// loadBalancerSourceRanges), as chains of our own. Pure; the Ruleset has
// only IPTables (and the UDP state for conntrack clean-up).
func DesiredIPTables(services []*corev1.Service, slices_ []*discoveryv1.EndpointSlice, node NodeInfo, opts Options) *Ruleset {
	opts = opts.withDefaults()
	b := &iptBuilder{node: node, opts: opts, chains: map[string]*IPTChain{}, udp: udpState{}}
	b.fixed()
	bySvc := slicesByService(slices_)
	sorted := slices.Clone(services)
	slices.SortFunc(sorted, func(a, b *corev1.Service) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	for _, svc := range sorted {
		for _, sp := range servicePorts(svc, opts) {
			b.servicePort(sp, endpointsFor(bySvc[svc.Namespace+"/"+svc.Name], sp.PortName, sp.Proto, node))
		}
	}
	return b.finish()
}

type iptBuilder struct {
	node   NodeInfo
	opts   Options
	chains map[string]*IPTChain
	order  []*IPTChain
	udp    udpState
	// filter rules in the order they must run: firewalls, per-port
	// verdicts, then the catch-all for undefined ClusterIP ports.
	firewalls, noEndpoints, clusterIPs []string
	serviceRules                       []string // BERTH-SERVICES, before the NodePort jump
}

func (b *iptBuilder) chain(table, name string, rules ...string) *IPTChain {
	c := &IPTChain{Table: table, Name: name, Rules: rules}
	b.chains[name] = c
	b.order = append(b.order, c)
	return c
}

func (b *iptBuilder) fixed() {
	bit := b.opts.MasqueradeBit
	b.chain("nat", iptMarkMasq, fmt.Sprintf("-j MARK --or-mark 0x%x", bit))
	b.chain("nat", iptPostrouting,
		fmt.Sprintf("-m mark ! --mark 0x%x/0x%x -j RETURN", bit, bit),
		fmt.Sprintf("-j MARK --xor-mark 0x%x", bit),
		"-j MASQUERADE --random-fully")
	b.chain("filter", iptReject,
		"-p tcp -j REJECT --reject-with tcp-reset",
		"-j REJECT --reject-with icmp-port-unreachable")
}

func (b *iptBuilder) finish() *Ruleset {
	b.chain("nat", iptServices, append(b.serviceRules,
		"-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j "+iptNodePorts)...)
	if b.chains[iptNodePorts] == nil {
		b.chain("nat", iptNodePorts)
	}
	b.chain("filter", iptFilter, slices.Concat(b.firewalls, b.noEndpoints, b.clusterIPs)...)
	slices.SortFunc(b.order, func(x, y *IPTChain) int {
		return strings.Compare(x.Table+" "+x.Name, y.Table+" "+y.Name)
	})
	return &Ruleset{IPTables: b.order, udp: b.udp}
}

// iptName is a chain name of at most 28 characters (iptables' limit):
// prefix and a hash of the service port (and endpoint).
func iptName(prefix, key string) string {
	return "BERTH-" + prefix + "-" + hashID16(key)
}

// match is "-d ADDR/32 -p PROTO -m PROTO --dport PORT".
func iptMatch(addr netip.Addr, proto Protocol, port uint16) string {
	return fmt.Sprintf("-d %s/32 -p %s -m %s --dport %d", addr, proto, proto, port)
}

func iptComment(sp *servicePort) string { return fmt.Sprintf("-m comment --comment \"%s\"", sp.ID) }

func (b *iptBuilder) servicePort(sp *servicePort, eps []endpoint) {
	all := usable(eps, false)
	var local []netip.AddrPort
	if sp.ITPLocal || sp.ETPLocal {
		local = usable(eps, true)
	}
	b.udp.record(sp, all, local)
	b.firewall(sp)
	if sp.ClusterIP.IsValid() {
		b.clusterIPs = appendUnique(b.clusterIPs, fmt.Sprintf("-d %s/32 -j %s", sp.ClusterIP, iptReject))
	}
	if len(all) == 0 {
		b.noEndpoint(sp, true, true, "-j "+iptReject)
		return
	}
	svcChain, localChain, extChain := iptName("SVC", sp.ID), iptName("LOCAL", sp.ID), iptName("EXT", sp.ID)
	internal := svcChain
	if sp.ITPLocal {
		internal = "" // endpoints exist, none here: drop
		if len(local) > 0 {
			internal = localChain
		}
	}
	if !sp.ITPLocal || (sp.hasExternal() && !sp.ETPLocal) {
		b.pickChain(svcChain, sp, all, !sp.ITPLocal)
	}
	if len(local) > 0 {
		b.pickChain(localChain, sp, local, sp.ITPLocal)
	}
	if sp.ClusterIP.IsValid() {
		if internal == "" {
			b.noEndpoint(sp, true, false, "-j DROP")
		} else {
			b.serviceRules = append(b.serviceRules, iptMatch(sp.ClusterIP, sp.Proto, sp.Port)+" "+iptComment(sp)+" -j "+internal)
		}
	}
	if !sp.hasExternal() {
		return
	}
	b.externalChain(extChain, svcChain, internal, sp, len(local) > 0)
	for _, a := range sp.External {
		b.serviceRules = append(b.serviceRules, iptMatch(a, sp.Proto, sp.Port)+" "+iptComment(sp)+" -j "+extChain)
	}
	if sp.NodePort != 0 {
		np := b.chains[iptNodePorts]
		if np == nil {
			np = b.chain("nat", iptNodePorts)
		}
		np.Rules = append(np.Rules, fmt.Sprintf("-p %s -m %s --dport %d %s -j %s", sp.Proto, sp.Proto, sp.NodePort, iptComment(sp), extChain))
	}
	if sp.ETPLocal && len(local) == 0 {
		// The external chain leaves outside clients un-NATed; they are
		// dropped here (the nat table cannot drop).
		b.noEndpoint(sp, false, true, "-j DROP")
	}
}

// noEndpoint adds filter rules for a port's frontends that must not be
// served: the ClusterIP (internal) and/or the external IPs and NodePort.
func (b *iptBuilder) noEndpoint(sp *servicePort, internal, external bool, verdict string) {
	c := " " + iptComment(sp) + " " + verdict
	if internal && sp.ClusterIP.IsValid() {
		b.noEndpoints = append(b.noEndpoints, iptMatch(sp.ClusterIP, sp.Proto, sp.Port)+c)
	}
	if !external || !sp.hasExternal() {
		return
	}
	for _, a := range sp.External {
		b.noEndpoints = append(b.noEndpoints, iptMatch(a, sp.Proto, sp.Port)+c)
	}
	if sp.NodePort != 0 {
		b.noEndpoints = append(b.noEndpoints, fmt.Sprintf("-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -p %s -m %s --dport %d%s", sp.Proto, sp.Proto, sp.NodePort, c))
	}
}

// pickChain chooses an endpoint: affinity first (recent), then statistic
// rules; rule i of N matches 1/(N-i) of what reaches it, so random gives
// each endpoint 1/N and nth (each rule counting on its own) cycles them in
// a fixed order, as numgen does in the nftables mode.
func (b *iptBuilder) pickChain(name string, sp *servicePort, eps []netip.AddrPort, clusterIPMasq bool) {
	var rules []string
	if clusterIPMasq && sp.ClusterIP.IsValid() {
		r := fmt.Sprintf("-d %s/32", sp.ClusterIP)
		if b.node.ClusterCIDR.IsValid() {
			r += fmt.Sprintf(" ! -s %s", b.node.ClusterCIDR.Masked())
		}
		rules = append(rules, r+" -j "+iptMarkMasq)
	}
	targets := make([]string, len(eps))
	for i, ep := range eps {
		targets[i] = iptName("SEP", sp.ID+ep.String())
		b.endpointChain(targets[i], sp, ep)
		if sp.Affinity > 0 {
			rules = append(rules, fmt.Sprintf("-m recent --name %s --rcheck --seconds %d --reap -j %s", targets[i], int(sp.Affinity.Seconds()), targets[i]))
		}
	}
	for i, t := range targets[:len(targets)-1] {
		n := len(targets) - i
		if sp.RandomPick {
			rules = append(rules, fmt.Sprintf("-m statistic --mode random --probability %0.10f -j %s", 1/float64(n), t))
		} else {
			rules = append(rules, fmt.Sprintf("-m statistic --mode nth --every %d --packet 0 -j %s", n, t))
		}
	}
	rules = append(rules, "-j "+targets[len(targets)-1])
	b.chain("nat", name, rules...)
}

// endpointChain DNATs to one endpoint (once, even when both the cluster and
// the local chain use it); hairpin traffic is masqueraded.
func (b *iptBuilder) endpointChain(name string, sp *servicePort, ep netip.AddrPort) {
	if b.chains[name] != nil {
		return
	}
	dnat := fmt.Sprintf("-p %s", sp.Proto)
	if sp.Affinity > 0 {
		dnat += " -m recent --name " + name + " --set"
	}
	dnat += fmt.Sprintf(" -j DNAT --to-destination %s", ep)
	b.chain("nat", name, fmt.Sprintf("-s %s/32 -j %s", ep.Addr(), iptMarkMasq), dnat)
}

// externalChain: policy Cluster masquerades and uses every endpoint; Local
// serves pods and the node itself like ClusterIP traffic and everyone else
// from this node's endpoints only (or not at all: see noEndpoint).
func (b *iptBuilder) externalChain(name, svcChain, internal string, sp *servicePort, haveLocal bool) {
	if !sp.ETPLocal {
		b.chain("nat", name, "-j "+iptMarkMasq, "-j "+svcChain)
		return
	}
	var rules []string
	if internal != "" {
		if b.node.ClusterCIDR.IsValid() {
			rules = append(rules, fmt.Sprintf("-s %s -j %s", b.node.ClusterCIDR.Masked(), internal))
		}
		rules = append(rules,
			"-m addrtype --src-type LOCAL -j "+iptMarkMasq,
			"-m addrtype --src-type LOCAL -j "+internal)
	}
	if haveLocal {
		rules = append(rules, "-j "+iptName("LOCAL", sp.ID))
	}
	b.chain("nat", name, rules...)
}

// firewall enforces loadBalancerSourceRanges in the filter table, on the
// connection's original destination (the load-balancer IP, before DNAT).
func (b *iptBuilder) firewall(sp *servicePort) {
	if len(sp.SourceRanges) == 0 || len(sp.LBIPs) == 0 {
		return
	}
	name := iptName("FW", sp.ID)
	var rules []string
	for _, p := range sp.SourceRanges {
		rules = append(rules, fmt.Sprintf("-s %s -j RETURN", p))
	}
	b.chain("filter", name, append(rules, "-j DROP")...)
	for _, a := range sp.LBIPs {
		b.firewalls = append(b.firewalls, fmt.Sprintf("-p %s -m conntrack --ctorigdst %s/32 --ctorigdstport %d %s -j %s", sp.Proto, a, sp.Port, iptComment(sp), name))
	}
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
