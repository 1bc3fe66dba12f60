package deployment

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestTemplateHash(t *testing.T) {
	a := template("nginx:1")
	h := templateHash(&a, nil)
	if len(h) == 0 || len(h) > 10 || strings.Trim(h, "bcdfghjklmnpqrstvwxz2456789") != "" {
		t.Fatalf("hash %q: want up to 10 characters of the safe alphabet", h)
	}
	cp := a.DeepCopy()
	if templateHash(cp, nil) != h || templateHash(&a, nil) != h {
		t.Error("hash is not stable")
	}
	// Map order does not matter.
	m1 := template("nginx:1")
	m1.Labels = map[string]string{"a": "1", "b": "2", "app": "web"}
	m2 := template("nginx:1")
	m2.Labels = map[string]string{"app": "web", "b": "2", "a": "1"}
	if templateHash(&m1, nil) != templateHash(&m2, nil) {
		t.Error("label order changed the hash")
	}
	tests := []struct {
		name string
		mut  func(*corev1.PodTemplateSpec)
		cc   *int32
	}{
		{"image", func(p *corev1.PodTemplateSpec) { p.Spec.Containers[0].Image = "nginx:2" }, nil},
		{"restart annotation", func(p *corev1.PodTemplateSpec) {
			p.Annotations = map[string]string{"kubectl.kubernetes.io/restartedAt": "2024-01-01T00:00:00Z"}
		}, nil},
		{"label", func(p *corev1.PodTemplateSpec) { p.Labels["x"] = "y" }, nil},
		{"collision count 0", func(*corev1.PodTemplateSpec) {}, ptr.To(int32(0))},
		{"collision count 1", func(*corev1.PodTemplateSpec) {}, ptr.To(int32(1))},
	}
	seen := map[string]string{h: "base"}
	for _, tt := range tests {
		b := template("nginx:1")
		tt.mut(&b)
		got := templateHash(&b, tt.cc)
		if prev, dup := seen[got]; dup {
			t.Errorf("%s: hash %s same as %s", tt.name, got, prev)
		}
		seen[got] = tt.name
	}
}

func TestEqualIgnoreHash(t *testing.T) {
	withHash := func(img, hash string) *corev1.PodTemplateSpec {
		p := template(img)
		if hash != "" {
			p.Labels[hashLabel] = hash
		}
		return &p
	}
	onlyHash := &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{hashLabel: "abc"}}}
	tests := []struct {
		name string
		a, b *corev1.PodTemplateSpec
		want bool
	}{
		{"same", withHash("a", ""), withHash("a", ""), true},
		{"hash label ignored", withHash("a", "abc"), withHash("a", ""), true},
		{"different hashes ignored", withHash("a", "abc"), withHash("a", "xyz"), true},
		{"image differs", withHash("a", "abc"), withHash("b", "abc"), false},
		{"only the hash label vs no labels", onlyHash, &corev1.PodTemplateSpec{}, true},
	}
	for _, tt := range tests {
		if got := equalIgnoreHash(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
	a := withHash("a", "abc")
	equalIgnoreHash(a, withHash("a", ""))
	if a.Labels[hashLabel] != "abc" {
		t.Error("equalIgnoreHash modified its argument")
	}
}

func TestNewReplicaSet(t *testing.T) {
	d := dep(3, "", "", "nginx")
	rs := newReplicaSet(d, "5d4")
	if rs.Name != "web-5d4" || rs.Namespace != "ns" {
		t.Errorf("name %s/%s", rs.Namespace, rs.Name)
	}
	if rs.Labels[hashLabel] != "5d4" || rs.Spec.Template.Labels[hashLabel] != "5d4" || rs.Spec.Selector.MatchLabels[hashLabel] != "5d4" {
		t.Errorf("hash label missing: %v %v %v", rs.Labels, rs.Spec.Template.Labels, rs.Spec.Selector)
	}
	if _, ok := d.Spec.Template.Labels[hashLabel]; ok || d.Spec.Selector.MatchLabels[hashLabel] != "" {
		t.Error("the Deployment was modified")
	}
	ref := rs.OwnerReferences[0]
	if ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" || ref.UID != d.UID || !*ref.Controller || !*ref.BlockOwnerDeletion {
		t.Errorf("owner %+v", ref)
	}
}
