package nodeipam

import (
	"cmp"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// pending is a range this controller wrote to a node that the informer cache
// has not shown yet. Without it, a pass running on a stale cache would hand
// the same range out again.
type pending struct {
	UID  types.UID
	CIDR string
}

// assignment is a range to write to a node that has none.
type assignment struct {
	Node string
	UID  types.UID
	CIDR string
}

// conflict: Node carries CIDR, which overlaps the range of the older node
// Holder. Nothing can be fixed (podCIDR is immutable); it is reported.
type conflict struct {
	Node, CIDR, Holder string
}

// note names a node and one of its ranges.
type note struct {
	Node, CIDR string
}

// decision is what one pass over all Nodes concludes.
type decision struct {
	Assign    []assignment
	Conflicts []conflict
	Outside   []note   // ranges outside the cluster CIDR: kept, not tracked
	Invalid   []note   // ranges that do not parse
	Exhausted []string // nodes left without a range: the cluster CIDR is full
}

// nodeCIDRs returns the ranges a node carries, spec.podCIDRs first (it is
// the full list; spec.podCIDR is its first entry).
func nodeCIDRs(n *corev1.Node) []string {
	if len(n.Spec.PodCIDRs) > 0 {
		return n.Spec.PodCIDRs
	}
	if n.Spec.PodCIDR != "" {
		return []string{n.Spec.PodCIDR}
	}
	return nil
}

// livePending drops the pending entries that are no longer needed: the node
// is gone or was re-created (other UID), or the cache now shows its range.
func livePending(nodes []*corev1.Node, pend map[string]pending) map[string]pending {
	out := make(map[string]pending, len(pend))
	for _, n := range nodes {
		p, ok := pend[n.Name]
		if ok && p.UID == n.UID && len(nodeCIDRs(n)) == 0 {
			out[n.Name] = p
		}
	}
	return out
}

// olderFirst orders nodes by age, then name: the older node wins a conflict
// and gets the lower range.
func olderFirst(a, b *corev1.Node) int {
	if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
		return c
	}
	return cmp.Compare(a.Name, b.Name)
}

// plan computes, from all Nodes and the ranges written but not yet observed,
// which nodes get which free range. geometry is only used for its shape.
func plan(nodes []*corev1.Node, pend map[string]pending, geometry *cidrSet) decision {
	var d decision
	set := geometry.empty()
	holder := map[int]string{}
	sorted := slices.SortedFunc(slices.Values(nodes), olderFirst)

	// First every range already in use, in age order so the older node is
	// the holder when two overlap.
	var needy []*corev1.Node
	for _, n := range sorted {
		cidrs := nodeCIDRs(n)
		if p, ok := pend[n.Name]; ok && p.UID == n.UID && len(cidrs) == 0 {
			cidrs = []string{p.CIDR}
		}
		if len(cidrs) == 0 {
			if n.DeletionTimestamp == nil {
				needy = append(needy, n)
			}
			continue
		}
		for _, s := range cidrs {
			p, err := parseCIDR(s)
			if err != nil {
				d.Invalid = append(d.Invalid, note{n.Name, s})
				continue
			}
			first, last, ok := set.span(p)
			if !ok {
				d.Outside = append(d.Outside, note{n.Name, s})
				continue
			}
			clash := ""
			for i := first; i <= last; i++ {
				if h, taken := holder[i]; taken && h != n.Name && clash == "" {
					clash = h
				}
				if !set.isUsed(i) {
					set.mark(i)
					holder[i] = n.Name
				}
			}
			if clash != "" {
				d.Conflicts = append(d.Conflicts, conflict{Node: n.Name, CIDR: s, Holder: clash})
			}
		}
	}

	// Then the nodes without a range, oldest first.
	for _, n := range needy {
		p, ok := set.allocate()
		if !ok {
			d.Exhausted = append(d.Exhausted, n.Name)
			continue
		}
		d.Assign = append(d.Assign, assignment{Node: n.Name, UID: n.UID, CIDR: p.String()})
	}
	return d
}
