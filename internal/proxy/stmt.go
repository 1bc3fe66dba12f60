package proxy

import (
	"fmt"
	"net/netip"
	"strings"
)

// Stmt is one match or statement of a rule. Each kind renders as nft(8)
// syntax (render) and compiles to kernel expressions (compile.go).
type Stmt interface {
	render(b *strings.Builder)
	compile(c *ruleCompiler) error
}

// AddrField selects the IPv4 source or destination address.
type AddrField int

// Address fields.
const (
	Saddr AddrField = iota
	Daddr
)

func (f AddrField) String() string {
	if f == Saddr {
		return "saddr"
	}
	return "daddr"
}

// MatchAddr matches "ip saddr|daddr [!=] prefix" (a /32 renders as a plain
// address).
type MatchAddr struct {
	Field  AddrField
	Prefix netip.Prefix
	Not    bool
}

// MatchAddrInSet matches "ip saddr|daddr @set".
type MatchAddrInSet struct {
	Field AddrField
	Set   string
}

// MatchL4Proto matches "meta l4proto tcp".
type MatchL4Proto struct{ Proto Protocol }

// MatchFibDaddrLocal matches "fib daddr type local": the packet is for one
// of this node's own addresses.
type MatchFibDaddrLocal struct{}

// MatchFibSaddrLocal matches "fib saddr type local": the packet comes from
// one of this node's own addresses (a host-network process).
type MatchFibSaddrLocal struct{}

// MatchCtStateNew matches "ct state new".
type MatchCtStateNew struct{}

// MatchMarkClear matches "meta mark & bit == 0".
type MatchMarkClear struct{ Bit uint32 }

// ServiceVmap is "ip daddr . meta l4proto . th dport vmap @map".
type ServiceVmap struct{ Map string }

// PortVmap is "meta l4proto . th dport vmap @map".
type PortVmap struct{ Map string }

// NumgenMatch is "numgen inc|random mod N == 0". A service chain with N
// endpoints has N-1 such rules, rule i being "mod N-i == 0 goto ep-i", and a
// plain goto last:
//
//   - random: endpoint i is taken with probability 1/(N-i) of what is left,
//     so each with 1/N (iptables' statistic chains, without floats);
//   - round-robin: each rule has its own counter, so the rules cycle the
//     endpoints in a fixed order, one per new connection.
//
// Only the first packet of a connection walks these rules, and their number
// grows with this Service's endpoints, never with the number of Services.
// An anonymous verdict map per chain ("numgen … vmap { … }") would be one
// lookup, but the kernel names every anonymous set by scanning all sets of
// the table, which made a full load of 10k Services take 49 s; one shared
// named map costs even more (the kernel walks a whole verdict map each time
// a chain starts using it).
type NumgenMatch struct {
	Random  bool
	Modulus uint32
}

// SetMarkOr is "meta mark set meta mark | bit".
type SetMarkOr struct{ Bit uint32 }

// SetMarkXor is "meta mark set meta mark ^ bit" (clears a bit known set).
type SetMarkXor struct{ Bit uint32 }

// Masquerade is "masquerade fully-random".
type Masquerade struct{}

// DNAT is "dnat to addr:port".
type DNAT struct {
	Addr netip.Addr
	Port uint16
}

// UpdateSet is "update @set { ip saddr }": refresh the client's entry of a
// session-affinity set.
type UpdateSet struct{ Set string }

// Reject is "reject with tcp reset" (TCPReset) or "reject with icmp
// port-unreachable".
type Reject struct{ TCPReset bool }

// VerdictStmt is a verdict: jump, goto, drop, return, accept.
type VerdictStmt struct{ Verdict }

func (s MatchAddr) render(b *strings.Builder) {
	fmt.Fprintf(b, "ip %s ", s.Field)
	if s.Not {
		b.WriteString("!= ")
	}
	if s.Prefix.IsSingleIP() {
		b.WriteString(s.Prefix.Addr().String())
	} else {
		b.WriteString(s.Prefix.String())
	}
}

func (s MatchAddrInSet) render(b *strings.Builder) { fmt.Fprintf(b, "ip %s @%s", s.Field, s.Set) }
func (s MatchL4Proto) render(b *strings.Builder)   { fmt.Fprintf(b, "meta l4proto %s", s.Proto) }
func (MatchFibDaddrLocal) render(b *strings.Builder) {
	b.WriteString("fib daddr type local")
}
func (MatchFibSaddrLocal) render(b *strings.Builder) {
	b.WriteString("fib saddr type local")
}
func (MatchCtStateNew) render(b *strings.Builder) { b.WriteString("ct state new") }
func (s MatchMarkClear) render(b *strings.Builder) {
	fmt.Fprintf(b, "meta mark & 0x%08x == 0", s.Bit)
}
func (s ServiceVmap) render(b *strings.Builder) {
	fmt.Fprintf(b, "ip daddr . meta l4proto . th dport vmap @%s", s.Map)
}
func (s PortVmap) render(b *strings.Builder) {
	fmt.Fprintf(b, "meta l4proto . th dport vmap @%s", s.Map)
}
func (s NumgenMatch) render(b *strings.Builder) {
	mode := "inc"
	if s.Random {
		mode = "random"
	}
	fmt.Fprintf(b, "numgen %s mod %d == 0", mode, s.Modulus)
}
func (s SetMarkOr) render(b *strings.Builder) {
	fmt.Fprintf(b, "meta mark set meta mark | 0x%08x", s.Bit)
}
func (s SetMarkXor) render(b *strings.Builder) {
	fmt.Fprintf(b, "meta mark set meta mark ^ 0x%08x", s.Bit)
}
func (Masquerade) render(b *strings.Builder) { b.WriteString("masquerade fully-random") }
func (s DNAT) render(b *strings.Builder)     { fmt.Fprintf(b, "dnat to %s:%d", s.Addr, s.Port) }
func (s UpdateSet) render(b *strings.Builder) {
	fmt.Fprintf(b, "update @%s { ip saddr }", s.Set)
}
func (s Reject) render(b *strings.Builder) {
	if s.TCPReset {
		b.WriteString("reject with tcp reset")
	} else {
		b.WriteString("reject with icmp port-unreachable")
	}
}
func (s VerdictStmt) render(b *strings.Builder) { b.WriteString(s.Verdict.String()) }

func (v Verdict) String() string {
	switch v.Kind {
	case VerdictJump:
		return "jump " + v.Chain
	case VerdictGoto:
		return "goto " + v.Chain
	case VerdictDrop:
		return "drop"
	case VerdictReturn:
		return "return"
	case VerdictAccept:
		return "accept"
	}
	return "continue"
}

// String renders one rule as nft(8) syntax.
func (r Rule) String() string {
	var b strings.Builder
	for i, s := range r {
		if i > 0 {
			b.WriteByte(' ')
		}
		s.render(&b)
	}
	return b.String()
}

// refs returns the chains and sets a rule refers to (for the diff: a chain
// that refers to a re-created set must be rewritten too).
func (r Rule) refs() (chains, sets []string) {
	for _, s := range r {
		switch s := s.(type) {
		case MatchAddrInSet:
			sets = append(sets, s.Set)
		case UpdateSet:
			sets = append(sets, s.Set)
		case ServiceVmap:
			sets = append(sets, s.Map)
		case PortVmap:
			sets = append(sets, s.Map)
		case VerdictStmt:
			if s.Chain != "" {
				chains = append(chains, s.Chain)
			}
		}
	}
	return chains, sets
}

// Convenience constructors used by Desired.
func jump(chain string) Stmt { return VerdictStmt{Verdict{Kind: VerdictJump, Chain: chain}} }
func gotoChain(chain string) Stmt {
	return VerdictStmt{Verdict{Kind: VerdictGoto, Chain: chain}}
}
func drop() Stmt          { return VerdictStmt{Verdict{Kind: VerdictDrop}} }
func ret() Stmt           { return VerdictStmt{Verdict{Kind: VerdictReturn}} }
func rule(s ...Stmt) Rule { return Rule(s) }
