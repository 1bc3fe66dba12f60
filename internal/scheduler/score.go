package scheduler

// maxNodeScore is the top of each score's 0..100 range.
const maxNodeScore = 100

// Weights of the scores in the total, as in Kubernetes' default profile:
// taints count most, affinity and spreading next, resource balance least.
const (
	weightLeastAllocated = 1
	weightNodeAffinity   = 2
	weightTaint          = 3
	weightSpread         = 2
)

// nodeScore is a feasible node's scores, each normalised to 0..100.
type nodeScore struct {
	Name           string
	LeastAllocated int64
	NodeAffinity   int64
	Taint          int64
	Spread         int64
	Total          int64
}

// leastAllocatedResource: the share of the resource left once the pod is
// placed; nothing allocatable or over-committed scores 0.
func leastAllocatedResource(allocatable, requested int64) int64 {
	if allocatable <= 0 || requested > allocatable {
		return 0
	}
	return (allocatable - requested) * maxNodeScore / allocatable
}

// leastAllocated favours emptier nodes by cpu and memory, equally weighted,
// counting default requests for containers that state none.
func leastAllocated(p *podInfo, n *nodeInfo) int64 {
	cpu := leastAllocatedResource(n.allocatable.MilliCPU, n.nonZero.MilliCPU+p.nonZero.MilliCPU)
	mem := leastAllocatedResource(n.allocatable.Memory, n.nonZero.Memory+p.nonZero.Memory)
	return (cpu + mem) / 2
}

// sameOwner counts the node's pods with the pod's controller (a
// ReplicaSet's replicas, a StatefulSet's members).
func sameOwner(p *podInfo, n *nodeInfo) int64 {
	if p.owner == "" {
		return 0
	}
	var c int64
	for _, q := range n.pods {
		if q.owner == p.owner && q.pod.Namespace == p.pod.Namespace {
			c++
		}
	}
	return c
}

// normalize scales raw scores to 0..maxNodeScore relative to the highest.
// reverse makes fewer better: with reverse and all zero, every node gets
// the full score.
func normalize(raw []int64, reverse bool) []int64 {
	var top int64
	for _, v := range raw {
		top = max(top, v)
	}
	out := make([]int64, len(raw))
	for i, v := range raw {
		switch {
		case top == 0 && reverse:
			out[i] = maxNodeScore
		case top == 0:
			out[i] = 0
		case reverse:
			out[i] = maxNodeScore - v*maxNodeScore/top
		default:
			out[i] = v * maxNodeScore / top
		}
	}
	return out
}

// scoreNodes scores the feasible nodes for the pod.
func scoreNodes(p *podInfo, nodes []*nodeInfo) []nodeScore {
	affinity := make([]int64, len(nodes))
	taints := make([]int64, len(nodes))
	spread := make([]int64, len(nodes))
	for i, n := range nodes {
		affinity[i] = preferredAffinityWeight(p.pod, n.node)
		taints[i] = intolerablePreferNoSchedule(p.pod, n.taints)
		spread[i] = sameOwner(p, n)
	}
	affinity = normalize(affinity, false)
	taints = normalize(taints, true)
	spread = normalize(spread, true)
	out := make([]nodeScore, len(nodes))
	for i, n := range nodes {
		s := nodeScore{
			Name:           n.node.Name,
			LeastAllocated: leastAllocated(p, n),
			NodeAffinity:   affinity[i],
			Taint:          taints[i],
			Spread:         spread[i],
		}
		s.Total = s.LeastAllocated*weightLeastAllocated + s.NodeAffinity*weightNodeAffinity +
			s.Taint*weightTaint + s.Spread*weightSpread
		out[i] = s
	}
	return out
}

// pickBest returns the highest total; equal totals go to the lowest name
// so that the same cluster state always gives the same answer.
func pickBest(scores []nodeScore) string {
	best := -1
	for i, s := range scores {
		if best < 0 || s.Total > scores[best].Total || s.Total == scores[best].Total && s.Name < scores[best].Name {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return scores[best].Name
}
