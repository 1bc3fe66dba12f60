package provisioner

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

func claim(size string, modes ...corev1.PersistentVolumeAccessMode) *corev1.PersistentVolumeClaim {
	if len(modes) == 0 {
		modes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	}
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c", UID: "u1"},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: modes,
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}}},
	}
}

func class(driver string, params map[string]string) *storagev1.StorageClass {
	return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "sc"}, Provisioner: driver, Parameters: params}
}

func TestValidateClass(t *testing.T) {
	blockClaim := claim("1Gi")
	blk := corev1.PersistentVolumeBlock
	blockClaim.Spec.VolumeMode = &blk
	tests := []struct {
		name    string
		class   *storagev1.StorageClass
		claim   *corev1.PersistentVolumeClaim
		wantErr string
	}{
		{"local-path, no parameters", class(storageutil.DriverLocalPath, nil), claim("1Gi"), ""},
		{"local-path unknown parameter", class(storageutil.DriverLocalPath, map[string]string{"speed": "fast"}), claim("1Gi"), `invalid parameter "speed"`},
		{"local-volume ext4", class(storageutil.DriverLocalVolume, map[string]string{"fsType": "ext4"}), claim("1Gi"), ""},
		{"local-volume xfs", class(storageutil.DriverLocalVolume, map[string]string{"fsType": "xfs"}), claim("1Gi"), `invalid value "xfs"`},
		{"RWX refused", class(storageutil.DriverLocalPath, nil), claim("1Gi", corev1.ReadWriteMany), "access mode ReadWriteMany is not supported"},
		{"RWOP fine", class(storageutil.DriverLocalVolume, nil), claim("1Gi", corev1.ReadWriteOncePod), ""},
		{"block on local-volume", class(storageutil.DriverLocalVolume, nil), blockClaim, ""},
		{"block on local-path", class(storageutil.DriverLocalPath, nil), blockClaim, "volumeMode Block is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateClass(tt.class, tt.claim)
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSize(t *testing.T) {
	tests := []struct{ driver, req, want string }{
		{storageutil.DriverLocalVolume, "10Mi", "10Mi"},
		{storageutil.DriverLocalVolume, "10M", "10Mi"}, // 10,000,000 B → 9.54 MiB → 10 MiB
		{storageutil.DriverLocalVolume, "1", "1Mi"},
		{storageutil.DriverLocalPath, "10M", "10M"},
	}
	for _, tt := range tests {
		got := Size(tt.driver, claim(tt.req))
		if want := resource.MustParse(tt.want); got.Cmp(want) != 0 {
			t.Errorf("Size(%s, %s) = %s, want %s", tt.driver, tt.req, got.String(), tt.want)
		}
	}
}

func node(name, alloc string, ready bool) *corev1.Node {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NodeStatus{
		Allocatable: corev1.ResourceList{storageutil.CapacityResource: resource.MustParse(alloc)},
		Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}},
	}}
}

func TestChooseNode(t *testing.T) {
	gi := int64(1 << 30)
	used := VolumeFor(claim("8Gi"), class(storageutil.DriverLocalPath, nil), "a")
	tests := []struct {
		name    string
		nodes   []*corev1.Node
		pvs     []*corev1.PersistentVolume
		size    int64
		want    string
		wantErr string
	}{
		{"most free wins", []*corev1.Node{node("a", "10Gi", true), node("b", "20Gi", true)}, nil, gi, "b", ""},
		{"tie: lowest name", []*corev1.Node{node("b", "10Gi", true), node("a", "10Gi", true)}, nil, gi, "a", ""},
		{"used capacity counts", []*corev1.Node{node("a", "10Gi", true), node("b", "5Gi", true)}, []*corev1.PersistentVolume{used}, 3 * gi, "b", ""},
		{"not ready skipped", []*corev1.Node{node("a", "10Gi", false), node("b", "5Gi", true)}, nil, gi, "b", ""},
		{"too big", []*corev1.Node{node("a", "10Gi", true)}, nil, 100 * gi, "", `no node has 100Gi of free storage (largest free: 10Gi on node "a")`},
		{"no ready node", []*corev1.Node{node("a", "10Gi", false)}, nil, gi, "", "no ready node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ChooseNode(tt.nodes, tt.pvs, tt.size)
			if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got %q, %v; want %q, %q", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestVolumeFor(t *testing.T) {
	c := claim("10M")
	retain := corev1.PersistentVolumeReclaimRetain
	sc := class(storageutil.DriverLocalVolume, map[string]string{"fsType": "ext4"})
	sc.ReclaimPolicy = &retain
	sc.MountOptions = []string{"noatime"}
	pv := VolumeFor(c, sc, "n1")
	if pv.Name != "pvc-u1" || pv.Spec.CSI.VolumeHandle != "pvc-u1" || pv.Spec.CSI.FSType != "ext4" ||
		pv.Spec.CSI.VolumeAttributes[storageutil.NodeAttribute] != "n1" || pv.Annotations[storageutil.AnnProvisionedBy] != storageutil.DriverLocalVolume {
		t.Errorf("identity wrong: %+v", pv)
	}
	if got := pv.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0]; got.Key != corev1.LabelHostname || got.Values[0] != "n1" {
		t.Errorf("affinity = %+v", got)
	}
	if pv.Spec.PersistentVolumeReclaimPolicy != retain || pv.Spec.MountOptions[0] != "noatime" || pv.Spec.StorageClassName != "sc" {
		t.Errorf("class fields not copied: %+v", pv.Spec)
	}
	if q := pv.Spec.Capacity[corev1.ResourceStorage]; q.Value() != 10<<20 {
		t.Errorf("capacity = %s, want 10Mi", q.String())
	}
	if ref := pv.Spec.ClaimRef; ref.UID != "u1" || ref.Name != "c" || ref.Kind != "PersistentVolumeClaim" {
		t.Errorf("claimRef = %+v", ref)
	}
	if len(pv.Finalizers) != 2 {
		t.Errorf("finalizers = %v", pv.Finalizers)
	}
}
