package scheduler

import (
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// assumedPods holds pods the scheduler has placed (binding sent or about to
// be) that the pod informer does not yet show with spec.nodeName. Counting
// them straight away is what stops two pods scheduled back-to-back from
// both taking the last free cpu of a node.
type assumedPods struct {
	mu   sync.Mutex
	pods map[types.UID]*corev1.Pod
}

func newAssumedPods() *assumedPods {
	return &assumedPods{pods: map[types.UID]*corev1.Pod{}}
}

// assume records pod as placed on node; pod itself is not modified.
func (a *assumedPods) assume(pod *corev1.Pod, node string) {
	cp := pod.DeepCopy()
	cp.Spec.NodeName = node
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pods[pod.UID] = cp
}

// forget drops pods: their binding failed, or the informer caught up.
func (a *assumedPods) forget(uids ...types.UID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, uid := range uids {
		delete(a.pods, uid)
	}
}

func (a *assumedPods) has(uid types.UID) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.pods[uid]
	return ok
}

func (a *assumedPods) list() []*corev1.Pod {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]*corev1.Pod, 0, len(a.pods))
	for _, p := range a.pods {
		out = append(out, p)
	}
	return out
}

// withAssumed merges the informer's pods with the assumed ones, so that each
// pod counts exactly once. An assumed pod is settled — the informer is now
// the truth for it and the entry can go — when the informer shows it bound
// (to whichever node), finished, or no longer has it (deleted).
func withAssumed(observed, assumed []*corev1.Pod) (all []*corev1.Pod, settled []types.UID) {
	byUID := make(map[types.UID]*corev1.Pod, len(observed))
	for _, p := range observed {
		byUID[p.UID] = p
	}
	all = append(all, observed...)
	for _, a := range assumed {
		o, ok := byUID[a.UID]
		if !ok || o.Spec.NodeName != "" || terminal(o) {
			settled = append(settled, a.UID)
			continue
		}
		all = append(all, a)
	}
	return all, settled
}
