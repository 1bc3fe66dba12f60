package deployment

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// rolloutRolling is one RollingUpdate step: grow the new ReplicaSet within
// the surge, else shrink old ones within the availability floor, else (the
// rollout being complete) clean up history.
func (p *planner) rolloutRolling() appsv1.DeploymentStatus {
	p.syncRevision(true)
	switch {
	case p.reconcileNew():
	case p.reconcileOld():
	default:
		if deploymentComplete(p.d, &p.d.Status) {
			p.cleanup()
		}
	}
	return rolloutStatus(p.d, p.all, p.newRS, p.now)
}

// reconcileNew scales the new ReplicaSet towards spec.replicas; it reports
// a change of size.
func (p *planner) reconcileNew() bool {
	want, have := replicasOf(p.d), replicasOf(p.newRS)
	switch {
	case have == want:
		return false
	case have > want:
		return p.scaleRS(p.newRS, want)
	}
	return p.scaleRS(p.newRS, newRSReplicas(p.d, p.all, p.newRS))
}

// reconcileOld scales old ReplicaSets down as far as availability allows:
// first their unavailable replicas (which cost nothing), then available
// ones down to spec.replicas - maxUnavailable. It reports a change.
func (p *planner) reconcileOld() bool {
	old := activeRSs(p.old)
	if sumSpec(old) == 0 {
		return false
	}
	minAvailable := replicasOf(p.d) - maxUnavailable(p.d)
	newUnavailable := replicasOf(p.newRS) - p.newRS.Status.AvailableReplicas
	budget := sumSpec(p.all) - minAvailable - newUnavailable
	if budget <= 0 {
		return false
	}
	cleaned := p.cleanupUnhealthy(old, budget)
	scaled := p.scaleDownOld(old)
	return cleaned+scaled > 0
}

// cleanupUnhealthy removes up to budget unavailable replicas from old
// ReplicaSets, oldest first.
func (p *planner) cleanupUnhealthy(old []*appsv1.ReplicaSet, budget int32) int32 {
	var total int32
	for _, rs := range sortedBy(old, byCreation) {
		if total >= budget {
			break
		}
		r := replicasOf(rs)
		unhealthy := r - rs.Status.AvailableReplicas
		if r == 0 || unhealthy <= 0 {
			continue
		}
		n := min(budget-total, unhealthy)
		p.scaleRS(rs, r-n)
		total += n
	}
	return total
}

// scaleDownOld removes available replicas from old ReplicaSets, oldest
// first, while more than spec.replicas - maxUnavailable stay available.
//
// A ReplicaSet is counted with at most spec.replicas available pods: one
// just scaled down may still report the pods it is deleting, and counting
// those would let the next step go below the floor.
func (p *planner) scaleDownOld(old []*appsv1.ReplicaSet) int32 {
	minAvailable := replicasOf(p.d) - maxUnavailable(p.d)
	var available int32
	for _, rs := range append(slices.Clone(old), p.newRS) {
		available += min(rs.Status.AvailableReplicas, replicasOf(rs))
	}
	if available <= minAvailable {
		return 0
	}
	budget := available - minAvailable
	var total int32
	for _, rs := range sortedBy(old, byCreation) {
		if total >= budget {
			break
		}
		r := replicasOf(rs)
		if r == 0 {
			continue
		}
		n := min(r, budget-total)
		p.scaleRS(rs, r-n)
		total += n
	}
	return total
}

// rolloutRecreate is one Recreate step: scale every old ReplicaSet to 0,
// wait until none of their pods runs, then create / scale up the new one.
func (p *planner) rolloutRecreate(pods map[types.UID][]*corev1.Pod) appsv1.DeploymentStatus {
	p.syncRevision(false)
	scaled := false
	for _, rs := range activeRSs(p.old) {
		if p.scaleRS(rs, 0) {
			scaled = true
		}
	}
	if scaled || oldPodsRunning(p.newRS, p.old, pods) {
		return rolloutStatus(p.d, p.all, p.newRS, p.now)
	}
	p.syncRevision(true)
	p.scaleRS(p.newRS, replicasOf(p.d))
	if deploymentComplete(p.d, &p.d.Status) {
		p.cleanup()
	}
	return rolloutStatus(p.d, p.all, p.newRS, p.now)
}

// oldPodsRunning: an old ReplicaSet still reports pods, or one of its pods
// has not finished (terminating pods count: Recreate promises the old
// version is gone before the new one starts).
func oldPodsRunning(newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet, pods map[types.UID][]*corev1.Pod) bool {
	if sumStatus(old, statusReplicas) > 0 {
		return true
	}
	for uid, list := range pods {
		if newRS != nil && newRS.UID == uid {
			continue
		}
		for _, pod := range list {
			if pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed {
				return true
			}
		}
	}
	return false
}
