package expand

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/berth-project/berth/internal/controller/volume/capacity"
	"github.com/berth-project/berth/internal/controller/volume/provisioner"
	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// Plan is what expanding a claim's volume takes.
type Plan struct {
	// Wanted is false when the claim asks for no more than it has.
	Wanted bool
	// NewSize is the volume's new spec.capacity.storage; zero when the
	// volume is already that big (only the node's part is left).
	NewSize resource.Quantity
	// NodeResize: the node agent grows the filesystem (local-volume) and
	// then records the claim's capacity; otherwise (local-path) the server
	// records it at once.
	NodeResize bool
}

// PlanExpansion decides the server side of an expansion: a Bound claim
// whose request exceeds status.capacity, a volume of our drivers, a class
// with allowVolumeExpansion, and room on the volume's node for the growth.
func PlanExpansion(claim *corev1.PersistentVolumeClaim, pv *corev1.PersistentVolume, class *storagev1.StorageClass,
	node *corev1.Node, pvs []*corev1.PersistentVolume) (Plan, error) {
	req := storageutil.ClaimRequest(claim)
	have := claim.Status.Capacity[corev1.ResourceStorage]
	if claim.Status.Phase != corev1.ClaimBound || pv == nil || req.Cmp(have) <= 0 {
		return Plan{}, nil
	}
	if pv.Spec.CSI == nil || !storageutil.IsOurDriver(pv.Spec.CSI.Driver) {
		return Plan{}, fmt.Errorf("volume %s is not expandable: it was not provisioned by a berth.dev driver", pv.Name)
	}
	if class == nil || class.AllowVolumeExpansion == nil || !*class.AllowVolumeExpansion {
		return Plan{}, fmt.Errorf("storage class %q does not allow volume expansion", storageutil.ClaimClass(claim))
	}
	plan := Plan{Wanted: true, NodeResize: storageutil.Provisioner(pv.Spec.CSI.Driver) == storageutil.DriverLocalVolume}
	size := provisioner.Size(storageutil.Provisioner(pv.Spec.CSI.Driver), claim)
	cur := storageutil.VolumeSize(pv)
	if size.Cmp(cur) <= 0 {
		return plan, nil // the volume is already that big
	}
	if node == nil {
		return Plan{}, fmt.Errorf("node %q of volume %s not found", storageutil.ProvisionedNode(pv), pv.Name)
	}
	more := size.Value() - cur.Value()
	if free := capacity.Free(node, pvs); free < more {
		return Plan{}, fmt.Errorf("node %q has %s of free storage, growing volume %s to %s needs %s more",
			node.Name, qty(free), pv.Name, size.String(), qty(more))
	}
	plan.NewSize = size
	return plan, nil
}

func qty(b int64) string { return resource.NewQuantity(b, resource.BinarySI).String() }

// Condition types and messages of Kubernetes' expansion.
const (
	msgFileSystemResizePending = "Waiting for user to (re-)start a pod to finish file system resize of volume on node."
)

// ExpandedStatus is the claim's status once the server's part is done:
// allocatedResources records the request; a node resize leaves the
// FileSystemResizePending condition for the agent, otherwise capacity is
// the new size right away.
func ExpandedStatus(claim *corev1.PersistentVolumeClaim, plan Plan, size resource.Quantity) corev1.PersistentVolumeClaimStatus {
	st := *claim.Status.DeepCopy()
	st.AllocatedResources = corev1.ResourceList{corev1.ResourceStorage: storageutil.ClaimRequest(claim)}
	var conds []corev1.PersistentVolumeClaimCondition
	for _, c := range st.Conditions {
		if c.Type != corev1.PersistentVolumeClaimResizing && c.Type != corev1.PersistentVolumeClaimFileSystemResizePending {
			conds = append(conds, c)
		}
	}
	if plan.NodeResize {
		conds = append(conds, corev1.PersistentVolumeClaimCondition{
			Type: corev1.PersistentVolumeClaimFileSystemResizePending, Status: corev1.ConditionTrue, Message: msgFileSystemResizePending})
		st.AllocatedResourceStatuses = map[corev1.ResourceName]corev1.ClaimResourceStatus{
			corev1.ResourceStorage: corev1.PersistentVolumeClaimNodeResizePending}
	} else {
		st.Capacity = corev1.ResourceList{corev1.ResourceStorage: size}
		st.AllocatedResourceStatuses = nil
	}
	st.Conditions = conds
	return st
}
