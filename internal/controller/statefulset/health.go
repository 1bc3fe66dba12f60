package statefulset

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// The pod states the StatefulSet rules are written in, as Kubernetes'
// controller defines them.

func isTerminating(p *corev1.Pod) bool { return p.DeletionTimestamp != nil }

func isFinished(p *corev1.Pod) bool {
	return p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded
}

func isRunningAndReady(p *corev1.Pod) bool {
	return p.Status.Phase == corev1.PodRunning && podutil.IsReady(p)
}

// isRunningAndAvailable: running and ready for more than minReadySeconds.
func isRunningAndAvailable(p *corev1.Pod, minReadySeconds int32, now time.Time) bool {
	return p.Status.Phase == corev1.PodRunning && podutil.IsAvailable(p, minReadySeconds, now)
}

// isHealthy: running, ready and not on its way out.
func isHealthy(p *corev1.Pod) bool { return isRunningAndReady(p) && !isTerminating(p) }
