package scheduler

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestMatchesLabels(t *testing.T) {
	labels := map[string]string{"zone": "a", "gen": "5", "weird": "x1"}
	tests := []struct {
		name string
		req  corev1.NodeSelectorRequirement
		want bool
	}{
		{"In match", expr("zone", corev1.NodeSelectorOpIn, "b", "a"), true},
		{"In other value", expr("zone", corev1.NodeSelectorOpIn, "b"), false},
		{"In missing key", expr("rack", corev1.NodeSelectorOpIn, "a"), false},
		{"In without values is malformed", expr("zone", corev1.NodeSelectorOpIn), false},
		{"NotIn other value", expr("zone", corev1.NodeSelectorOpNotIn, "b"), true},
		{"NotIn listed value", expr("zone", corev1.NodeSelectorOpNotIn, "a"), false},
		{"NotIn missing key matches", expr("rack", corev1.NodeSelectorOpNotIn, "a"), true},
		{"Exists", expr("zone", corev1.NodeSelectorOpExists), true},
		{"Exists missing", expr("rack", corev1.NodeSelectorOpExists), false},
		{"Exists with values is malformed", expr("zone", corev1.NodeSelectorOpExists, "a"), false},
		{"DoesNotExist", expr("rack", corev1.NodeSelectorOpDoesNotExist), true},
		{"DoesNotExist present", expr("zone", corev1.NodeSelectorOpDoesNotExist), false},
		{"Gt", expr("gen", corev1.NodeSelectorOpGt, "4"), true},
		{"Gt equal", expr("gen", corev1.NodeSelectorOpGt, "5"), false},
		{"Lt", expr("gen", corev1.NodeSelectorOpLt, "6"), true},
		{"Lt smaller", expr("gen", corev1.NodeSelectorOpLt, "5"), false},
		{"Gt non-numeric label", expr("weird", corev1.NodeSelectorOpGt, "0"), false},
		{"Gt non-numeric value", expr("gen", corev1.NodeSelectorOpGt, "four"), false},
		{"Gt missing key", expr("rack", corev1.NodeSelectorOpGt, "0"), false},
		{"Gt two values is malformed", expr("gen", corev1.NodeSelectorOpGt, "1", "2"), false},
		{"unknown operator", expr("zone", "Near", "a"), false},
	}
	for _, tt := range tests {
		if got := matchesLabels(tt.req, labels); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMatchesNodeSelector(t *testing.T) {
	node := mkNode("n1", withLabels("zone", "a", "disk", "ssd"))
	field := func(op corev1.NodeSelectorOperator, v ...string) corev1.NodeSelectorTerm {
		return corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{expr(nodeNameField, op, v...)}}
	}
	labelsTerm := func(r ...corev1.NodeSelectorRequirement) corev1.NodeSelectorTerm {
		return corev1.NodeSelectorTerm{MatchExpressions: r}
	}
	tests := []struct {
		name string
		pod  *corev1.Pod
		want bool
	}{
		{"nothing asked", mkPod("p"), true},
		{"nodeSelector matches", mkPod("p", nodeSelector("zone", "a", "disk", "ssd")), true},
		{"nodeSelector one label off", mkPod("p", nodeSelector("zone", "a", "disk", "hdd")), false},
		{"nodeSelector label missing", mkPod("p", nodeSelector("gpu", "yes")), false},
		{"required term matches", mkPod("p", requiredTerms(labelsTerm(expr("zone", corev1.NodeSelectorOpIn, "a")))), true},
		{"terms are ORed", mkPod("p", requiredTerms(
			labelsTerm(expr("zone", corev1.NodeSelectorOpIn, "b")),
			labelsTerm(expr("disk", corev1.NodeSelectorOpExists)))), true},
		{"expressions are ANDed", mkPod("p", requiredTerms(labelsTerm(
			expr("zone", corev1.NodeSelectorOpIn, "a"), expr("disk", corev1.NodeSelectorOpIn, "hdd")))), false},
		{"empty term matches nothing", mkPod("p", requiredTerms(corev1.NodeSelectorTerm{})), false},
		{"no terms match nothing", mkPod("p", requiredTerms()), false},
		{"selector and affinity must both hold", mkPod("p", nodeSelector("zone", "b"),
			requiredTerms(labelsTerm(expr("zone", corev1.NodeSelectorOpExists)))), false},
		{"matchFields name In", mkPod("p", requiredTerms(field(corev1.NodeSelectorOpIn, "n1"))), true},
		{"matchFields name In other", mkPod("p", requiredTerms(field(corev1.NodeSelectorOpIn, "n2"))), false},
		{"matchFields name NotIn", mkPod("p", requiredTerms(field(corev1.NodeSelectorOpNotIn, "n2"))), true},
		{"matchFields Exists unsupported", mkPod("p", requiredTerms(field(corev1.NodeSelectorOpExists))), false},
		{"matchFields unknown field", mkPod("p", requiredTerms(corev1.NodeSelectorTerm{
			MatchFields: []corev1.NodeSelectorRequirement{expr("metadata.uid", corev1.NodeSelectorOpIn, "x")}})), false},
		{"fields and labels in one term are ANDed", mkPod("p", requiredTerms(corev1.NodeSelectorTerm{
			MatchExpressions: []corev1.NodeSelectorRequirement{expr("zone", corev1.NodeSelectorOpIn, "a")},
			MatchFields:      []corev1.NodeSelectorRequirement{expr(nodeNameField, corev1.NodeSelectorOpIn, "n2")},
		})), false},
		{"preferred terms do not filter", mkPod("p", preferred(corev1.PreferredSchedulingTerm{Weight: 5,
			Preference: labelsTerm(expr("zone", corev1.NodeSelectorOpIn, "b"))})), true},
	}
	for _, tt := range tests {
		if got := matchesNodeSelector(tt.pod, node); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPreferredAffinityWeight(t *testing.T) {
	node := mkNode("n1", withLabels("zone", "a", "disk", "ssd"))
	term := func(w int32, r ...corev1.NodeSelectorRequirement) corev1.PreferredSchedulingTerm {
		return corev1.PreferredSchedulingTerm{Weight: w, Preference: corev1.NodeSelectorTerm{MatchExpressions: r}}
	}
	pod := mkPod("p", preferred(
		term(10, expr("zone", corev1.NodeSelectorOpIn, "a")),
		term(5, expr("disk", corev1.NodeSelectorOpIn, "ssd")),
		term(50, expr("zone", corev1.NodeSelectorOpIn, "b")),
		term(7), // empty preference matches nothing
	))
	if got := preferredAffinityWeight(pod, node); got != 15 {
		t.Errorf("weight = %d, want 15", got)
	}
	if got := preferredAffinityWeight(mkPod("q"), node); got != 0 {
		t.Errorf("no affinity: weight = %d", got)
	}
}
