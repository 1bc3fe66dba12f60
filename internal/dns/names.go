package dns

import (
	"net/netip"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"
)

// canonical lowercases a name and makes it fully qualified: names are
// compared case-insensitively throughout.
func canonical(name string) string {
	return strings.ToLower(mdns.Fqdn(name))
}

// labelsIn splits name (canonical) below zone (canonical) into its labels,
// left to right: "a.b.cluster.local." in "cluster.local." is ["a", "b"]. ok
// is false for a name outside the zone; the apex gives no labels.
func labelsIn(name, zone string) (labels []string, ok bool) {
	if name == zone {
		return nil, true
	}
	if zone == "." {
		return mdns.SplitDomainName(name), true
	}
	prefix, found := strings.CutSuffix(name, "."+zone)
	if !found || prefix == "" {
		return nil, false
	}
	return strings.Split(prefix, "."), true
}

// inZone reports whether name (canonical) is zone or below it.
func inZone(name, zone string) bool {
	_, ok := labelsIn(name, zone)
	return ok
}

// reverseAddr parses a reverse-lookup name (canonical): d.c.b.a.in-addr.arpa.
// or the 32 nibbles of an ip6.arpa. name.
func reverseAddr(name string) (netip.Addr, bool) {
	if prefix, ok := strings.CutSuffix(name, ".in-addr.arpa."); ok {
		parts := strings.Split(prefix, ".")
		if len(parts) != 4 {
			return netip.Addr{}, false
		}
		var b [4]byte
		for i, p := range parts {
			n, err := strconv.ParseUint(p, 10, 8)
			if err != nil || (len(p) > 1 && p[0] == '0') {
				return netip.Addr{}, false
			}
			b[3-i] = byte(n)
		}
		return netip.AddrFrom4(b), true
	}
	if prefix, ok := strings.CutSuffix(name, ".ip6.arpa."); ok {
		parts := strings.Split(prefix, ".")
		if len(parts) != 32 {
			return netip.Addr{}, false
		}
		var b [16]byte
		for i, p := range parts {
			n, err := strconv.ParseUint(p, 16, 4)
			if err != nil || len(p) != 1 {
				return netip.Addr{}, false
			}
			pos := 31 - i // nibble index from the left of the address
			if pos%2 == 0 {
				b[pos/2] |= byte(n) << 4
			} else {
				b[pos/2] |= byte(n)
			}
		}
		return netip.AddrFrom16(b), true
	}
	return netip.Addr{}, false
}

// isReverse reports a name in the reverse-lookup trees.
func isReverse(name string) bool {
	return strings.HasSuffix(name, ".in-addr.arpa.") || strings.HasSuffix(name, ".ip6.arpa.") ||
		name == "in-addr.arpa." || name == "ip6.arpa."
}

// dashed is the DNS label form of an IP: 10-42-0-7, or fd00--7 for IPv6
// (colons become dashes), used for pod names and for endpoints without a
// hostname.
func dashed(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		return strings.ReplaceAll(a.String(), ".", "-")
	}
	return strings.ReplaceAll(a.String(), ":", "-")
}

// undash parses a label made by dashed, in any case and, for IPv6, in
// compressed or full form.
func undash(label string) (netip.Addr, bool) {
	if strings.Count(label, "-") == 3 {
		if a, err := netip.ParseAddr(strings.ReplaceAll(label, "-", ".")); err == nil && a.Is4() {
			return a, true
		}
	}
	a, err := netip.ParseAddr(strings.ReplaceAll(label, "-", ":"))
	if err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

// parseIP parses an address as the API stores it.
func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
