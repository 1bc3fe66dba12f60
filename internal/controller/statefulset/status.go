package statefulset

import (
	appsv1 "k8s.io/api/apps/v1"
)

// computeStatus counts the observed pods as Kubernetes does: replicas are
// all pods, readyReplicas the Running and Ready ones (availableReplicas
// those ready for minReadySeconds), currentReplicas / updatedReplicas the
// live ones at the current / update revision. Conditions and the collision
// count are carried over; observedGeneration is the set's generation.
func computeStatus(in observed) appsv1.StatefulSetStatus {
	set := in.Set
	st := appsv1.StatefulSetStatus{
		ObservedGeneration: set.Generation,
		CurrentRevision:    in.Current,
		UpdateRevision:     in.Update,
		CollisionCount:     set.Status.CollisionCount,
		Conditions:         set.Status.Conditions,
	}
	for _, p := range in.Pods {
		st.Replicas++
		if isRunningAndReady(p) {
			st.ReadyReplicas++
			if isRunningAndAvailable(p, set.Spec.MinReadySeconds, in.Now) {
				st.AvailableReplicas++
			}
		}
		if !isTerminating(p) {
			if revisionOf(p) == in.Current {
				st.CurrentReplicas++
			}
			if revisionOf(p) == in.Update {
				st.UpdatedReplicas++
			}
		}
	}
	return st
}

// completeRollingUpdate: once every pod is at the update revision and
// ready, the update revision becomes the current one.
func completeRollingUpdate(set *appsv1.StatefulSet, st *appsv1.StatefulSetStatus) {
	if set.Spec.UpdateStrategy.Type == appsv1.RollingUpdateStatefulSetStrategyType &&
		st.UpdatedReplicas == st.Replicas && st.ReadyReplicas == st.Replicas {
		st.CurrentReplicas = st.UpdatedReplicas
		st.CurrentRevision = st.UpdateRevision
	}
}
