package proxy

import (
	"net/netip"
	"slices"
	"time"
)

// Ruleset is the desired content of the proxy's nftables table: a pure value
// that Desired builds and the Proxier applies. Chains and Sets are sorted by
// name, so two Rulesets built from the same input are equal and String
// renders them identically.
type Ruleset struct {
	// Table is the table name (family ip).
	Table  string
	Sets   []*Set
	Chains []*Chain
	// IPTables holds the chains of the iptables mode (DesiredIPTables)
	// instead of Sets and Chains.
	IPTables []*IPTChain

	udp udpState // UDP frontends and endpoints, for conntrack clean-up
}

// Chain is one nftables chain. A base chain has a Hook.
type Chain struct {
	Name  string
	Hook  *Hook
	Rules []Rule
}

// Hook makes a chain a base chain.
type Hook struct {
	Type     string // "nat" or "filter"
	Hook     string // "prerouting", "input", "forward", "output", "postrouting"
	Priority int32  // numeric; dstnat = -100, srcnat = 100, filter = 0
}

// Rule is a list of statements, matches first, evaluated left to right.
type Rule []Stmt

// KeyType is the key of a set or map.
type KeyType int

const (
	// KeyAddr is ipv4_addr.
	KeyAddr KeyType = iota
	// KeyProtoPort is inet_proto . inet_service.
	KeyProtoPort
	// KeyAddrProtoPort is ipv4_addr . inet_proto . inet_service.
	KeyAddrProtoPort
	// KeyIndex is a host-endian 32-bit number: numgen's result.
	KeyIndex
)

// Set is a named set (Verdicts false) or verdict map (Verdicts true).
type Set struct {
	Name     string
	Key      KeyType
	Verdicts bool
	// Timeout > 0 makes a dynamic set whose elements expire (session
	// affinity); such sets are filled by the packet path, never by us.
	Timeout  time.Duration
	Comment  string
	Elements []Element // sorted by key
}

// Element is one set or map element. Which key fields count depends on the
// set's KeyType.
type Element struct {
	Addr    netip.Addr
	Proto   Protocol
	Port    uint16
	Index   uint32  // KeyIndex
	Verdict Verdict // maps only
}

// Protocol is an IP protocol number carried by a Service port.
type Protocol uint8

// Protocols a Service port can have.
const (
	ProtoTCP  Protocol = 6
	ProtoUDP  Protocol = 17
	ProtoSCTP Protocol = 132
)

func (p Protocol) String() string {
	switch p {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoSCTP:
		return "sctp"
	}
	return "unknown"
}

// VerdictKind is what a verdict does.
type VerdictKind int

// Verdicts used by the proxy.
const (
	VerdictNone VerdictKind = iota
	VerdictJump
	VerdictGoto
	VerdictDrop
	VerdictReturn
	VerdictAccept
)

// Verdict is a terminal statement or a map value.
type Verdict struct {
	Kind  VerdictKind
	Chain string // for jump and goto
}

// Chain returns the chain called name, or nil.
func (r *Ruleset) Chain(name string) *Chain {
	i, ok := slices.BinarySearchFunc(r.Chains, name, func(c *Chain, n string) int { return compareStrings(c.Name, n) })
	if !ok {
		return nil
	}
	return r.Chains[i]
}

// Set returns the set or map called name, or nil.
func (r *Ruleset) Set(name string) *Set {
	i, ok := slices.BinarySearchFunc(r.Sets, name, func(s *Set, n string) int { return compareStrings(s.Name, n) })
	if !ok {
		return nil
	}
	return r.Sets[i]
}

// NumRules counts rules over all chains (a metric).
func (r *Ruleset) NumRules() int {
	n := 0
	for _, c := range r.Chains {
		n += len(c.Rules)
	}
	for _, c := range r.IPTables {
		n += len(c.Rules)
	}
	return n
}

// NumElements counts elements over all sets and maps (a metric).
func (r *Ruleset) NumElements() int {
	n := 0
	for _, s := range r.Sets {
		n += len(s.Elements)
	}
	return n
}

// sort puts chains, sets and elements in their canonical order.
func (r *Ruleset) sort() {
	slices.SortFunc(r.Chains, func(a, b *Chain) int { return compareStrings(a.Name, b.Name) })
	slices.SortFunc(r.Sets, func(a, b *Set) int { return compareStrings(a.Name, b.Name) })
	for _, s := range r.Sets {
		slices.SortFunc(s.Elements, func(a, b Element) int { return compareStrings(s.keyString(a), s.keyString(b)) })
		// One ClusterIP with several ports is one cluster-ips element.
		s.Elements = slices.CompactFunc(s.Elements, func(a, b Element) bool { return s.keyString(a) == s.keyString(b) })
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sortStrings(s []string) { slices.Sort(s) }
