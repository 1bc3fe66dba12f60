package nodelifecycle

import (
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// managedKeys are the taints this controller owns; others are left alone.
var managedKeys = []string{corev1.TaintNodeNotReady, corev1.TaintNodeUnreachable}

// desiredTaints returns the node's taints with the managed ones as its
// Ready status asks: Ready=False → not-ready, Unknown → unreachable, both
// NoSchedule and NoExecute (the NoExecute one stamped with the time it was
// added, from which tolerationSeconds count); Ready=True → none. changed
// says whether that differs from what the node has.
func desiredTaints(node *corev1.Node, now time.Time) (taints []corev1.Taint, changed bool) {
	var want string
	switch readyStatus(node) {
	case corev1.ConditionFalse:
		want = corev1.TaintNodeNotReady
	case corev1.ConditionUnknown:
		if len(node.Status.Conditions) == 0 {
			// a node that never posted status yet is not unreachable: the
			// agent that is registering it will report in a moment
			return node.Spec.Taints, false
		}
		want = corev1.TaintNodeUnreachable
	}
	for _, t := range node.Spec.Taints {
		if !slices.Contains(managedKeys, t.Key) {
			taints = append(taints, t)
			continue
		}
		if t.Key == want && (t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute) {
			taints = append(taints, t) // keep, with its TimeAdded
			continue
		}
		changed = true
	}
	if want != "" {
		for _, effect := range []corev1.TaintEffect{corev1.TaintEffectNoSchedule, corev1.TaintEffectNoExecute} {
			if hasTaint(taints, want, effect) {
				continue
			}
			t := corev1.Taint{Key: want, Effect: effect}
			if effect == corev1.TaintEffectNoExecute {
				ts := metav1.NewTime(now)
				t.TimeAdded = &ts
			}
			taints = append(taints, t)
			changed = true
		}
	}
	return taints, changed
}

func hasTaint(taints []corev1.Taint, key string, effect corev1.TaintEffect) bool {
	for _, t := range taints {
		if t.Key == key && t.Effect == effect {
			return true
		}
	}
	return false
}
