package replicaset

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// rp builds a pod for ranking: node ("" = unscheduled), phase, ready since
// (0 = not ready), restarts, created at (seconds after t0).
func rp(name, node string, phase corev1.PodPhase, readyAt, restarts, created int) *corev1.Pod {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(t0.Add(time.Duration(created) * time.Second))},
		Spec:       corev1.PodSpec{NodeName: node},
		Status:     corev1.PodStatus{Phase: phase, ContainerStatuses: []corev1.ContainerStatus{{RestartCount: int32(restarts)}}},
	}
	if readyAt > 0 {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(t0.Add(time.Duration(readyAt) * time.Second))}}
	}
	return p
}

func TestPodsToDelete(t *testing.T) {
	const (
		pending = corev1.PodPending
		running = corev1.PodRunning
		unknown = corev1.PodUnknown
	)
	tests := []struct {
		name    string
		pods    []*corev1.Pod
		related []*corev1.Pod // nil: the pods themselves
		n       int
		want    []string
	}{
		{
			name: "unscheduled before scheduled",
			pods: []*corev1.Pod{rp("a", "n1", running, 10, 0, 1), rp("b", "", pending, 0, 0, 0)},
			n:    1, want: []string{"b"},
		},
		{
			name: "pending < unknown < running",
			pods: []*corev1.Pod{rp("run", "n1", running, 0, 0, 1), rp("unk", "n2", unknown, 0, 0, 1), rp("pend", "n3", pending, 0, 0, 1)},
			n:    3, want: []string{"pend", "unk", "run"},
		},
		{
			name: "not ready before ready",
			pods: []*corev1.Pod{rp("ready", "n1", running, 10, 0, 0), rp("notready", "n2", running, 0, 0, 0)},
			n:    1, want: []string{"notready"},
		},
		{
			name: "doubled up on a node before alone",
			pods: []*corev1.Pod{rp("alone", "n1", running, 10, 0, 5), rp("pair1", "n2", running, 10, 0, 1), rp("pair2", "n2", running, 10, 0, 2)},
			n:    2, want: []string{"pair2", "pair1"},
		},
		{
			name:    "related pods of a sibling count for doubling up",
			pods:    []*corev1.Pod{rp("on-n1", "n1", running, 10, 0, 5), rp("on-n2", "n2", running, 10, 0, 1)},
			related: []*corev1.Pod{rp("on-n1", "n1", running, 10, 0, 5), rp("on-n2", "n2", running, 10, 0, 1), rp("sibling", "n2", running, 10, 0, 1)},
			n:       1, want: []string{"on-n2"},
		},
		{
			name: "ready for a shorter time first",
			pods: []*corev1.Pod{rp("old-ready", "n1", running, 10, 0, 9), rp("new-ready", "n2", running, 20, 0, 1)},
			n:    1, want: []string{"new-ready"},
		},
		{
			name: "more restarts first",
			pods: []*corev1.Pod{rp("stable", "n1", running, 10, 0, 9), rp("flappy", "n2", running, 10, 4, 1)},
			n:    1, want: []string{"flappy"},
		},
		{
			name: "then newer first",
			pods: []*corev1.Pod{rp("old", "n1", running, 10, 0, 1), rp("new", "n2", running, 10, 0, 2), rp("mid", "n3", running, 10, 0, 1)},
			n:    3, want: []string{"new", "old", "mid"},
		},
		{
			name: "unscheduled pending outranks an older running not-ready pod",
			pods: []*corev1.Pod{rp("r1", "n1", running, 5, 0, 0), rp("r2", "n2", running, 0, 0, 0), rp("p", "", pending, 0, 0, 9), rp("r3", "n3", running, 7, 0, 0)},
			n:    2, want: []string{"p", "r2"},
		},
		{name: "n == 0", pods: []*corev1.Pod{rp("a", "", pending, 0, 0, 0)}, n: 0, want: []string{}},
		{name: "n > len", pods: []*corev1.Pod{rp("a", "", pending, 0, 0, 0)}, n: 4, want: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			related := tt.related
			if related == nil {
				related = tt.pods
			}
			got := []string{}
			for _, p := range podsToDelete(tt.pods, related, tt.n) {
				got = append(got, p.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLaterOrZero(t *testing.T) {
	t1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Second)
	var zero time.Time
	tests := []struct {
		a, b time.Time
		want bool
	}{{t2, t1, true}, {t1, t2, false}, {zero, t1, true}, {t1, zero, false}, {zero, zero, false}, {t1, t1, false}}
	for i, tt := range tests {
		if got := laterOrZero(tt.a, tt.b); got != tt.want {
			t.Errorf("%d: got %v", i, got)
		}
	}
}
