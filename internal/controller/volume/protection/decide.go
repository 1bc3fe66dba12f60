package protection

import (
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// PodUsesClaim: the pod holds the claim. As in Kubernetes' pvc-protection
// controller only scheduled pods count (the agent refuses to start a pod
// whose claim is being deleted), and terminated (Succeeded/Failed) pods do
// not.
func PodUsesClaim(pod *corev1.Pod, claim *corev1.PersistentVolumeClaim) bool {
	if pod.Namespace != claim.Namespace || pod.Spec.NodeName == "" || storageutil.PodTerminated(pod) {
		return false
	}
	return slices.Contains(storageutil.PodClaimNames(pod), claim.Name)
}

// ReleaseClaim: the claim is being deleted, still has the finalizer, and no
// pod uses it.
func ReleaseClaim(claim *corev1.PersistentVolumeClaim, pods []*corev1.Pod) bool {
	if claim.DeletionTimestamp == nil || !storageutil.HasFinalizer(claim.Finalizers, storageutil.PVCProtectionFinalizer) {
		return false
	}
	for _, p := range pods {
		if PodUsesClaim(p, claim) {
			return false
		}
	}
	return true
}

// ReleaseVolume: the volume is being deleted, has the finalizer, and is
// not Bound.
func ReleaseVolume(pv *corev1.PersistentVolume) bool {
	return pv.DeletionTimestamp != nil && storageutil.HasFinalizer(pv.Finalizers, storageutil.PVProtectionFinalizer) &&
		pv.Status.Phase != corev1.VolumeBound
}
