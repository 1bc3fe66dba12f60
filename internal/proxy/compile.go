package proxy

import (
	"encoding/binary"
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// Registers: reg 1 is the first 128-bit register, which overlaps the 32-bit
// registers 8..11 that concatenated keys are packed into.
const (
	reg1     = 1
	reg2     = 2
	reg32_01 = 9
	reg32_02 = 10
)

// ruleCompiler turns Stmts into google/nftables expressions. Anonymous
// verdict maps (numgen) are queued on conn before the rule that uses them.
type ruleCompiler struct {
	conn  *nftables.Conn
	table *nftables.Table
	exprs []expr.Any
}

func (c *ruleCompiler) add(e ...expr.Any) { c.exprs = append(c.exprs, e...) }

// compileRule compiles one rule.
func compileRule(conn *nftables.Conn, table *nftables.Table, r Rule) ([]expr.Any, error) {
	c := &ruleCompiler{conn: conn, table: table}
	for _, s := range r {
		if err := s.compile(c); err != nil {
			return nil, fmt.Errorf("compile %q: %w", r.String(), err)
		}
	}
	return c.exprs, nil
}

func addrOffset(f AddrField) uint32 {
	if f == Saddr {
		return 12
	}
	return 16
}

func loadAddr(f AddrField, reg uint32) expr.Any {
	return &expr.Payload{DestRegister: reg, Base: expr.PayloadBaseNetworkHeader, Offset: addrOffset(f), Len: 4}
}

func loadL4Proto(reg uint32) expr.Any { return &expr.Meta{Key: expr.MetaKeyL4PROTO, Register: reg} }

func loadDport(reg uint32) expr.Any {
	return &expr.Payload{DestRegister: reg, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2}
}

func native32(v uint32) []byte { return binaryutil.NativeEndian.PutUint32(v) }

func (s MatchAddr) compile(c *ruleCompiler) error {
	op := expr.CmpOpEq
	if s.Not {
		op = expr.CmpOpNeq
	}
	// Like nft(8): load only the bytes the prefix covers, mask a partial
	// last byte.
	p := s.Prefix.Masked()
	n := uint32(p.Bits()+7) / 8
	a := p.Addr().As4()
	c.add(&expr.Payload{DestRegister: reg1, Base: expr.PayloadBaseNetworkHeader, Offset: addrOffset(s.Field), Len: n})
	if p.Bits()%8 != 0 {
		mask := make([]byte, 4)
		binary.BigEndian.PutUint32(mask, ^uint32(0)<<(32-p.Bits()))
		c.add(&expr.Bitwise{SourceRegister: reg1, DestRegister: reg1, Len: n, Mask: mask[:n], Xor: make([]byte, n)})
	}
	c.add(&expr.Cmp{Op: op, Register: reg1, Data: a[:n]})
	return nil
}

func (s MatchAddrInSet) compile(c *ruleCompiler) error {
	c.add(loadAddr(s.Field, reg1), &expr.Lookup{SourceRegister: reg1, SetName: s.Set})
	return nil
}

func (s MatchL4Proto) compile(c *ruleCompiler) error {
	c.add(loadL4Proto(reg1), &expr.Cmp{Op: expr.CmpOpEq, Register: reg1, Data: []byte{byte(s.Proto)}})
	return nil
}

func (MatchFibDaddrLocal) compile(c *ruleCompiler) error {
	c.add(&expr.Fib{Register: reg1, FlagDADDR: true, ResultADDRTYPE: true},
		&expr.Cmp{Op: expr.CmpOpEq, Register: reg1, Data: native32(unix.RTN_LOCAL)})
	return nil
}

func (MatchFibSaddrLocal) compile(c *ruleCompiler) error {
	c.add(&expr.Fib{Register: reg1, FlagSADDR: true, ResultADDRTYPE: true},
		&expr.Cmp{Op: expr.CmpOpEq, Register: reg1, Data: native32(unix.RTN_LOCAL)})
	return nil
}

func (MatchCtStateNew) compile(c *ruleCompiler) error {
	c.add(&expr.Ct{Register: reg1, Key: expr.CtKeySTATE},
		&expr.Bitwise{SourceRegister: reg1, DestRegister: reg1, Len: 4, Mask: native32(expr.CtStateBitNEW), Xor: native32(0)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: reg1, Data: native32(0)})
	return nil
}

func (s MatchMarkClear) compile(c *ruleCompiler) error {
	c.add(&expr.Meta{Key: expr.MetaKeyMARK, Register: reg1},
		&expr.Bitwise{SourceRegister: reg1, DestRegister: reg1, Len: 4, Mask: native32(s.Bit), Xor: native32(0)},
		&expr.Cmp{Op: expr.CmpOpEq, Register: reg1, Data: native32(0)})
	return nil
}

func (s ServiceVmap) compile(c *ruleCompiler) error {
	c.add(loadAddr(Daddr, reg1), loadL4Proto(reg32_01), loadDport(reg32_02),
		&expr.Lookup{SourceRegister: reg1, DestRegister: 0, IsDestRegSet: true, SetName: s.Map})
	return nil
}

func (s PortVmap) compile(c *ruleCompiler) error {
	c.add(loadL4Proto(reg1), loadDport(reg32_01),
		&expr.Lookup{SourceRegister: reg1, DestRegister: 0, IsDestRegSet: true, SetName: s.Map})
	return nil
}

func (s NumgenMatch) compile(c *ruleCompiler) error {
	typ := uint32(unix.NFT_NG_INCREMENTAL)
	if s.Random {
		typ = unix.NFT_NG_RANDOM
	}
	c.add(&expr.Numgen{Register: reg1, Modulus: s.Modulus, Type: typ},
		&expr.Cmp{Op: expr.CmpOpEq, Register: reg1, Data: native32(0)})
	return nil
}

func (s SetMarkOr) compile(c *ruleCompiler) error {
	c.add(&expr.Meta{Key: expr.MetaKeyMARK, Register: reg1},
		&expr.Bitwise{SourceRegister: reg1, DestRegister: reg1, Len: 4, Mask: native32(^s.Bit), Xor: native32(s.Bit)},
		&expr.Meta{Key: expr.MetaKeyMARK, SourceRegister: true, Register: reg1})
	return nil
}

func (s SetMarkXor) compile(c *ruleCompiler) error {
	c.add(&expr.Meta{Key: expr.MetaKeyMARK, Register: reg1},
		&expr.Bitwise{SourceRegister: reg1, DestRegister: reg1, Len: 4, Mask: native32(^uint32(0)), Xor: native32(s.Bit)},
		&expr.Meta{Key: expr.MetaKeyMARK, SourceRegister: true, Register: reg1})
	return nil
}

func (Masquerade) compile(c *ruleCompiler) error {
	c.add(&expr.Masq{FullyRandom: true})
	return nil
}

func (s DNAT) compile(c *ruleCompiler) error {
	a := s.Addr.As4()
	c.add(&expr.Immediate{Register: reg1, Data: a[:]},
		&expr.Immediate{Register: reg2, Data: binaryutil.BigEndian.PutUint16(s.Port)},
		&expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: reg1, RegProtoMin: reg2, Specified: true})
	return nil
}

func (s UpdateSet) compile(c *ruleCompiler) error {
	c.add(loadAddr(Saddr, reg1), &expr.Dynset{SrcRegKey: reg1, SetName: s.Set, Operation: unix.NFT_DYNSET_OP_UPDATE})
	return nil
}

func (s Reject) compile(c *ruleCompiler) error {
	if s.TCPReset {
		c.add(&expr.Reject{Type: unix.NFT_REJECT_TCP_RST, Code: unix.NFT_REJECT_TCP_RST})
		return nil
	}
	c.add(&expr.Reject{Type: unix.NFT_REJECT_ICMP_UNREACH, Code: 3}) // ICMP_PORT_UNREACH
	return nil
}

func (s VerdictStmt) compile(c *ruleCompiler) error {
	v, err := s.Verdict.expr()
	if err != nil {
		return err
	}
	c.add(v)
	return nil
}

func (v Verdict) expr() (*expr.Verdict, error) {
	switch v.Kind {
	case VerdictJump:
		return &expr.Verdict{Kind: expr.VerdictJump, Chain: v.Chain}, nil
	case VerdictGoto:
		return &expr.Verdict{Kind: expr.VerdictGoto, Chain: v.Chain}, nil
	case VerdictDrop:
		return &expr.Verdict{Kind: expr.VerdictDrop}, nil
	case VerdictReturn:
		return &expr.Verdict{Kind: expr.VerdictReturn}, nil
	case VerdictAccept:
		return &expr.Verdict{Kind: expr.VerdictAccept}, nil
	}
	return nil, fmt.Errorf("no verdict")
}

// setKeyType is the google/nftables key type of a KeyType.
func (k KeyType) setKeyType() nftables.SetDatatype {
	switch k {
	case KeyProtoPort:
		return nftables.MustConcatSetType(nftables.TypeInetProto, nftables.TypeInetService)
	case KeyAddrProtoPort:
		return nftables.MustConcatSetType(nftables.TypeIPAddr, nftables.TypeInetProto, nftables.TypeInetService)
	case KeyIndex:
		return nftables.TypeInteger
	}
	return nftables.TypeIPAddr
}

// keyBytes encodes an element key as the kernel stores it: concatenated
// fields each padded to a 32-bit register.
func (s *Set) keyBytes(e Element) []byte {
	if s.Key == KeyIndex {
		return native32(e.Index)
	}
	var a [4]byte
	if e.Addr.Is4() {
		a = e.Addr.As4()
	}
	switch s.Key {
	case KeyProtoPort:
		return []byte{byte(e.Proto), 0, 0, 0, byte(e.Port >> 8), byte(e.Port), 0, 0}
	case KeyAddrProtoPort:
		return []byte{a[0], a[1], a[2], a[3], byte(e.Proto), 0, 0, 0, byte(e.Port >> 8), byte(e.Port), 0, 0}
	}
	return a[:]
}

// nftSet is the google/nftables description of a Set.
func (s *Set) nftSet(t *nftables.Table) *nftables.Set {
	ns := &nftables.Set{
		Table:         t,
		Name:          s.Name,
		KeyType:       s.Key.setKeyType(),
		Concatenation: s.Key == KeyProtoPort || s.Key == KeyAddrProtoPort,
		IsMap:         s.Verdicts,
		Comment:       s.Comment,
		// Only nft(8) reads this (to print keys); it is what nft stores.
		KeyByteOrder: binaryutil.BigEndian,
	}
	if s.Verdicts {
		ns.DataType = nftables.TypeVerdict
	}
	if s.Timeout > 0 {
		ns.Dynamic, ns.HasTimeout, ns.Timeout = true, true, s.Timeout
	}
	return ns
}

// nftElements encodes elements for SetAddElements / SetDeleteElements.
func (s *Set) nftElements(es []Element) ([]nftables.SetElement, error) {
	out := make([]nftables.SetElement, len(es))
	for i, e := range es {
		out[i] = nftables.SetElement{Key: s.keyBytes(e)}
		if s.Verdicts {
			v, err := e.Verdict.expr()
			if err != nil {
				return nil, fmt.Errorf("set %s element %s: %w", s.Name, s.renderKey(e), err)
			}
			out[i].VerdictData = v
		}
	}
	return out, nil
}

// nftChain is the google/nftables description of a Chain.
func (c *Chain) nftChain(t *nftables.Table) *nftables.Chain {
	ch := &nftables.Chain{Name: c.Name, Table: t}
	if c.Hook == nil {
		return ch
	}
	hooks := map[string]*nftables.ChainHook{
		"prerouting":  nftables.ChainHookPrerouting,
		"input":       nftables.ChainHookInput,
		"forward":     nftables.ChainHookForward,
		"output":      nftables.ChainHookOutput,
		"postrouting": nftables.ChainHookPostrouting,
	}
	ch.Hooknum = hooks[c.Hook.Hook]
	ch.Priority = nftables.ChainPriorityRef(nftables.ChainPriority(c.Hook.Priority))
	ch.Type = nftables.ChainType(c.Hook.Type)
	accept := nftables.ChainPolicyAccept
	ch.Policy = &accept
	return ch
}
