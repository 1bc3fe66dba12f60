package capacity

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

func node(name, alloc string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if alloc != "" {
		n.Status.Allocatable = corev1.ResourceList{storageutil.CapacityResource: resource.MustParse(alloc)}
	}
	return n
}

func pv(driver, node, size string, byAffinityOnly bool) *corev1.PersistentVolume {
	p := &corev1.PersistentVolume{Spec: corev1.PersistentVolumeSpec{
		Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
		NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
			MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{node}}},
		}}}},
	}}
	if driver != "" {
		p.Spec.CSI = &corev1.CSIPersistentVolumeSource{Driver: driver, VolumeHandle: "x"}
		if !byAffinityOnly {
			p.Spec.CSI.VolumeAttributes = map[string]string{storageutil.NodeAttribute: node}
		}
	} else {
		p.Spec.Local = &corev1.LocalVolumeSource{Path: "/mnt"}
	}
	return p
}

func TestFree(t *testing.T) {
	gi := int64(1 << 30)
	tests := []struct {
		name string
		node *corev1.Node
		pvs  []*corev1.PersistentVolume
		want int64
	}{
		{"no capacity published", node("a", ""), nil, 0},
		{"empty node", node("a", "10Gi"), nil, 10 * gi},
		{"our volumes count", node("a", "10Gi"), []*corev1.PersistentVolume{
			pv(storageutil.DriverLocalPath, "a", "1Gi", false), pv(storageutil.DriverLocalVolume, "a", "2Gi", true)}, 7 * gi},
		{"other nodes and other drivers do not", node("a", "10Gi"), []*corev1.PersistentVolume{
			pv(storageutil.DriverLocalPath, "b", "1Gi", false), pv("", "a", "2Gi", false), pv("ebs.csi.aws.com", "a", "3Gi", true)}, 10 * gi},
		{"over-committed clamps at zero", node("a", "1Gi"), []*corev1.PersistentVolume{pv(storageutil.DriverLocalPath, "a", "2Gi", false)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Free(tt.node, tt.pvs); got != tt.want {
				t.Errorf("Free = %d, want %d", got, tt.want)
			}
		})
	}
	if !Fits(node("a", "1Gi"), nil, gi) || Fits(node("a", "1Gi"), nil, gi+1) {
		t.Error("Fits: exactly the free capacity fits, one byte more does not")
	}
}
