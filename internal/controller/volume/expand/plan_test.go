package expand

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/berth-project/berth/internal/controller/volume/provisioner"
	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

func TestPlanExpansion(t *testing.T) {
	yes, no := true, false
	grow := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "sc"}, Provisioner: storageutil.DriverLocalVolume, AllowVolumeExpansion: &yes}
	fixed := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "sc"}, Provisioner: storageutil.DriverLocalVolume, AllowVolumeExpansion: &no}
	claim := func(req, have string) *corev1.PersistentVolumeClaim {
		sc := "sc"
		return &corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c", UID: "u"},
			Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: &sc, AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(req)}}},
			Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound,
				Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(have)}},
		}
	}
	pv := provisioner.VolumeFor(claim("10Mi", "10Mi"), grow, "n1")
	bigPV := provisioner.VolumeFor(claim("30Mi", "10Mi"), grow, "n1")
	static := pv.DeepCopy()
	static.Spec.CSI = nil
	node := func(alloc string) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"},
			Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{storageutil.CapacityResource: resource.MustParse(alloc)}}}
	}
	tests := []struct {
		name     string
		claim    *corev1.PersistentVolumeClaim
		pv       *corev1.PersistentVolume
		class    *storagev1.StorageClass
		node     *corev1.Node
		wantSize string
		wanted   bool
		wantErr  string
	}{
		{"no growth", claim("10Mi", "10Mi"), pv, grow, node("1Gi"), "", false, ""},
		{"grow", claim("30Mi", "10Mi"), pv, grow, node("1Gi"), "30Mi", true, ""},
		{"grow rounds to MiB", claim("20M", "10Mi"), pv, grow, node("1Gi"), "20Mi", true, ""},
		{"volume already grown: node's turn", claim("30Mi", "10Mi"), bigPV, grow, node("1Gi"), "", true, ""},
		{"class forbids", claim("30Mi", "10Mi"), pv, fixed, node("1Gi"), "", false, "does not allow volume expansion"},
		{"static volume", claim("30Mi", "10Mi"), static, grow, node("1Gi"), "", false, "not expandable"},
		{"node full", claim("30Mi", "10Mi"), pv, grow, node("25Mi"), "", false, `node "n1" has 15Mi of free storage, growing volume pvc-u to 30Mi needs 20Mi more`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := PlanExpansion(tt.claim, tt.pv, tt.class, tt.node, []*corev1.PersistentVolume{tt.pv})
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
			gotSize := ""
			if !plan.NewSize.IsZero() {
				gotSize = plan.NewSize.String()
			}
			if plan.Wanted != tt.wanted || gotSize != tt.wantSize {
				t.Errorf("plan %+v (size %q), want wanted=%v size=%q", plan, gotSize, tt.wanted, tt.wantSize)
			}
		})
	}
}

func TestExpandedStatus(t *testing.T) {
	c := &corev1.PersistentVolumeClaim{
		Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("30Mi")}}},
		Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound, Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Mi")},
			Conditions: []corev1.PersistentVolumeClaimCondition{{Type: corev1.PersistentVolumeClaimResizing}}},
	}
	st := ExpandedStatus(c, Plan{Wanted: true, NodeResize: true}, resource.MustParse("30Mi"))
	if len(st.Conditions) != 1 || st.Conditions[0].Type != corev1.PersistentVolumeClaimFileSystemResizePending {
		t.Errorf("node resize conditions %+v", st.Conditions)
	}
	if q := st.Capacity[corev1.ResourceStorage]; q.String() != "10Mi" {
		t.Errorf("capacity moves only when the node is done: %s", q.String())
	}
	st = ExpandedStatus(c, Plan{Wanted: true}, resource.MustParse("30Mi"))
	if q := st.Capacity[corev1.ResourceStorage]; q.String() != "30Mi" || len(st.Conditions) != 0 {
		t.Errorf("no node resize: capacity %s conditions %+v", q.String(), st.Conditions)
	}
}
