package printers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// betaStorageClassAnnotation predates spec.storageClassName and, when
// present, still wins over it.
const betaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class"

var (
	pvSpecDoc    = corev1.PersistentVolumeSpec{}.SwaggerDoc()
	pvStatusDoc  = corev1.PersistentVolumeStatus{}.SwaggerDoc()
	pvcSpecDoc   = corev1.PersistentVolumeClaimSpec{}.SwaggerDoc()
	pvcStatusDoc = corev1.PersistentVolumeClaimStatus{}.SwaggerDoc()
)

var persistentVolumeColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Capacity", typeString, pvSpecDoc["capacity"]),
	column("Access Modes", typeString, pvSpecDoc["accessModes"]),
	column("Reclaim Policy", typeString, pvSpecDoc["persistentVolumeReclaimPolicy"]),
	column("Status", typeString, pvStatusDoc["phase"]),
	column("Claim", typeString, pvSpecDoc["claimRef"]),
	column("StorageClass", typeString, "StorageClass of the pv"),
	column("VolumeAttributesClass", typeString, "VolumeAttributesClass of the pv"),
	column("Reason", typeString, pvStatusDoc["reason"]),
	ageColumn,
	wide("VolumeMode", typeString, pvSpecDoc["volumeMode"]),
}

// persistentVolumeCells is one row of `kubectl get pv -o wide`.
func persistentVolumeCells(pv *corev1.PersistentVolume, now time.Time) []interface{} {
	claim := ""
	if ref := pv.Spec.ClaimRef; ref != nil {
		claim = ref.Namespace + "/" + ref.Name
	}
	capacity := pv.Spec.Capacity[corev1.ResourceStorage]
	phase := string(pv.Status.Phase)
	if pv.DeletionTimestamp != nil {
		phase = "Terminating"
	}
	class := pv.Spec.StorageClassName
	if c, ok := pv.Annotations[betaStorageClassAnnotation]; ok {
		class = c
	}
	return []interface{}{
		pv.Name,
		capacity.String(),
		accessModes(pv.Spec.AccessModes),
		string(pv.Spec.PersistentVolumeReclaimPolicy),
		phase,
		claim,
		class,
		derefOr(pv.Spec.VolumeAttributesClassName, unset),
		pv.Status.Reason,
		age(pv.CreationTimestamp, now),
		volumeMode(pv.Spec.VolumeMode),
	}
}

var persistentVolumeClaimColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Status", typeString, pvcStatusDoc["phase"]),
	column("Volume", typeString, pvcSpecDoc["volumeName"]),
	column("Capacity", typeString, pvcStatusDoc["capacity"]),
	column("Access Modes", typeString, pvcStatusDoc["accessModes"]),
	column("StorageClass", typeString, "StorageClass of the pvc"),
	column("VolumeAttributesClass", typeString, "VolumeAttributesClass of the pvc"),
	ageColumn,
	wide("VolumeMode", typeString, pvcSpecDoc["volumeMode"]),
}

// persistentVolumeClaimCells is one row of `kubectl get pvc -o wide`.
// CAPACITY and ACCESS MODES describe the bound volume (from status), so
// they stay empty until the claim names a volume.
func persistentVolumeClaimCells(pvc *corev1.PersistentVolumeClaim, now time.Time) []interface{} {
	phase := string(pvc.Status.Phase)
	if pvc.DeletionTimestamp != nil {
		phase = "Terminating"
	}
	capacity, modes := "", ""
	if pvc.Spec.VolumeName != "" {
		q := pvc.Status.Capacity[corev1.ResourceStorage]
		capacity = q.String()
		modes = accessModes(pvc.Status.AccessModes)
	}
	class := derefOr(pvc.Spec.StorageClassName, "")
	if c, ok := pvc.Annotations[betaStorageClassAnnotation]; ok {
		class = c
	}
	return []interface{}{
		pvc.Name,
		phase,
		pvc.Spec.VolumeName,
		capacity,
		modes,
		class,
		derefOr(pvc.Spec.VolumeAttributesClassName, unset),
		age(pvc.CreationTimestamp, now),
		volumeMode(pvc.Spec.VolumeMode),
	}
}

func volumeMode(m *corev1.PersistentVolumeMode) string {
	if m == nil {
		return unset
	}
	return string(*m)
}

// derefOr returns *p, or def for a nil pointer.
func derefOr[T ~string](p *T, def string) string {
	if p == nil {
		return def
	}
	return string(*p)
}
