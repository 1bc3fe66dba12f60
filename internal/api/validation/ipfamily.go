package validation

import "net/netip"

// isIPv6 reports whether s parses as an IPv6 (not IPv4-mapped) address.
func isIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && !a.Is4In6()
}

// isDualStack reports whether a list of valid IPs holds exactly one IPv4 and
// one IPv6 address.
func isDualStack(ips []string) bool {
	if len(ips) != 2 {
		return false
	}
	return isIPv6(ips[0]) != isIPv6(ips[1])
}
