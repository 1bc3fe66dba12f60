package volume

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClaimName is the claim behind a pod volume: the named claim, or for a
// generic ephemeral volume the claim `<pod>-<volume>` the server creates.
func ClaimName(pod *corev1.Pod, v *corev1.Volume) (name string, ephemeral, ok bool) {
	switch {
	case v.PersistentVolumeClaim != nil:
		return v.PersistentVolumeClaim.ClaimName, false, true
	case v.Ephemeral != nil:
		return pod.Name + "-" + v.Name, true, true
	}
	return "", false, false
}

// Kind says how a claim's volume reaches a pod.
type Kind int

const (
	KindLocalPath   Kind = iota // bind the node directory
	KindLocalVolume             // bind the staging mount
	KindBlock                   // a loop device node (volumeDevices)
	KindHostPath                // bind the PV's hostPath
	KindLocal                   // bind the PV's local path
)

// Resolved is a pod volume resolved through its claim to a PV.
type Resolved struct {
	Kind     Kind
	PV       *corev1.PersistentVolume
	Path     string // hostPath and local PVs
	ReadOnly bool   // every mount of it is read-only
	// OncePod: the claim may be used by a single pod (ReadWriteOncePod).
	OncePod bool
}

// ResolveClaim checks that claim is bound to pv and usable by pod on node
// and says how to mount it. Errors are worded as the kubelet's.
func ResolveClaim(pod *corev1.Pod, ephemeral bool, volReadOnly bool, claim *corev1.PersistentVolumeClaim, pv *corev1.PersistentVolume, node string) (Resolved, error) {
	if ephemeral && !metav1.IsControlledBy(claim, pod) {
		return Resolved{}, fmt.Errorf("PVC %s/%s was not created for pod %s/%s (pod is not owner)", claim.Namespace, claim.Name, pod.Namespace, pod.Name)
	}
	if claim.DeletionTimestamp != nil && ephemeral {
		return Resolved{}, fmt.Errorf("PVC %s/%s is being deleted", claim.Namespace, claim.Name)
	}
	if claim.Status.Phase != corev1.ClaimBound || claim.Spec.VolumeName == "" {
		return Resolved{}, fmt.Errorf("PVC %s/%s has non-bound phase (%q) or empty pvc.Spec.VolumeName (%q)", claim.Namespace, claim.Name, claim.Status.Phase, claim.Spec.VolumeName)
	}
	if pv == nil {
		return Resolved{}, fmt.Errorf("persistentvolume %q not found", claim.Spec.VolumeName)
	}
	if ref := pv.Spec.ClaimRef; ref == nil || ref.Namespace != claim.Namespace || ref.Name != claim.Name || (ref.UID != "" && ref.UID != claim.UID) {
		return Resolved{}, fmt.Errorf("the PV %q is not bound to PVC %s/%s", pv.Name, claim.Namespace, claim.Name)
	}
	r := Resolved{PV: pv, ReadOnly: volReadOnly || readOnlyOnly(pv.Spec.AccessModes)}
	for _, m := range append(append([]corev1.PersistentVolumeAccessMode{}, claim.Spec.AccessModes...), pv.Spec.AccessModes...) {
		if m == corev1.ReadWriteOncePod {
			r.OncePod = true
		}
	}
	block := pv.Spec.VolumeMode != nil && *pv.Spec.VolumeMode == corev1.PersistentVolumeBlock
	switch {
	case Driver(pv) != "":
		if !IsOurs(pv, node) {
			return Resolved{}, fmt.Errorf("volume %q is on another node (node affinity conflict with %s)", pv.Name, node)
		}
		switch {
		case Driver(pv) == DriverLocalPath:
			r.Kind = KindLocalPath
		case block:
			r.Kind = KindBlock
		default:
			r.Kind = KindLocalVolume
		}
	case pv.Spec.HostPath != nil:
		r.Kind, r.Path = KindHostPath, pv.Spec.HostPath.Path
	case pv.Spec.Local != nil:
		if pv.Spec.NodeAffinity != nil && !AffinityNames(pv, node) {
			return Resolved{}, fmt.Errorf("volume %q is on another node (node affinity conflict with %s)", pv.Name, node)
		}
		r.Kind, r.Path = KindLocal, pv.Spec.Local.Path
	default:
		return Resolved{}, fmt.Errorf("persistentvolume %q: this volume source is not supported by berth", pv.Name)
	}
	if block && r.Kind != KindBlock {
		return Resolved{}, fmt.Errorf("persistentvolume %q: volumeMode Block is supported by %s only", pv.Name, DriverLocalVolume)
	}
	return r, nil
}

func readOnlyOnly(modes []corev1.PersistentVolumeAccessMode) bool {
	return len(modes) == 1 && modes[0] == corev1.ReadOnlyMany
}
