package storageutil

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDefaultClass(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sc := func(name string, def string, age int) *storagev1.StorageClass {
		s := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(t0.Add(time.Duration(age) * time.Hour))}}
		if def != "" {
			s.Annotations = map[string]string{def: "true"}
		}
		return s
	}
	tests := []struct {
		name    string
		classes []*storagev1.StorageClass
		want    string
	}{
		{"none", []*storagev1.StorageClass{sc("a", "", 0)}, ""},
		{"one default", []*storagev1.StorageClass{sc("a", "", 0), sc("b", AnnDefaultClass, 0)}, "b"},
		{"beta annotation counts", []*storagev1.StorageClass{sc("a", AnnBetaDefaultClass, 0)}, "a"},
		{"several: newest wins", []*storagev1.StorageClass{sc("old", AnnDefaultClass, 0), sc("new", AnnDefaultClass, 5)}, "new"},
		{"same age: lowest name", []*storagev1.StorageClass{sc("z", AnnDefaultClass, 1), sc("m", AnnDefaultClass, 1)}, "m"},
	}
	for _, tt := range tests {
		if got := DefaultClass(tt.classes); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNodeAffinityMatches(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{corev1.LabelHostname: "n1", "zone": "a"}}}
	term := func(exprs []corev1.NodeSelectorRequirement, fields []corev1.NodeSelectorRequirement) *corev1.PersistentVolume {
		return &corev1.PersistentVolume{Spec: corev1.PersistentVolumeSpec{NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: exprs, MatchFields: fields}}}}}}
	}
	req := func(k string, op corev1.NodeSelectorOperator, v ...string) []corev1.NodeSelectorRequirement {
		return []corev1.NodeSelectorRequirement{{Key: k, Operator: op, Values: v}}
	}
	tests := []struct {
		name string
		pv   *corev1.PersistentVolume
		want bool
	}{
		{"no affinity", &corev1.PersistentVolume{}, true},
		{"hostname in", term(req(corev1.LabelHostname, corev1.NodeSelectorOpIn, "n1"), nil), true},
		{"hostname other", term(req(corev1.LabelHostname, corev1.NodeSelectorOpIn, "n2"), nil), false},
		{"not in", term(req("zone", corev1.NodeSelectorOpNotIn, "b"), nil), true},
		{"exists", term(req("zone", corev1.NodeSelectorOpExists), nil), true},
		{"does not exist", term(req("zone", corev1.NodeSelectorOpDoesNotExist), nil), false},
		{"field name in", term(nil, req("metadata.name", corev1.NodeSelectorOpIn, "n1")), true},
		{"field name not in", term(nil, req("metadata.name", corev1.NodeSelectorOpNotIn, "n1")), false},
		{"empty term", term(nil, nil), false},
	}
	for _, tt := range tests {
		if got := NodeAffinityMatches(tt.pv, node); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
