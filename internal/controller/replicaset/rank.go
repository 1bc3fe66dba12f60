package replicaset

import (
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// podsToDelete picks n of pods to remove, cheapest first. related are the
// active pods of the ReplicaSet and of its siblings (ReplicaSets with the
// same controller, e.g. one Deployment's): a pod sharing its node with many
// of them goes before one that is alone there, which keeps replicas spread
// during rollouts.
func podsToDelete(pods, related []*corev1.Pod, n int) []*corev1.Pod {
	if n <= 0 {
		return nil
	}
	n = min(n, len(pods))
	onNode := map[string]int{}
	for _, p := range related {
		if p.Spec.NodeName != "" {
			onNode[p.Spec.NodeName]++
		}
	}
	ranked := slices.Clone(pods)
	slices.SortStableFunc(ranked, func(a, b *corev1.Pod) int {
		switch {
		case deleteFirst(a, b, onNode):
			return -1
		case deleteFirst(b, a, onNode):
			return 1
		}
		return 0
	})
	return ranked[:n]
}

// phaseOrder: pods further from running are cheaper to lose.
var phaseOrder = map[corev1.PodPhase]int{corev1.PodPending: 0, corev1.PodUnknown: 1, corev1.PodRunning: 2}

// deleteFirst: a should be deleted before b (Kubernetes' ActivePodsWithRanks
// order).
func deleteFirst(a, b *corev1.Pod, onNode map[string]int) bool {
	// 1. Not yet scheduled.
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		return a.Spec.NodeName == ""
	}
	// 2. Pending < Unknown < Running.
	if pa, pb := phaseOrder[a.Status.Phase], phaseOrder[b.Status.Phase]; pa != pb {
		return pa < pb
	}
	// 3. Not ready.
	ra, rb := podutil.IsReady(a), podutil.IsReady(b)
	if ra != rb {
		return !ra
	}
	// 4. Doubled up: more related pods on the same node.
	if ca, cb := onNode[a.Spec.NodeName], onNode[b.Spec.NodeName]; a.Spec.NodeName != "" && ca != cb {
		return ca > cb
	}
	// 5. Ready for a shorter time.
	if ra && rb {
		ta, tb := readySince(a), readySince(b)
		if !ta.Equal(tb) {
			return laterOrZero(ta, tb)
		}
	}
	// 6. More container restarts.
	if ra, rb := restarts(a), restarts(b); ra != rb {
		return ra > rb
	}
	// 7. Newer.
	ta, tb := a.CreationTimestamp.Time, b.CreationTimestamp.Time
	if !ta.Equal(tb) {
		return laterOrZero(ta, tb)
	}
	return a.Name > b.Name
}

// laterOrZero: a is after b, an unknown (zero) time counting as latest.
func laterOrZero(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() && !b.IsZero()
	}
	return a.After(b)
}

func readySince(p *corev1.Pod) time.Time {
	if c := podutil.ReadyCondition(p); c != nil {
		return c.LastTransitionTime.Time
	}
	return time.Time{}
}

// restarts is the highest restart count of the pod's containers.
func restarts(p *corev1.Pod) int32 {
	var n int32
	for _, s := range p.Status.ContainerStatuses {
		n = max(n, s.RestartCount)
	}
	return n
}
