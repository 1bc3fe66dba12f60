package replicaset

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil/podtest"
)

func testRS(name string, replicas int32) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID(name + "-uid"), Generation: 1},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name, "tier": "web"}, Annotations: map[string]string{"a": "b"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}},
			},
		},
	}
}

func testPod(name string, lbls map[string]string, owner types.UID) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID(name), Labels: lbls}}
	if owner != "" {
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: strings.TrimSuffix(string(owner), "-uid"), UID: owner, Controller: ptr.To(true)}}
	}
	return p
}

func TestClaim(t *testing.T) {
	rs := testRS("web", 3)
	sel, _ := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
	web := map[string]string{"app": "web"}
	other := map[string]string{"app": "db"}
	pods := []*corev1.Pod{
		testPod("owned", web, rs.UID),
		testPod("owned-relabelled", other, rs.UID),
		testPod("orphan", web, ""),
		testPod("orphan-other", other, ""),
		testPod("foreign", web, "someone-else"),
	}
	got := claim(rs, sel, pods)
	want := [][]string{{"owned"}, {"orphan"}, {"owned-relabelled"}}
	if diff := cmp.Diff(want, [][]string{podtest.Names(got.Owned), podtest.Names(got.Adopt), podtest.Names(got.Release)}); diff != "" {
		t.Errorf("owned/adopt/release (-want +got):\n%s", diff)
	}
}

func TestReplicasDiff(t *testing.T) {
	tests := []struct {
		active int
		want   int32
		diff   int
	}{
		{0, 3, 3},
		{3, 3, 0},
		{5, 2, -3},
		{0, 0, 0},
		{0, 2000, burstReplicas},
		{1200, 0, -burstReplicas},
	}
	for _, tt := range tests {
		if got := replicasDiff(tt.active, tt.want); got != tt.diff {
			t.Errorf("replicasDiff(%d, %d) = %d, want %d", tt.active, tt.want, got, tt.diff)
		}
	}
	if wantReplicas(&appsv1.ReplicaSet{}) != 1 {
		t.Error("unset replicas default to 1")
	}
}

func TestNewPod(t *testing.T) {
	rs := testRS("web", 1)
	p := newPod(rs)
	if p.GenerateName != "web-" || p.Name != "" || p.Namespace != "ns" {
		t.Errorf("name %q/%q/%q", p.Namespace, p.Name, p.GenerateName)
	}
	if diff := cmp.Diff(rs.Spec.Template.Labels, p.Labels); diff != "" {
		t.Errorf("labels: %s", diff)
	}
	if p.Annotations["a"] != "b" || p.Spec.Containers[0].Image != "nginx" {
		t.Errorf("template not copied: %+v", p)
	}
	want := []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "web-uid", Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}
	if diff := cmp.Diff(want, p.OwnerReferences); diff != "" {
		t.Errorf("ownerReferences: %s", diff)
	}
	p.Labels["x"] = "y"
	if _, ok := rs.Spec.Template.Labels["x"]; ok {
		t.Error("newPod must copy, not share, the template")
	}
}

func TestActivePods(t *testing.T) {
	now := metav1.Now()
	pods := []*corev1.Pod{
		{ObjectMeta: metav1.ObjectMeta{Name: "running"}, Status: corev1.PodStatus{Phase: corev1.PodRunning}},
		{ObjectMeta: metav1.ObjectMeta{Name: "pending"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "terminating", DeletionTimestamp: &now}, Status: corev1.PodStatus{Phase: corev1.PodRunning}},
		{ObjectMeta: metav1.ObjectMeta{Name: "failed"}, Status: corev1.PodStatus{Phase: corev1.PodFailed}},
		{ObjectMeta: metav1.ObjectMeta{Name: "done"}, Status: corev1.PodStatus{Phase: corev1.PodSucceeded}},
	}
	if got := podtest.Names(activePods(pods)); !cmp.Equal(got, []string{"pending", "running"}) {
		t.Errorf("active = %v", got)
	}
}
