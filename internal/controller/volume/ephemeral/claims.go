package ephemeral

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// ClaimsFor are the claims the pod's generic ephemeral volumes need:
// "<pod>-<volume>" from the volume's template, controlled by the pod so
// the garbage collector deletes them with it.
func ClaimsFor(pod *corev1.Pod) []*corev1.PersistentVolumeClaim {
	var out []*corev1.PersistentVolumeClaim
	yes := true
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if v.Ephemeral == nil || v.Ephemeral.VolumeClaimTemplate == nil {
			continue
		}
		tpl := v.Ephemeral.VolumeClaimTemplate
		out = append(out, &corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{
				Name:        storageutil.EphemeralClaimName(pod, v),
				Namespace:   pod.Namespace,
				Labels:      tpl.Labels,
				Annotations: tpl.Annotations,
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID,
					Controller: &yes, BlockOwnerDeletion: &yes}},
			},
			Spec: *tpl.Spec.DeepCopy(),
		})
	}
	return out
}

// OwnedBy reports, as Kubernetes' ephemeral.VolumeIsForPod words it, when
// an existing claim of that name is not the pod's.
func OwnedBy(claim *corev1.PersistentVolumeClaim, pod *corev1.Pod) error {
	if ref := metav1.GetControllerOf(claim); ref == nil || ref.UID != pod.UID {
		return fmt.Errorf("PVC %s/%s was not created for pod %s/%s (pod is not owner)", claim.Namespace, claim.Name, pod.Namespace, pod.Name)
	}
	return nil
}
