package daemonset

import (
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// daemonTolerations are added to every DaemonSet pod, as Kubernetes does:
// a daemon keeps running on a node that is not ready or unreachable, and
// lands on nodes under resource pressure or cordoned.
var daemonTolerations = []corev1.Toleration{
	{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
	{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
	{Key: corev1.TaintNodeDiskPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodeMemoryPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodePIDPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
}

// hostNetworkToleration is added for pods on the host network, which do
// not need the node's pod network.
var hostNetworkToleration = corev1.Toleration{Key: corev1.TaintNodeNetworkUnavailable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}

// addDaemonTolerations adds the daemon tolerations to spec; one with the
// same key, operator, value and effect is replaced (so a user's
// tolerationSeconds on not-ready does not apply to daemons).
func addDaemonTolerations(spec *corev1.PodSpec) {
	add := daemonTolerations
	if spec.HostNetwork {
		add = append(slices.Clone(add), hostNetworkToleration)
	}
	spec.Tolerations = slices.Clone(spec.Tolerations)
	for _, t := range add {
		i := slices.IndexFunc(spec.Tolerations, func(e corev1.Toleration) bool {
			return e.Key == t.Key && e.Operator == t.Operator && e.Value == t.Value && e.Effect == t.Effect
		})
		if i >= 0 {
			spec.Tolerations[i] = t
		} else {
			spec.Tolerations = append(spec.Tolerations, t)
		}
	}
}

// nodeShouldRun decides whether ds wants a pod on node (shouldRun) and
// whether a pod already there may stay (shouldContinue: only untolerated
// NoExecute taints evict).
func nodeShouldRun(node *corev1.Node, ds *appsv1.DaemonSet) (shouldRun, shouldContinue bool) {
	spec := ds.Spec.Template.Spec.DeepCopy()
	addDaemonTolerations(spec)
	if spec.NodeName != "" && spec.NodeName != node.Name {
		return false, false
	}
	if !matchesNodeSelector(spec, node) {
		return false, false
	}
	taints := effectiveTaints(node)
	if untolerated(taints, spec.Tolerations, corev1.TaintEffectNoSchedule, corev1.TaintEffectNoExecute) {
		return false, !untolerated(taints, spec.Tolerations, corev1.TaintEffectNoExecute)
	}
	return true, true
}

// effectiveTaints is the node's taints plus the one Kubernetes' node
// lifecycle controller would put there for its Ready condition (not-ready,
// or unreachable when Unknown, both NoSchedule) — the same view berth's
// scheduler takes, so a daemon pod is never created for a node the
// scheduler will not place it on.
func effectiveTaints(node *corev1.Node) []corev1.Taint {
	var key string
	switch readyStatus(node) {
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
	return append(slices.Clone(node.Spec.Taints), corev1.Taint{Key: key, Effect: corev1.TaintEffectNoSchedule})
}

func readyStatus(node *corev1.Node) corev1.ConditionStatus {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status
		}
	}
	return ""
}

// untolerated: some taint with one of effects is tolerated by none of tols.
func untolerated(taints []corev1.Taint, tols []corev1.Toleration, effects ...corev1.TaintEffect) bool {
	for i := range taints {
		if !slices.Contains(effects, taints[i].Effect) {
			continue
		}
		if !slices.ContainsFunc(tols, func(t corev1.Toleration) bool { return tolerates(&t, &taints[i]) }) {
			return true
		}
	}
	return false
}

// tolerates follows Kubernetes' matching: an empty effect matches all
// effects, an empty key with Exists all keys; Equal (or no operator) needs
// equal values.
func tolerates(t *corev1.Toleration, taint *corev1.Taint) bool {
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

// matchesNodeSelector: spec.nodeSelector and the required node affinity
// both accept node.
func matchesNodeSelector(spec *corev1.PodSpec, node *corev1.Node) bool {
	for k, v := range spec.NodeSelector {
		if got, ok := node.Labels[k]; !ok || got != v {
			return false
		}
	}
	a := spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return true
	}
	// Terms are ORed; no terms match nothing.
	return slices.ContainsFunc(a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms,
		func(t corev1.NodeSelectorTerm) bool { return matchesTerm(&t, node) })
}

// matchesTerm: every expression and field requirement holds; an empty term
// matches nothing.
func matchesTerm(t *corev1.NodeSelectorTerm, node *corev1.Node) bool {
	if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
		return false
	}
	for _, r := range t.MatchExpressions {
		v, has := node.Labels[r.Key]
		if !matchesRequirement(r, v, has) {
			return false
		}
	}
	for _, r := range t.MatchFields {
		if r.Key != nodeNameField || !matchesRequirement(r, node.Name, true) {
			return false
		}
	}
	return true
}

func matchesRequirement(r corev1.NodeSelectorRequirement, v string, has bool) bool {
	switch r.Operator {
	case corev1.NodeSelectorOpIn:
		return has && slices.Contains(r.Values, v)
	case corev1.NodeSelectorOpNotIn:
		return !has || !slices.Contains(r.Values, v)
	case corev1.NodeSelectorOpExists:
		return has
	case corev1.NodeSelectorOpDoesNotExist:
		return !has
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		if !has || len(r.Values) != 1 {
			return false
		}
		want, err1 := strconv.ParseInt(r.Values[0], 10, 64)
		got, err2 := strconv.ParseInt(v, 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if r.Operator == corev1.NodeSelectorOpGt {
			return got > want
		}
		return got < want
	}
	return false
}
