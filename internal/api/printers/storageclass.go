package printers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Annotations that make a StorageClass the cluster default, the GA one and
// its beta predecessor.
const (
	defaultClassAnnotation     = "storageclass.kubernetes.io/is-default-class"
	betaDefaultClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class"
)

var storageClassDoc = storagev1.StorageClass{}.SwaggerDoc()

var storageClassColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Provisioner", typeString, storageClassDoc["provisioner"]),
	column("ReclaimPolicy", typeString, storageClassDoc["reclaimPolicy"]),
	column("VolumeBindingMode", typeString, storageClassDoc["volumeBindingMode"]),
	column("AllowVolumeExpansion", typeString, storageClassDoc["allowVolumeExpansion"]),
	ageColumn,
}

// storageClassCells is one row of `kubectl get storageclasses`. The default
// class is marked "(default)" after its name; unset fields print the values
// Kubernetes applies for them (Delete, Immediate, false).
func storageClassCells(sc *storagev1.StorageClass, now time.Time) []interface{} {
	name := sc.Name
	if isDefaultClass(sc.Annotations) {
		name += " (default)"
	}
	reclaim := string(corev1.PersistentVolumeReclaimDelete)
	if sc.ReclaimPolicy != nil {
		reclaim = string(*sc.ReclaimPolicy)
	}
	binding := string(storagev1.VolumeBindingImmediate)
	if sc.VolumeBindingMode != nil {
		binding = string(*sc.VolumeBindingMode)
	}
	expand := sc.AllowVolumeExpansion != nil && *sc.AllowVolumeExpansion
	return []interface{}{name, sc.Provisioner, reclaim, binding, expand, age(sc.CreationTimestamp, now)}
}

// isDefaultClass reports whether either default-class annotation is "true".
func isDefaultClass(annotations map[string]string) bool {
	return annotations[defaultClassAnnotation] == "true" || annotations[betaDefaultClassAnnotation] == "true"
}
