package daemonset

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestCalculateStatus(t *testing.T) {
	ds := testDS("v1")
	ds.Generation = 3
	ds.Spec.MinReadySeconds = 60
	ds.Status = appsv1.DaemonSetStatus{ObservedGeneration: 2, CollisionCount: ptr.To(int32(1))}
	tainted := readyNode("n5", corev1.Taint{Key: "k", Effect: corev1.TaintEffectNoSchedule})
	nodes := []*corev1.Node{readyNode("n1"), readyNode("n2"), readyNode("n3"), readyNode("n4"), tainted}
	pods := []*corev1.Pod{
		dpod("a", "n1", "h1", 0, time.Hour),      // updated, available
		dpod("b", "n2", "h0", 0, time.Hour),      // outdated, available
		dpod("c", "n3", "h1", 0, 10*time.Second), // ready, not yet available
		dpod("c2", "n3", "h0", 9, -1),            // a younger extra pod: not the one counted
		dpod("e", "n5", "h0", 0, time.Hour),      // misscheduled
		// n4: none
	}
	byNode := groupByNode(pods)
	want := appsv1.DaemonSetStatus{
		ObservedGeneration: 3, CollisionCount: ptr.To(int32(1)),
		DesiredNumberScheduled: 4, CurrentNumberScheduled: 3, NumberReady: 3, NumberAvailable: 2,
		NumberUnavailable: 2, UpdatedNumberScheduled: 2, NumberMisscheduled: 1,
	}
	got := calculateStatus(ds, nodes, byNode, "h1", true, now)
	if got.String() != want.String() {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got := calculateStatus(ds, nodes, byNode, "h1", false, now); got.ObservedGeneration != 2 {
		t.Error("observedGeneration must not move when the pass did not act")
	}
	if d := nextAvailabilityCheck(ds, byNode, now); d != 50*time.Second+time.Millisecond {
		t.Errorf("next check %v", d)
	}
}
