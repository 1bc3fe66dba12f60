package scheduler

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestLeastAllocatedResource(t *testing.T) {
	tests := []struct{ alloc, req, want int64 }{
		{4000, 0, 100},
		{4000, 1000, 75},
		{4000, 4000, 0},
		{4000, 5000, 0}, // over-committed
		{0, 0, 0},       // nothing to offer
		{3, 1, 66},      // integer arithmetic, as in Kubernetes
	}
	for _, tt := range tests {
		if got := leastAllocatedResource(tt.alloc, tt.req); got != tt.want {
			t.Errorf("leastAllocatedResource(%d, %d) = %d, want %d", tt.alloc, tt.req, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		raw     []int64
		reverse bool
		want    []int64
	}{
		{[]int64{0, 5, 10}, false, []int64{0, 50, 100}},
		{[]int64{0, 5, 10}, true, []int64{100, 50, 0}},
		{[]int64{0, 0}, false, []int64{0, 0}},
		{[]int64{0, 0}, true, []int64{100, 100}},
		{nil, true, []int64{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, normalize(tt.raw, tt.reverse)); diff != "" {
			t.Errorf("normalize(%v, %v) (-want +got):\n%s", tt.raw, tt.reverse, diff)
		}
	}
}

func TestScoreNodes(t *testing.T) {
	nodes := []*corev1.Node{mkNode("a"), mkNode("b", withLabels("zone", "z1")), mkNode("c")}
	busyA := mkPod("x", onNode("a"), requests("cpu", "2", "memory", "4Gi"))
	pod := mkPod("p", requests("cpu", "1", "memory", "2Gi"))

	got := scoreNodes(newPodInfo(pod), infos(nodes, busyA))
	want := []nodeScore{
		// a: cpu (4-3)/4 = 25, memory (8-6)/8 = 25
		{Name: "a", LeastAllocated: 25, NodeAffinity: 0, Taint: 100, Spread: 100, Total: 25 + 300 + 200},
		// b, c: cpu 75, memory 75
		{Name: "b", LeastAllocated: 75, NodeAffinity: 0, Taint: 100, Spread: 100, Total: 75 + 300 + 200},
		{Name: "c", LeastAllocated: 75, NodeAffinity: 0, Taint: 100, Spread: 100, Total: 75 + 300 + 200},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
}

func TestPickBest(t *testing.T) {
	tests := []struct {
		name   string
		scores []nodeScore
		want   string
	}{
		{"none", nil, ""},
		{"highest total", []nodeScore{{Name: "a", Total: 1}, {Name: "b", Total: 3}, {Name: "c", Total: 2}}, "b"},
		{"tie goes to the lowest name", []nodeScore{{Name: "c", Total: 5}, {Name: "a", Total: 5}, {Name: "b", Total: 5}}, "a"},
	}
	for _, tt := range tests {
		if got := pickBest(tt.scores); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Each score pulls the choice its way, all else being equal.
func TestScoringPreferences(t *testing.T) {
	soft := corev1.Taint{Key: "soft", Effect: corev1.TaintEffectPreferNoSchedule}
	term := func(w int32, key, value string) corev1.PreferredSchedulingTerm {
		return corev1.PreferredSchedulingTerm{Weight: w, Preference: corev1.NodeSelectorTerm{
			MatchExpressions: []corev1.NodeSelectorRequirement{expr(key, corev1.NodeSelectorOpIn, value)}}}
	}
	tests := []struct {
		name     string
		nodes    []*corev1.Node
		existing []*corev1.Pod
		pod      *corev1.Pod
		want     string
	}{
		{"equal nodes: lowest name", []*corev1.Node{mkNode("b"), mkNode("a")}, nil, mkPod("p"), "a"},
		{"least allocated", []*corev1.Node{mkNode("a"), mkNode("b")},
			[]*corev1.Pod{mkPod("x", onNode("a"), requests("cpu", "1"))}, mkPod("p"), "b"},
		{"best-effort pods count with default requests", []*corev1.Node{mkNode("a"), mkNode("b")},
			[]*corev1.Pod{mkPod("x", onNode("a"))}, mkPod("p"), "b"},
		{"preferred affinity beats emptiness", []*corev1.Node{mkNode("a"), mkNode("b", withLabels("zone", "z1"))},
			[]*corev1.Pod{mkPod("x", onNode("b"), requests("cpu", "2"))},
			mkPod("p", preferred(term(1, "zone", "z1"))), "b"},
		{"heavier preference wins", []*corev1.Node{mkNode("a", withLabels("disk", "ssd")), mkNode("b", withLabels("zone", "z1"))}, nil,
			mkPod("p", preferred(term(10, "zone", "z1"), term(90, "disk", "ssd"))), "a"},
		{"PreferNoSchedule avoided", []*corev1.Node{mkNode("a", withTaints(soft)), mkNode("b")},
			[]*corev1.Pod{mkPod("x", onNode("b"), requests("cpu", "2"))}, mkPod("p"), "b"},
		{"PreferNoSchedule tolerated", []*corev1.Node{mkNode("a", withTaints(soft)), mkNode("b")}, nil,
			mkPod("p", tolerations(corev1.Toleration{Key: "soft", Operator: corev1.TolerationOpExists})), "a"},
		{"replicas spread", []*corev1.Node{mkNode("a"), mkNode("b")},
			[]*corev1.Pod{mkPod("x", onNode("a"), ownedBy("rs1")), mkPod("y", onNode("b"), ownedBy("rs2")), mkPod("z", onNode("b"), ownedBy("rs2"))},
			mkPod("p", ownedBy("rs1")), "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fe := schedule(newPodInfo(tt.pod), infos(tt.nodes, tt.existing...), filters(nil))
			if fe != nil {
				t.Fatalf("unschedulable: %v", fe)
			}
			if got != tt.want {
				t.Errorf("chose %q, want %q", got, tt.want)
			}
		})
	}
}
