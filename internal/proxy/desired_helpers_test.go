package proxy

import (
	"regexp"
	"strings"
)

var hashInName = regexp.MustCompile(`\b(svc|local|ext|ep|aff|fw)-[A-Z2-7]{8}-`)

// fixedChains are the skeleton every Ruleset has (TestDesiredSkeleton).
var fixedChains = map[string]bool{
	chainNatPrerouting: true, chainNatOutput: true, chainNatPostrouting: true,
	chainFilterInput: true, chainFilterForward: true, chainFilterOutput: true,
	chainServices: true, chainMasquerading: true, chainMarkForMasq: true, chainReject: true,
	chainEndpointsCheck: true, chainNodePortsCheck: true, chainClusterIPsCheck: true,
	chainFilterPreDNAT: true, chainOutputPreDNAT: true, chainFirewallCheck: true,
}

// serviceText renders what a Ruleset adds to the skeleton, one line per
// element, set and rule, with the hashes in names dropped for readability:
//
//	@map: element
//	set name: definition
//	chain: rule
func serviceText(rs *Ruleset) string {
	var b strings.Builder
	for _, s := range rs.Sets {
		if s.Timeout > 0 {
			b.WriteString("set " + s.Name + ": timeout " + s.Timeout.String() + "\n")
		}
		for _, e := range s.Elements {
			b.WriteString("@" + s.Name + ": " + s.renderElement(e) + "\n")
		}
	}
	for _, c := range rs.Chains {
		if fixedChains[c.Name] {
			continue
		}
		for _, r := range c.Rules {
			b.WriteString(c.Name + ": " + r.String() + "\n")
		}
	}
	return hashInName.ReplaceAllString(b.String(), "$1-")
}
