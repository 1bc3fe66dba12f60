package nodelifecycle

import (
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Reasons and messages Kubernetes' node lifecycle controller writes.
const (
	reasonStatusUnknown      = "NodeStatusUnknown"
	messageStatusUnknown     = "Kubelet stopped posting node status."
	reasonStatusNeverUpdated = "NodeStatusNeverUpdated"
	messageNeverUpdated      = "Kubelet never posted node status."
)

// conditionsSetUnknown are the node conditions the agent owns and the
// controller marks Unknown when the agent falls silent.
var conditionsSetUnknown = []corev1.NodeConditionType{
	corev1.NodeReady, corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure,
}

// heartbeat is what the controller last saw of a node's liveness signals,
// and when (by its own clock: comparing the agent's timestamps with ours
// would make clock skew look like failure, so Kubernetes does the same).
type heartbeat struct {
	leaseRenew  time.Time // the Lease's spec.renewTime
	readyBeat   time.Time // the Ready condition's lastHeartbeatTime
	readyStatus corev1.ConditionStatus
	observed    time.Time // when either last changed
}

// observe folds the node's current signals into the previous heartbeat:
// any change counts as a sign of life at now. A node seen for the first
// time gets a full grace period from now.
func observe(prev *heartbeat, node *corev1.Node, lease *coordinationv1.Lease, now time.Time) heartbeat {
	cur := heartbeat{observed: now}
	if lease != nil && lease.Spec.RenewTime != nil {
		cur.leaseRenew = lease.Spec.RenewTime.Time
	}
	if c := condition(node, corev1.NodeReady); c != nil {
		cur.readyBeat = c.LastHeartbeatTime.Time
		cur.readyStatus = c.Status
	}
	if prev != nil && prev.leaseRenew.Equal(cur.leaseRenew) && prev.readyBeat.Equal(cur.readyBeat) && prev.readyStatus == cur.readyStatus {
		cur.observed = prev.observed
	}
	return cur
}

// unknownConditions returns the node's conditions with those the agent
// owns set to Unknown, when no heartbeat was observed for grace; nil when
// nothing is to change (heartbeat fresh, or already Unknown).
func unknownConditions(node *corev1.Node, hb heartbeat, now time.Time, grace time.Duration) []corev1.NodeCondition {
	if now.Sub(hb.observed) <= grace {
		return nil
	}
	out := append([]corev1.NodeCondition(nil), node.Status.Conditions...)
	changed := false
	ts := metav1.NewTime(now)
	for _, t := range conditionsSetUnknown {
		i := conditionIndex(out, t)
		if i < 0 {
			// never posted: Kubernetes adds it as Unknown, heartbeat = creation
			out = append(out, corev1.NodeCondition{Type: t, Status: corev1.ConditionUnknown,
				Reason: reasonStatusNeverUpdated, Message: messageNeverUpdated,
				LastHeartbeatTime: node.CreationTimestamp, LastTransitionTime: ts})
			changed = true
			continue
		}
		if out[i].Status == corev1.ConditionUnknown {
			continue
		}
		out[i].Status = corev1.ConditionUnknown
		out[i].Reason = reasonStatusUnknown
		out[i].Message = messageStatusUnknown
		out[i].LastTransitionTime = ts
		changed = true
	}
	if !changed {
		return nil
	}
	return out
}

func condition(node *corev1.Node, t corev1.NodeConditionType) *corev1.NodeCondition {
	if i := conditionIndex(node.Status.Conditions, t); i >= 0 {
		return &node.Status.Conditions[i]
	}
	return nil
}

func conditionIndex(conds []corev1.NodeCondition, t corev1.NodeConditionType) int {
	for i := range conds {
		if conds[i].Type == t {
			return i
		}
	}
	return -1
}

// readyStatus is the node's Ready condition status; Unknown when absent.
func readyStatus(node *corev1.Node) corev1.ConditionStatus {
	if c := condition(node, corev1.NodeReady); c != nil {
		return c.Status
	}
	return corev1.ConditionUnknown
}
