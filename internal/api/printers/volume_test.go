package printers

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func storageQty(q string) corev1.ResourceList {
	return corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(q)}
}

func TestPersistentVolumeClaimCells(t *testing.T) {
	fs := corev1.PersistentVolumeFilesystem
	tests := []struct {
		name string
		pvc  func(*corev1.PersistentVolumeClaim)
		want row
	}{{
		name: "bound",
		pvc: func(c *corev1.PersistentVolumeClaim) {
			c.Spec.VolumeName = "pvc-8f0c1a"
			c.Status.Phase = corev1.ClaimBound
			c.Status.Capacity = storageQty("1Gi")
			c.Status.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
		},
		want: row{"data", "Bound", "pvc-8f0c1a", "1Gi", "RWO", "standard", "<unset>", "7m", "Filesystem"},
	}, {
		name: "pending: no capacity or modes until bound",
		pvc:  func(c *corev1.PersistentVolumeClaim) { c.Status.Phase = corev1.ClaimPending },
		want: row{"data", "Pending", "", "", "", "standard", "<unset>", "7m", "Filesystem"},
	}, {
		name: "terminating",
		pvc: func(c *corev1.PersistentVolumeClaim) {
			c.Status.Phase = corev1.ClaimBound
			c.DeletionTimestamp = agoPtr(time.Second)
		},
		want: row{"data", "Terminating", "", "", "", "standard", "<unset>", "7m", "Filesystem"},
	}, {
		name: "no class, beta annotation wins, volume attributes class set",
		pvc: func(c *corev1.PersistentVolumeClaim) {
			c.Spec.StorageClassName = nil
			c.Annotations = map[string]string{"volume.beta.kubernetes.io/storage-class": "legacy"}
			c.Spec.VolumeAttributesClassName = ptr("gold")
			c.Spec.VolumeMode = nil
			c.Status.Phase = corev1.ClaimPending
		},
		want: row{"data", "Pending", "", "", "", "legacy", "gold", "7m", "<unset>"},
	}, {
		name: "no class at all",
		pvc: func(c *corev1.PersistentVolumeClaim) {
			c.Spec.StorageClassName = nil
			c.Status.Phase = corev1.ClaimPending
		},
		want: row{"data", "Pending", "", "", "", "", "<unset>", "7m", "Filesystem"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &corev1.PersistentVolumeClaim{ObjectMeta: objMeta("data", 7*time.Minute)}
			c.Spec.StorageClassName = ptr("standard")
			c.Spec.VolumeMode = &fs
			c.Spec.Resources.Requests = storageQty("1Gi")
			tc.pvc(c)
			checkCells(t, len(persistentVolumeClaimColumns), persistentVolumeClaimCells(c, now), tc.want)
		})
	}
}

func TestPersistentVolumeCells(t *testing.T) {
	block := corev1.PersistentVolumeBlock
	tests := []struct {
		name string
		pv   func(*corev1.PersistentVolume)
		want row
	}{{
		name: "bound to a claim",
		pv: func(v *corev1.PersistentVolume) {
			v.Spec.ClaimRef = &corev1.ObjectReference{Namespace: "default", Name: "data"}
			v.Status.Phase = corev1.VolumeBound
		},
		want: row{"pv-1", "10Gi", "RWO,RWX", "Retain", "Bound", "default/data", "standard", "<unset>", "", "120m", "<unset>"},
	}, {
		name: "released with reason, block mode, attributes class",
		pv: func(v *corev1.PersistentVolume) {
			v.Status.Phase = corev1.VolumeFailed
			v.Status.Reason = "RecyclerFailed"
			v.Spec.VolumeMode = &block
			v.Spec.VolumeAttributesClassName = ptr("gold")
		},
		want: row{"pv-1", "10Gi", "RWO,RWX", "Retain", "Failed", "", "standard", "gold", "RecyclerFailed", "120m", "Block"},
	}, {
		name: "terminating, beta class annotation",
		pv: func(v *corev1.PersistentVolume) {
			v.Status.Phase = corev1.VolumeAvailable
			v.DeletionTimestamp = agoPtr(time.Second)
			v.Annotations = map[string]string{"volume.beta.kubernetes.io/storage-class": "legacy"}
		},
		want: row{"pv-1", "10Gi", "RWO,RWX", "Retain", "Terminating", "", "legacy", "<unset>", "", "120m", "<unset>"},
	}, {
		name: "no capacity",
		pv: func(v *corev1.PersistentVolume) {
			v.Spec.Capacity = nil
			v.Status.Phase = corev1.VolumeAvailable
		},
		want: row{"pv-1", "0", "RWO,RWX", "Retain", "Available", "", "standard", "<unset>", "", "120m", "<unset>"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &corev1.PersistentVolume{ObjectMeta: objMeta("pv-1", 2*time.Hour)}
			v.Spec.Capacity = storageQty("10Gi")
			// Listed out of order and duplicated: printed in canonical order, once.
			v.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany, corev1.ReadWriteOnce, corev1.ReadWriteMany}
			v.Spec.PersistentVolumeReclaimPolicy = corev1.PersistentVolumeReclaimRetain
			v.Spec.StorageClassName = "standard"
			tc.pv(v)
			checkCells(t, len(persistentVolumeColumns), persistentVolumeCells(v, now), tc.want)
		})
	}
}

func TestAccessModes(t *testing.T) {
	all := []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod, corev1.ReadWriteMany, corev1.ReadOnlyMany, corev1.ReadWriteOnce}
	if got := accessModes(all); got != "RWO,ROX,RWX,RWOP" {
		t.Errorf("got %q", got)
	}
	if got := accessModes(nil); got != "" {
		t.Errorf("no modes: got %q, want empty", got)
	}
}

func TestStorageClassCells(t *testing.T) {
	retain := corev1.PersistentVolumeReclaimRetain
	wait := storagev1.VolumeBindingWaitForFirstConsumer
	tests := []struct {
		name string
		sc   func(*storagev1.StorageClass)
		want row
	}{{
		name: "default class with explicit settings",
		sc: func(s *storagev1.StorageClass) {
			s.Annotations = map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}
			s.ReclaimPolicy = &retain
			s.VolumeBindingMode = &wait
			s.AllowVolumeExpansion = ptr(true)
		},
		want: row{"standard (default)", "rancher.io/local-path", "Retain", "WaitForFirstConsumer", true, "30d"},
	}, {
		name: "unset fields print their defaults",
		sc:   func(*storagev1.StorageClass) {},
		want: row{"standard", "rancher.io/local-path", "Delete", "Immediate", false, "30d"},
	}, {
		name: "beta default annotation",
		sc: func(s *storagev1.StorageClass) {
			s.Annotations = map[string]string{"storageclass.beta.kubernetes.io/is-default-class": "true"}
		},
		want: row{"standard (default)", "rancher.io/local-path", "Delete", "Immediate", false, "30d"},
	}, {
		name: "annotation not true",
		sc: func(s *storagev1.StorageClass) {
			s.Annotations = map[string]string{"storageclass.kubernetes.io/is-default-class": "false"}
		},
		want: row{"standard", "rancher.io/local-path", "Delete", "Immediate", false, "30d"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &storagev1.StorageClass{ObjectMeta: objMeta("standard", 30*24*time.Hour), Provisioner: "rancher.io/local-path"}
			tc.sc(s)
			checkCells(t, len(storageClassColumns), storageClassCells(s, now), tc.want)
		})
	}
}
