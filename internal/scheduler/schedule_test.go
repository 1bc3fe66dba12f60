package scheduler

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestFitErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		fe   fitError
		want string
	}{
		{"no nodes", fitError{}, "no nodes available to schedule pods"},
		{"the usual", fitError{NumNodes: 3, Reasons: map[string]int{reasonNodeAffinity: 2, "Insufficient cpu": 1}},
			"0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector."},
		{"one reason", fitError{NumNodes: 1, Reasons: map[string]int{reasonUnschedulable: 1}},
			"0/1 nodes are available: 1 node(s) were unschedulable."},
		{"sorted as strings, like Kubernetes", fitError{NumNodes: 12, Reasons: map[string]int{"Insufficient cpu": 10, "Insufficient memory": 2}},
			"0/12 nodes are available: 10 Insufficient cpu, 2 Insufficient memory."},
	}
	for _, tt := range tests {
		if got := tt.fe.Error(); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestScheduleReportsEveryNode(t *testing.T) {
	nodes := []*corev1.Node{
		mkNode("small", withAllocatable("cpu", "1", "memory", "1Gi", "pods", "10")),
		mkNode("wrong-zone", withLabels("zone", "b")),
		mkNode("other-zone", withLabels("zone", "c")),
	}
	pod := mkPod("p", requests("cpu", "2", "memory", "2Gi"), requiredTerms(corev1.NodeSelectorTerm{
		MatchExpressions: []corev1.NodeSelectorRequirement{expr("zone", corev1.NodeSelectorOpNotIn, "b", "c")}}))
	_, fe := schedule(newPodInfo(pod), infos(nodes), filters(nil))
	if fe == nil {
		t.Fatal("scheduled, want failure")
	}
	want := "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector."
	if fe.Error() != want {
		t.Errorf("message:\n got %q\nwant %q", fe.Error(), want)
	}
	if _, fe := schedule(newPodInfo(pod), nil, filters(nil)); fe == nil || fe.Error() != "no nodes available to schedule pods" {
		t.Errorf("no nodes: %v", fe)
	}
}

// Scheduling pods one after another, each placement must count for the
// next even though no informer has seen it: that is what assuming does.
func TestAssumedPodsAreAccounted(t *testing.T) {
	nodes := []*corev1.Node{mkNode("a", withAllocatable("cpu", "2", "memory", "4Gi", "pods", "10"))}
	var observed []*corev1.Pod // what the informer shows: all still pending
	for _, name := range []string{"p1", "p2", "p3"} {
		observed = append(observed, mkPod(name, requests("cpu", "1")))
	}
	cache := newAssumedPods()
	var placed []string
	for _, pod := range observed {
		all, settled := withAssumed(observed, cache.list())
		if len(settled) > 0 {
			t.Fatalf("settled %v while the informer lags", settled)
		}
		host, fe := schedule(newPodInfo(pod), infos(nodes, all...), filters(nil))
		if fe != nil {
			if got, want := fe.Error(), "0/1 nodes are available: 1 Insufficient cpu."; got != want {
				t.Errorf("message %q, want %q", got, want)
			}
			continue
		}
		cache.assume(pod, host)
		placed = append(placed, pod.Name)
	}
	if len(placed) != 2 {
		t.Errorf("placed %v, want exactly two pods on a 2-cpu node", placed)
	}
	if observed[0].Spec.NodeName != "" {
		t.Error("assume modified the informer's pod")
	}
}
