package podutil

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// IsTerminal: the pod has finished (Succeeded or Failed) and will not run
// again.
func IsTerminal(p *corev1.Pod) bool {
	return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
}

// IsActive: the pod counts towards a controller's replicas — neither
// finished nor terminating.
func IsActive(p *corev1.Pod) bool {
	return !IsTerminal(p) && p.DeletionTimestamp == nil
}

// ReadyCondition returns the pod's Ready condition, or nil.
func ReadyCondition(p *corev1.Pod) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == corev1.PodReady {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// IsReady: the pod's Ready condition is True.
func IsReady(p *corev1.Pod) bool {
	c := ReadyCondition(p)
	return c != nil && c.Status == corev1.ConditionTrue
}

// IsAvailable: the pod has been ready for more than minReadySeconds,
// measured from the Ready condition's lastTransitionTime. With
// minReadySeconds 0 a ready pod is available at once.
func IsAvailable(p *corev1.Pod, minReadySeconds int32, now time.Time) bool {
	d, ok := AvailableIn(p, minReadySeconds, now)
	return ok && d == 0
}

// AvailableIn reports, for a ready pod, how long until it becomes available
// (0 when it already is); ok is false for a pod that is not ready.
func AvailableIn(p *corev1.Pod, minReadySeconds int32, now time.Time) (d time.Duration, ok bool) {
	c := ReadyCondition(p)
	if c == nil || c.Status != corev1.ConditionTrue {
		return 0, false
	}
	if minReadySeconds <= 0 || c.LastTransitionTime.IsZero() {
		return 0, true
	}
	at := c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second)
	if at.Before(now) {
		return 0, true
	}
	// Available strictly after the deadline: wake up just past it.
	return at.Sub(now) + time.Millisecond, true
}
