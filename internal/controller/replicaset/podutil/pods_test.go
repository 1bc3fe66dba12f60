package podutil

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPodState(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	deleted := metav1.NewTime(now)
	ready := func(since time.Duration) corev1.PodStatus {
		return corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{
			Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now.Add(-since)),
		}}}
	}
	tests := []struct {
		name        string
		pod         corev1.Pod
		minReady    int32
		active      bool
		isReady     bool
		available   bool
		availableIn time.Duration
	}{
		{name: "pending", pod: corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending}}, active: true},
		{name: "running not ready", pod: corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}}}}, active: true},
		{name: "ready, no minReadySeconds", pod: corev1.Pod{Status: ready(0)}, active: true, isReady: true, available: true},
		{name: "ready 5s of 10", pod: corev1.Pod{Status: ready(5 * time.Second)}, minReady: 10, active: true, isReady: true, availableIn: 5*time.Second + time.Millisecond},
		{name: "ready exactly 10s of 10: not yet", pod: corev1.Pod{Status: ready(10 * time.Second)}, minReady: 10, active: true, isReady: true, availableIn: time.Millisecond},
		{name: "ready 11s of 10", pod: corev1.Pod{Status: ready(11 * time.Second)}, minReady: 10, active: true, isReady: true, available: true},
		{name: "ready without transition time", pod: corev1.Pod{Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}, minReady: 10, active: true, isReady: true, available: true},
		{name: "succeeded", pod: corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodSucceeded}}},
		{name: "failed", pod: corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodFailed}}},
		{name: "terminating but ready", pod: corev1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &deleted}, Status: ready(time.Hour)}, isReady: true, available: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsActive(&tt.pod); got != tt.active {
				t.Errorf("IsActive = %v", got)
			}
			if got := IsReady(&tt.pod); got != tt.isReady {
				t.Errorf("IsReady = %v", got)
			}
			if got := IsAvailable(&tt.pod, tt.minReady, now); got != tt.available {
				t.Errorf("IsAvailable = %v", got)
			}
			d, ok := AvailableIn(&tt.pod, tt.minReady, now)
			if ok != tt.isReady || d != tt.availableIn {
				t.Errorf("AvailableIn = %v,%v want %v,%v", d, ok, tt.availableIn, tt.isReady)
			}
		})
	}
}
