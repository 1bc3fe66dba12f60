// Package capacity computes how much storage a node can still provision:
// the storage contract's "free capacity" (node-published allocatable
// berth.dev/local-storage minus the volumes already made there). The
// provisioner and the scheduler both use it so over-commit is refused.
package capacity

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// Allocatable is what the node publishes for provisioned volumes; ok is
// false when it publishes nothing (its agent has no storage).
func Allocatable(node *corev1.Node) (resource.Quantity, bool) {
	q, ok := node.Status.Allocatable[storageutil.CapacityResource]
	return q, ok
}

// Used sums spec.capacity.storage of our drivers' PVs placed on node, in
// any phase: a volume counts until its object is gone (the agent removes
// the backing storage before it lets go of the PV).
func Used(nodeName string, pvs []*corev1.PersistentVolume) int64 {
	var used int64
	for _, pv := range pvs {
		if pv.Spec.CSI == nil || !storageutil.IsOurDriver(pv.Spec.CSI.Driver) || !onNode(pv, nodeName) {
			continue
		}
		q := storageutil.VolumeSize(pv)
		used += q.Value()
	}
	return used
}

// Free is allocatable minus used, in bytes; never below zero. A node that
// publishes no capacity has none free.
func Free(node *corev1.Node, pvs []*corev1.PersistentVolume) int64 {
	alloc, ok := Allocatable(node)
	if !ok {
		return 0
	}
	return max(alloc.Value()-Used(node.Name, pvs), 0)
}

// Fits: the node can hold another volume of size bytes.
func Fits(node *corev1.Node, pvs []*corev1.PersistentVolume, size int64) bool {
	return size <= Free(node, pvs)
}

// onNode: the PV's node affinity names nodeName through the hostname label
// (how provisioned volumes are pinned), or its csi attributes do.
func onNode(pv *corev1.PersistentVolume, nodeName string) bool {
	if storageutil.ProvisionedNode(pv) == nodeName {
		return true
	}
	na := pv.Spec.NodeAffinity
	if na == nil || na.Required == nil {
		return false
	}
	for _, t := range na.Required.NodeSelectorTerms {
		for _, e := range t.MatchExpressions {
			if e.Key == corev1.LabelHostname && e.Operator == corev1.NodeSelectorOpIn && len(e.Values) == 1 && e.Values[0] == nodeName {
				return true
			}
		}
	}
	return false
}
