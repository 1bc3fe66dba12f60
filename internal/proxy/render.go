package proxy

import (
	"fmt"
	"strings"
)

// String renders the Ruleset as nft(8) input ("nft -f" accepts it); tests
// compare this text, and the root tests check that the kernel holds the
// same table whether it was loaded from this text or by the Proxier.
func (r *Ruleset) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "table ip %s {\n", r.Table)
	for _, s := range r.Sets {
		s.render(&b)
	}
	for _, c := range r.Chains {
		c.render(&b)
	}
	b.WriteString("}\n")
	return b.String()
}

func (s *Set) render(b *strings.Builder) {
	kind := "set"
	if s.Verdicts {
		kind = "map"
	}
	if s.Key == KeyIndex {
		// nft has no plain "type" for numgen's integer; typeof names it.
		fmt.Fprintf(b, "\t%s %s {\n\t\ttypeof numgen inc mod 1", kind, s.Name)
	} else {
		fmt.Fprintf(b, "\t%s %s {\n\t\ttype %s", kind, s.Name, s.Key.nftType())
	}
	if s.Verdicts {
		b.WriteString(" : verdict")
	}
	b.WriteByte('\n')
	if s.Timeout > 0 {
		fmt.Fprintf(b, "\t\tflags dynamic,timeout\n\t\ttimeout %ds\n", int64(s.Timeout.Seconds()))
	}
	if s.Comment != "" {
		fmt.Fprintf(b, "\t\tcomment %q\n", s.Comment)
	}
	if len(s.Elements) > 0 {
		b.WriteString("\t\telements = {")
		for i, e := range s.Elements {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n\t\t\t")
			b.WriteString(s.renderElement(e))
		}
		b.WriteString(" }\n")
	}
	b.WriteString("\t}\n")
}

func (c *Chain) render(b *strings.Builder) {
	fmt.Fprintf(b, "\tchain %s {\n", c.Name)
	if c.Hook != nil {
		fmt.Fprintf(b, "\t\ttype %s hook %s priority %d; policy accept;\n", c.Hook.Type, c.Hook.Hook, c.Hook.Priority)
	}
	for _, r := range c.Rules {
		b.WriteString("\t\t")
		b.WriteString(r.String())
		b.WriteByte('\n')
	}
	b.WriteString("\t}\n")
}

func (k KeyType) nftType() string {
	switch k {
	case KeyProtoPort:
		return "inet_proto . inet_service"
	case KeyAddrProtoPort:
		return "ipv4_addr . inet_proto . inet_service"
	}
	return "ipv4_addr"
}

// renderKey renders an element's key the way nft(8) writes it.
func (s *Set) renderKey(e Element) string {
	switch s.Key {
	case KeyProtoPort:
		return fmt.Sprintf("%s . %d", e.Proto, e.Port)
	case KeyAddrProtoPort:
		return fmt.Sprintf("%s . %s . %d", e.Addr, e.Proto, e.Port)
	case KeyIndex:
		return fmt.Sprint(e.Index)
	}
	return e.Addr.String()
}

func (s *Set) renderElement(e Element) string {
	if s.Verdicts {
		return s.renderKey(e) + " : " + e.Verdict.String()
	}
	return s.renderKey(e)
}

// keyString is a compact identity of an element's key within its set, in
// numeric order (sorting and diffing).
func (s *Set) keyString(e Element) string {
	if s.Key == KeyIndex {
		return string([]byte{byte(e.Index >> 24), byte(e.Index >> 16), byte(e.Index >> 8), byte(e.Index)})
	}
	var k [7]byte
	n := 0
	if s.Key != KeyProtoPort && e.Addr.Is4() {
		a := e.Addr.As4()
		n += copy(k[n:], a[:])
	}
	if s.Key != KeyAddr {
		k[n] = byte(e.Proto)
		k[n+1] = byte(e.Port >> 8)
		k[n+2] = byte(e.Port)
		n += 3
	}
	return string(k[:n])
}
