package apiserver

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

func TestVolumeStrategiesAddProtection(t *testing.T) {
	s := &Server{}
	pvc := &corev1.PersistentVolumeClaim{Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound}}
	s.newClaimStrategy(resByKind("PersistentVolumeClaim")).PrepareForCreate(context.Background(), pvc)
	if pvc.Status.Phase != corev1.ClaimPending || !slices.Equal(pvc.Finalizers, []string{storageutil.PVCProtectionFinalizer}) {
		t.Errorf("claim: phase %q finalizers %v", pvc.Status.Phase, pvc.Finalizers)
	}
	pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Finalizers: []string{storageutil.PVProtectionFinalizer, "x"}}}
	newVolumeStrategy(resByKind("PersistentVolume")).PrepareForCreate(context.Background(), pv)
	if pv.Status.Phase != corev1.VolumePending || len(pv.Finalizers) != 2 {
		t.Errorf("volume: phase %q finalizers %v (no duplicate)", pv.Status.Phase, pv.Finalizers)
	}
}

func TestResizeAllowed(t *testing.T) {
	yes, no := true, false
	classes := []*storagev1.StorageClass{
		{ObjectMeta: metav1.ObjectMeta{Name: "grow"}, AllowVolumeExpansion: &yes},
		{ObjectMeta: metav1.ObjectMeta{Name: "fixed"}, AllowVolumeExpansion: &no},
	}
	claim := func(class, size string, phase corev1.PersistentVolumeClaimPhase) *corev1.PersistentVolumeClaim {
		return &corev1.PersistentVolumeClaim{
			Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: &class,
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: apiresource.MustParse(size)}}},
			Status: corev1.PersistentVolumeClaimStatus{Phase: phase},
		}
	}
	tests := []struct {
		name     string
		new, old *corev1.PersistentVolumeClaim
		wantErr  string
	}{
		{"grow with expansion", claim("grow", "2Gi", corev1.ClaimBound), claim("grow", "1Gi", corev1.ClaimBound), ""},
		{"grow without expansion", claim("fixed", "2Gi", corev1.ClaimBound), claim("fixed", "1Gi", corev1.ClaimBound), msgResizeNotAllowed},
		{"grow, unknown class", claim("gone", "2Gi", corev1.ClaimBound), claim("gone", "1Gi", corev1.ClaimBound), msgResizeNotAllowed},
		{"grow unbound", claim("grow", "2Gi", corev1.ClaimPending), claim("grow", "1Gi", corev1.ClaimPending), "Only bound persistent volume claims can be expanded"},
		{"same size, other change", claim("fixed", "1Gi", corev1.ClaimBound), claim("fixed", "1Gi", corev1.ClaimBound), ""},
	}
	for _, tt := range tests {
		err := ResizeAllowed(tt.new, tt.old, classes)
		if (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestBootstrapStorageClasses(t *testing.T) {
	classes := BootstrapStorageClasses()
	if storageutil.DefaultClass(classes) != "local-path" {
		t.Error("local-path must be the only default")
	}
	for _, sc := range classes {
		if !storageutil.DelayBinding(sc) || *sc.ReclaimPolicy != corev1.PersistentVolumeReclaimDelete || !storageutil.IsOurDriver(sc.Provisioner) {
			t.Errorf("%s: %+v", sc.Name, sc)
		}
	}
}
