package e2e

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/berth-project/berth/internal/volume"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Storage helpers shared by the storage e2e tests and benchmarks: PVs as
// the storage contract's provisioner makes them, and the binder's work
// done by hand where no server-side binder runs.

// ContractPV is a PV as the storage contract's local-volume provisioner
// makes it for claim on node (with the API-valid CSI driver name).
func ContractPV(name, node string, claim *corev1.PersistentVolumeClaim, size string, mode corev1.PersistentVolumeMode) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name,
			Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": volume.DriverLocalVolume},
			Finalizers:  []string{"kubernetes.io/pv-protection", volume.FinalizerNodeStorage}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{
				Driver: volume.CSIDriverLocalVolume, VolumeHandle: name, FSType: "ext4",
				VolumeAttributes: map[string]string{volume.AttrNode: node}}},
			AccessModes:                   claim.Spec.AccessModes,
			VolumeMode:                    &mode,
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
			StorageClassName:              *claim.Spec.StorageClassName,
			ClaimRef:                      &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: claim.Namespace, Name: claim.Name, UID: claim.UID},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/hostname", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}}}}}},
		},
	}
}

// BindByHand does the binder's part when no server-side binder runs (and
// is harmless when one does): claim.spec.volumeName, then both statuses.
func BindByHand(t *testing.T, cs kubernetes.Interface, ns, claim, pvName, size string) {
	t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		c, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, claim, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Spec.VolumeName == pvName {
			break
		}
		c.Spec.VolumeName = pvName
		if _, err = cs.CoreV1().PersistentVolumeClaims(ns).Update(ctx, c, metav1.UpdateOptions{}); err == nil {
			break
		} else if !apierrors.IsConflict(err) || i > 5 {
			t.Fatalf("setting the claim's volumeName: %v", err)
		}
	}
	for i := 0; ; i++ {
		pv, err := cs.CoreV1().PersistentVolumes().Get(ctx, pvName, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if pv.Status.Phase == corev1.VolumeBound {
			break
		}
		pv.Status.Phase = corev1.VolumeBound
		if _, err = cs.CoreV1().PersistentVolumes().UpdateStatus(ctx, pv, metav1.UpdateOptions{}); err == nil {
			break
		} else if !apierrors.IsConflict(err) || i > 5 {
			t.Fatal(err)
		}
	}
	UpdateClaimStatus(t, cs, ns, claim, func(c *corev1.PersistentVolumeClaim) {
		if c.Status.Phase == corev1.ClaimBound {
			return
		}
		c.Status.Phase = corev1.ClaimBound
		c.Status.AccessModes = c.Spec.AccessModes
		c.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}
	})
}

func UpdateClaimStatus(t *testing.T, cs kubernetes.Interface, ns, name string, mutate func(*corev1.PersistentVolumeClaim)) {
	t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		c, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mutate(c)
		if _, err = cs.CoreV1().PersistentVolumeClaims(ns).UpdateStatus(ctx, c, metav1.UpdateOptions{}); err == nil {
			return
		} else if !apierrors.IsConflict(err) || i > 5 {
			t.Fatalf("claim status: %v", err)
		}
	}
}

// ForceDeletePV removes a PV whatever finalizers it still has.
func ForceDeletePV(cs kubernetes.Interface, name string) {
	ctx := context.Background()
	_ = cs.CoreV1().PersistentVolumes().Delete(ctx, name, metav1.DeleteOptions{})
	for i := 0; i < 5; i++ {
		pv, err := cs.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
		if err != nil || len(pv.Finalizers) == 0 {
			return
		}
		pv.Finalizers = nil
		if _, err := cs.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{}); err == nil {
			return
		}
	}
}

// StorageDir is the node agent's <root-dir>/storage.
func (w *NodeWorld) StorageDir() string { return filepath.Join(w.agentDir(), "storage") }
