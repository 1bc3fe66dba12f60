package protection

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

func pod(name, node string, phase corev1.PodPhase, vols ...corev1.Volume) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name},
		Spec: corev1.PodSpec{NodeName: node, Volumes: vols}, Status: corev1.PodStatus{Phase: phase}}
}

func claimVol(claim string) corev1.Volume {
	return corev1.Volume{Name: "v", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}}
}

func TestReleaseClaim(t *testing.T) {
	now := metav1.Now()
	deleting := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "data", DeletionTimestamp: &now,
		Finalizers: []string{storageutil.PVCProtectionFinalizer}}}
	live := deleting.DeepCopy()
	live.DeletionTimestamp = nil
	eph := corev1.Volume{Name: "scratch", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{}}}
	ephClaim := deleting.DeepCopy()
	ephClaim.Name = "p-scratch"
	tests := []struct {
		name  string
		claim *corev1.PersistentVolumeClaim
		pods  []*corev1.Pod
		want  bool
	}{
		{"unused", deleting, nil, true},
		{"not being deleted", live, nil, false},
		{"running pod holds it", deleting, []*corev1.Pod{pod("p", "n1", corev1.PodRunning, claimVol("data"))}, false},
		{"pending scheduled pod holds it", deleting, []*corev1.Pod{pod("p", "n1", corev1.PodPending, claimVol("data"))}, false},
		{"unscheduled pod does not", deleting, []*corev1.Pod{pod("p", "", corev1.PodPending, claimVol("data"))}, true},
		{"succeeded pod does not", deleting, []*corev1.Pod{pod("p", "n1", corev1.PodSucceeded, claimVol("data"))}, true},
		{"failed pod does not", deleting, []*corev1.Pod{pod("p", "n1", corev1.PodFailed, claimVol("data"))}, true},
		{"other claim", deleting, []*corev1.Pod{pod("p", "n1", corev1.PodRunning, claimVol("other"))}, true},
		{"ephemeral claim of a running pod", ephClaim, []*corev1.Pod{pod("p", "n1", corev1.PodRunning, eph)}, false},
	}
	for _, tt := range tests {
		if got := ReleaseClaim(tt.claim, tt.pods); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReleaseVolume(t *testing.T) {
	now := metav1.Now()
	pv := func(phase corev1.PersistentVolumePhase, deleting bool) *corev1.PersistentVolume {
		p := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Finalizers: []string{storageutil.PVProtectionFinalizer}},
			Status: corev1.PersistentVolumeStatus{Phase: phase}}
		if deleting {
			p.DeletionTimestamp = &now
		}
		return p
	}
	if ReleaseVolume(pv(corev1.VolumeBound, true)) || !ReleaseVolume(pv(corev1.VolumeReleased, true)) ||
		!ReleaseVolume(pv(corev1.VolumeAvailable, true)) || ReleaseVolume(pv(corev1.VolumeAvailable, false)) {
		t.Error("only a deleted volume that is not Bound loses its protection")
	}
}
