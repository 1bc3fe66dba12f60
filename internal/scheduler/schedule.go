package scheduler

import (
	"fmt"
	"sort"
	"strings"
)

// fitError says why no node can take a pod: how many nodes there were and
// how many of them failed for each reason (a node may count under several
// resource reasons).
type fitError struct {
	NumNodes int
	Reasons  map[string]int
	// PreFilter, when set, rules out every node at once (e.g. a missing
	// claim), as a PreFilter plugin's status does in Kubernetes.
	PreFilter string
}

// Error renders the message Kubernetes puts in PodScheduled and the
// FailedScheduling event, e.g.
// "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector."
// Entries are "count reason" sorted as strings, as Kubernetes sorts them.
func (e *fitError) Error() string {
	if e.NumNodes == 0 {
		return "no nodes available to schedule pods"
	}
	if e.PreFilter != "" {
		return fmt.Sprintf("0/%d nodes are available: %s.", e.NumNodes, e.PreFilter)
	}
	parts := make([]string, 0, len(e.Reasons))
	for reason, n := range e.Reasons {
		parts = append(parts, fmt.Sprintf("%d %s", n, reason))
	}
	sort.Strings(parts)
	return fmt.Sprintf("0/%d nodes are available: %s.", e.NumNodes, strings.Join(parts, ", "))
}

// schedule filters and scores the nodes for a pod and returns the chosen
// node's name, or why there is none.
func schedule(p *podInfo, nodes []*nodeInfo, fs []filterFunc) (string, *fitError) {
	fe := &fitError{NumNodes: len(nodes), Reasons: map[string]int{}}
	var feasible []*nodeInfo
	for _, n := range nodes {
		reasons := runFilters(fs, p, n)
		if len(reasons) == 0 {
			feasible = append(feasible, n)
			continue
		}
		for _, r := range reasons {
			fe.Reasons[r]++
		}
	}
	if len(feasible) == 0 {
		return "", fe
	}
	return pickBest(scoreNodes(p, feasible)), nil
}
