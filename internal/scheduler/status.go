package scheduler

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Condition reasons of PodScheduled=False, as Kubernetes sets them.
const (
	reasonPodUnschedulable = corev1.PodReasonUnschedulable   // "Unschedulable"
	reasonPodGated         = corev1.PodReasonSchedulingGated // "SchedulingGated"
	messageGated           = "Scheduling is blocked due to non-empty scheduling gates"
)

// responsible: the pod is waiting for this scheduler. Pods that name a node
// themselves, belong to another scheduler, are going away or are done are
// not ours.
func responsible(pod *corev1.Pod, schedulerName string) bool {
	return pod.Spec.NodeName == "" &&
		(pod.Spec.SchedulerName == "" || pod.Spec.SchedulerName == schedulerName) &&
		pod.DeletionTimestamp == nil &&
		!terminal(pod)
}

// gated: scheduling gates hold the pod back until they are all removed.
func gated(pod *corev1.Pod) bool { return len(pod.Spec.SchedulingGates) > 0 }

// notScheduledCondition returns the PodScheduled=False condition to write,
// or ok=false when the pod already says exactly that. The transition time
// is kept when the status does not change.
func notScheduledCondition(pod *corev1.Pod, reason, message string, now metav1.Time) (corev1.PodCondition, bool) {
	want := corev1.PodCondition{
		Type:               corev1.PodScheduled,
		Status:             corev1.ConditionFalse,
		Reason:             reason,
		Message:            message,
		LastTransitionTime: now,
	}
	for _, c := range pod.Status.Conditions {
		if c.Type != corev1.PodScheduled {
			continue
		}
		if c.Status == want.Status && c.Reason == want.Reason && c.Message == want.Message {
			return corev1.PodCondition{}, false
		}
		if c.Status == want.Status {
			want.LastTransitionTime = c.LastTransitionTime
		}
	}
	return want, true
}

// conditionPatch is a strategic merge patch for pods/status that replaces
// the one condition (conditions merge by type). The UID guards against
// writing to a pod re-created under the same name.
func conditionPatch(uid types.UID, c corev1.PodCondition) ([]byte, error) {
	return json.Marshal(map[string]any{
		"metadata": map[string]any{"uid": uid},
		"status":   map[string]any{"conditions": []corev1.PodCondition{c}},
	})
}
