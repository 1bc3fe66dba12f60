package scheduler

import corev1 "k8s.io/api/core/v1"

// toleratesTaint follows Kubernetes' matching rules: an empty effect
// matches every effect; an empty key with Exists matches every key; Equal
// (or no operator) needs equal values. The alpha Lt/Gt operators are off by
// default in Kubernetes and match nothing here.
func toleratesTaint(t *corev1.Toleration, taint *corev1.Taint) bool {
	if t.Effect != "" && t.Effect != taint.Effect {
		return false
	}
	if t.Key != "" && t.Key != taint.Key {
		return false
	}
	switch t.Operator {
	case corev1.TolerationOpExists:
		return true
	case "", corev1.TolerationOpEqual:
		return t.Value == taint.Value
	}
	return false
}

// tolerated: some toleration in tols covers taint.
func tolerated(tols []corev1.Toleration, taint *corev1.Taint) bool {
	for i := range tols {
		if toleratesTaint(&tols[i], taint) {
			return true
		}
	}
	return false
}

// readyCondition returns the node's Ready condition status ("" if absent).
func readyCondition(node *corev1.Node) corev1.ConditionStatus {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status
		}
	}
	return ""
}

// effectiveTaints is the node's taints plus the one the node lifecycle
// controller would add for its Ready condition: not-ready when False or not
// yet reported, unreachable when Unknown. Pods that tolerate it (network
// plugins' DaemonSets usually tolerate everything) may still land there.
func effectiveTaints(node *corev1.Node) []corev1.Taint {
	var key string
	switch readyCondition(node) {
	case corev1.ConditionTrue:
		return node.Spec.Taints
	case corev1.ConditionUnknown:
		key = corev1.TaintNodeUnreachable
	default:
		key = corev1.TaintNodeNotReady
	}
	for _, t := range node.Spec.Taints {
		if t.Key == key && t.Effect == corev1.TaintEffectNoSchedule {
			return node.Spec.Taints
		}
	}
	out := append([]corev1.Taint(nil), node.Spec.Taints...)
	return append(out, corev1.Taint{Key: key, Effect: corev1.TaintEffectNoSchedule})
}

// firstUntolerated returns the first NoSchedule/NoExecute taint of taints
// the pod does not tolerate.
func firstUntolerated(pod *corev1.Pod, taints []corev1.Taint) (*corev1.Taint, bool) {
	for i := range taints {
		t := &taints[i]
		if t.Effect != corev1.TaintEffectNoSchedule && t.Effect != corev1.TaintEffectNoExecute {
			continue
		}
		if !tolerated(pod.Spec.Tolerations, t) {
			return t, true
		}
	}
	return nil, false
}

// intolerablePreferNoSchedule counts the PreferNoSchedule taints not covered
// by a toleration meant for them (effect PreferNoSchedule or empty).
func intolerablePreferNoSchedule(pod *corev1.Pod, taints []corev1.Taint) int64 {
	var tols []corev1.Toleration
	for _, t := range pod.Spec.Tolerations {
		if t.Effect == "" || t.Effect == corev1.TaintEffectPreferNoSchedule {
			tols = append(tols, t)
		}
	}
	var n int64
	for i := range taints {
		if taints[i].Effect == corev1.TaintEffectPreferNoSchedule && !tolerated(tols, &taints[i]) {
			n++
		}
	}
	return n
}
