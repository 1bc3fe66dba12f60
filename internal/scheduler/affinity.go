package scheduler

import (
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
)

// nodeNameField is the only field node selector terms may match on.
const nodeNameField = "metadata.name"

// matchesNodeSelector: the pod's nodeSelector labels and its required node
// affinity both accept the node.
func matchesNodeSelector(pod *corev1.Pod, node *corev1.Node) bool {
	for k, v := range pod.Spec.NodeSelector {
		if got, ok := node.Labels[k]; !ok || got != v {
			return false
		}
	}
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return true
	}
	return matchesAnyTerm(a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms, node)
}

// matchesAnyTerm: terms are ORed; no terms match nothing.
func matchesAnyTerm(terms []corev1.NodeSelectorTerm, node *corev1.Node) bool {
	for i := range terms {
		if matchesTerm(&terms[i], node) {
			return true
		}
	}
	return false
}

// matchesTerm: all expressions and fields must hold (AND); an empty term
// matches nothing, and so does a term with a malformed requirement.
func matchesTerm(term *corev1.NodeSelectorTerm, node *corev1.Node) bool {
	if len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0 {
		return false
	}
	for _, r := range term.MatchExpressions {
		if !matchesLabels(r, node.Labels) {
			return false
		}
	}
	for _, r := range term.MatchFields {
		if !matchesFields(r, node) {
			return false
		}
	}
	return true
}

// matchesLabels evaluates one label requirement.
func matchesLabels(r corev1.NodeSelectorRequirement, labels map[string]string) bool {
	v, has := labels[r.Key]
	switch r.Operator {
	case corev1.NodeSelectorOpIn:
		return len(r.Values) > 0 && has && slices.Contains(r.Values, v)
	case corev1.NodeSelectorOpNotIn:
		return len(r.Values) > 0 && (!has || !slices.Contains(r.Values, v))
	case corev1.NodeSelectorOpExists:
		return len(r.Values) == 0 && has
	case corev1.NodeSelectorOpDoesNotExist:
		return len(r.Values) == 0 && !has
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		if len(r.Values) != 1 || !has {
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

// matchesFields evaluates a field requirement: metadata.name with In or
// NotIn, as the API allows.
func matchesFields(r corev1.NodeSelectorRequirement, node *corev1.Node) bool {
	if r.Key != nodeNameField || len(r.Values) == 0 {
		return false
	}
	switch r.Operator {
	case corev1.NodeSelectorOpIn:
		return slices.Contains(r.Values, node.Name)
	case corev1.NodeSelectorOpNotIn:
		return !slices.Contains(r.Values, node.Name)
	}
	return false
}

// preferredAffinityWeight sums the weights of the pod's preferred node
// affinity terms the node matches.
func preferredAffinityWeight(pod *corev1.Pod, node *corev1.Node) int64 {
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil {
		return 0
	}
	var sum int64
	for _, p := range a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
		if p.Weight != 0 && matchesTerm(&p.Preference, node) {
			sum += int64(p.Weight)
		}
	}
	return sum
}
