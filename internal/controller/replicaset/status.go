package replicaset

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// Condition reasons of ReplicaFailure, as Kubernetes reports them.
const (
	reasonFailedCreate = "FailedCreate"
	reasonFailedDelete = "FailedDelete"
)

// failure is a create or delete error of the pass, for the ReplicaFailure
// condition.
type failure struct {
	Reason  string
	Message string
}

// calculateStatus is the status the ReplicaSet should report with pods (its
// active pods) observed at now. fail, when set, raises ReplicaFailure; a
// pass without failure clears it. Other conditions are kept.
func calculateStatus(rs *appsv1.ReplicaSet, pods []*corev1.Pod, fail *failure, now time.Time) appsv1.ReplicaSetStatus {
	st := rs.Status.DeepCopy()
	st.ObservedGeneration = rs.Generation
	st.Replicas = int32(len(pods))
	st.FullyLabeledReplicas, st.ReadyReplicas, st.AvailableReplicas = 0, 0, 0
	template := labels.SelectorFromSet(rs.Spec.Template.Labels)
	for _, p := range pods {
		if template.Matches(labels.Set(p.Labels)) {
			st.FullyLabeledReplicas++
		}
		if podutil.IsReady(p) {
			st.ReadyReplicas++
			if podutil.IsAvailable(p, rs.Spec.MinReadySeconds, now) {
				st.AvailableReplicas++
			}
		}
	}
	i := conditionIndex(st.Conditions, appsv1.ReplicaSetReplicaFailure)
	switch {
	case fail != nil && i < 0:
		st.Conditions = append(st.Conditions, appsv1.ReplicaSetCondition{
			Type: appsv1.ReplicaSetReplicaFailure, Status: corev1.ConditionTrue,
			Reason: fail.Reason, Message: fail.Message, LastTransitionTime: metav1.NewTime(now),
		})
	case fail == nil && i >= 0:
		st.Conditions = append(st.Conditions[:i], st.Conditions[i+1:]...)
	}
	if len(st.Conditions) == 0 {
		st.Conditions = nil
	}
	return *st
}

func conditionIndex(conds []appsv1.ReplicaSetCondition, t appsv1.ReplicaSetConditionType) int {
	for i := range conds {
		if conds[i].Type == t {
			return i
		}
	}
	return -1
}

// nextAvailabilityCheck is when a ready pod will pass minReadySeconds, the
// moment status.availableReplicas changes without any event; 0 when no pod
// is waiting for that.
func nextAvailabilityCheck(rs *appsv1.ReplicaSet, pods []*corev1.Pod, now time.Time) time.Duration {
	var next time.Duration
	for _, p := range pods {
		if d, ok := podutil.AvailableIn(p, rs.Spec.MinReadySeconds, now); ok && d > 0 && (next == 0 || d < next) {
			next = d
		}
	}
	return next
}
