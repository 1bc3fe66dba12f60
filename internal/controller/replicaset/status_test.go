package replicaset

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestCalculateStatus(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	full := map[string]string{"app": "web", "tier": "web"}
	partial := map[string]string{"app": "web"}
	pod := func(lbls map[string]string, readyFor time.Duration) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Labels: lbls}}
		if readyFor >= 0 {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now.Add(-readyFor))}}
		}
		return p
	}
	earlier := metav1.NewTime(now.Add(-time.Hour))
	failing := appsv1.ReplicaSetCondition{Type: appsv1.ReplicaSetReplicaFailure, Status: corev1.ConditionTrue, Reason: "FailedCreate", Message: "old", LastTransitionTime: earlier}

	tests := []struct {
		name      string
		minReady  int32
		pods      []*corev1.Pod
		conds     []appsv1.ReplicaSetCondition
		fail      *failure
		want      appsv1.ReplicaSetStatus
		nextCheck time.Duration
	}{
		{
			name: "no pods",
			want: appsv1.ReplicaSetStatus{ObservedGeneration: 4},
		},
		{
			name: "labels, readiness, availability",
			pods: []*corev1.Pod{pod(full, time.Minute), pod(partial, time.Minute), pod(full, -1)},
			want: appsv1.ReplicaSetStatus{ObservedGeneration: 4, Replicas: 3, FullyLabeledReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2},
		},
		{
			name:      "minReadySeconds holds back a freshly ready pod",
			minReady:  30,
			pods:      []*corev1.Pod{pod(full, time.Minute), pod(full, 10*time.Second), pod(full, 25*time.Second)},
			want:      appsv1.ReplicaSetStatus{ObservedGeneration: 4, Replicas: 3, FullyLabeledReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 1},
			nextCheck: 5*time.Second + time.Millisecond,
		},
		{
			name: "a failure raises ReplicaFailure",
			fail: &failure{Reason: "FailedCreate", Message: "quota exceeded"},
			want: appsv1.ReplicaSetStatus{ObservedGeneration: 4, Conditions: []appsv1.ReplicaSetCondition{{
				Type: appsv1.ReplicaSetReplicaFailure, Status: corev1.ConditionTrue, Reason: "FailedCreate", Message: "quota exceeded", LastTransitionTime: metav1.NewTime(now),
			}}},
		},
		{
			name:  "an existing failure is kept as it was",
			conds: []appsv1.ReplicaSetCondition{failing},
			fail:  &failure{Reason: "FailedDelete", Message: "new"},
			want:  appsv1.ReplicaSetStatus{ObservedGeneration: 4, Conditions: []appsv1.ReplicaSetCondition{failing}},
		},
		{
			name:  "a clean pass clears it",
			conds: []appsv1.ReplicaSetCondition{failing},
			want:  appsv1.ReplicaSetStatus{ObservedGeneration: 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := testRS("web", 3)
			rs.Generation = 4
			rs.Spec.MinReadySeconds = tt.minReady
			rs.Status = appsv1.ReplicaSetStatus{Replicas: 9, ReadyReplicas: 9, Conditions: tt.conds}
			got := calculateStatus(rs, tt.pods, tt.fail, now)
			if !equalStatus(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if got := nextAvailabilityCheck(rs, tt.pods, now); got != tt.nextCheck {
				t.Errorf("next check %v, want %v", got, tt.nextCheck)
			}
			if len(tt.conds) > 0 && len(rs.Status.Conditions) != len(tt.conds) {
				t.Error("input status modified")
			}
		})
	}
}

func equalStatus(a, b appsv1.ReplicaSetStatus) bool {
	if len(a.Conditions) != len(b.Conditions) {
		return false
	}
	for i := range a.Conditions {
		x, y := a.Conditions[i], b.Conditions[i]
		if x.Type != y.Type || x.Status != y.Status || x.Reason != y.Reason || x.Message != y.Message || !x.LastTransitionTime.Equal(&y.LastTransitionTime) {
			return false
		}
	}
	a.Conditions, b.Conditions = nil, nil
	return equality.Semantic.DeepEqual(a, b)
}
