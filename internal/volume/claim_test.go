package volume

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestResolveClaim(t *testing.T) {
	yes := true
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "pod-uid"}}
	claim := func(phase corev1.PersistentVolumeClaimPhase, vol string, owned bool) *corev1.PersistentVolumeClaim {
		c := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "ns", UID: "claim-uid"},
			Spec: corev1.PersistentVolumeClaimSpec{VolumeName: vol}, Status: corev1.PersistentVolumeClaimStatus{Phase: phase}}
		if owned {
			c.OwnerReferences = []metav1.OwnerReference{{UID: "pod-uid", Controller: &yes, Name: "p", Kind: "Pod", APIVersion: "v1"}}
		}
		return c
	}
	bound := func(pv *corev1.PersistentVolume) *corev1.PersistentVolume {
		pv.Spec.ClaimRef = &corev1.ObjectReference{Namespace: "ns", Name: "c", UID: types.UID("claim-uid")}
		return pv
	}
	lv := bound(testPV("pvc-1", DriverLocalVolume, "n1", "10Mi"))
	blockPV := bound(testPV("pvc-2", DriverLocalVolume, "n1", "10Mi"))
	bm := corev1.PersistentVolumeBlock
	blockPV.Spec.VolumeMode = &bm
	rox := bound(testPV("pvc-3", DriverLocalPath, "n1", "1Gi"))
	rox.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany}
	hp := bound(&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "hp"}, Spec: corev1.PersistentVolumeSpec{
		PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/data"}},
		AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod}}})

	for _, tc := range []struct {
		name      string
		ephemeral bool
		ro        bool
		claim     *corev1.PersistentVolumeClaim
		pv        *corev1.PersistentVolume
		node      string
		want      Resolved
		err       string
	}{
		{name: "pending", claim: claim(corev1.ClaimPending, "", false), node: "n1", err: `non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")`},
		{name: "local-volume", claim: claim(corev1.ClaimBound, "pvc-1", false), pv: lv, node: "n1", want: Resolved{Kind: KindLocalVolume, PV: lv}},
		{name: "read-only volume", ro: true, claim: claim(corev1.ClaimBound, "pvc-1", false), pv: lv, node: "n1", want: Resolved{Kind: KindLocalVolume, PV: lv, ReadOnly: true}},
		{name: "other node", claim: claim(corev1.ClaimBound, "pvc-1", false), pv: lv, node: "n2", err: "node affinity conflict"},
		{name: "block", claim: claim(corev1.ClaimBound, "pvc-2", false), pv: blockPV, node: "n1", want: Resolved{Kind: KindBlock, PV: blockPV}},
		{name: "ReadOnlyMany", claim: claim(corev1.ClaimBound, "pvc-3", false), pv: rox, node: "n1", want: Resolved{Kind: KindLocalPath, PV: rox, ReadOnly: true}},
		{name: "hostPath once-pod", claim: claim(corev1.ClaimBound, "hp", false), pv: hp, node: "n1", want: Resolved{Kind: KindHostPath, PV: hp, Path: "/data", OncePod: true}},
		{name: "ephemeral not owned", ephemeral: true, claim: claim(corev1.ClaimBound, "pvc-1", false), pv: lv, node: "n1", err: "pod is not owner"},
		{name: "ephemeral owned", ephemeral: true, claim: claim(corev1.ClaimBound, "pvc-1", true), pv: lv, node: "n1", want: Resolved{Kind: KindLocalVolume, PV: lv}},
		{name: "missing pv", claim: claim(corev1.ClaimBound, "pvc-9", false), node: "n1", err: `persistentvolume "pvc-9" not found`},
		{name: "pv bound elsewhere", claim: claim(corev1.ClaimBound, "pvc-1", false), pv: testPV("pvc-1", DriverLocalVolume, "n1", "1Mi"), node: "n1", err: "is not bound to PVC ns/c"},
	} {
		got, err := ResolveClaim(pod, tc.ephemeral, tc.ro, tc.claim, tc.pv, tc.node)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
