package podutil

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestClaim(t *testing.T) {
	now := metav1.Now()
	owner := &metav1.ObjectMeta{Namespace: "ns", Name: "rs", UID: "owner"}
	dying := owner.DeepCopy()
	dying.DeletionTimestamp = &now
	ref := func(uid types.UID, controller bool) []metav1.OwnerReference {
		return []metav1.OwnerReference{{UID: uid, Controller: &controller, Name: "x", Kind: "ReplicaSet"}}
	}
	tests := []struct {
		name    string
		owner   *metav1.ObjectMeta
		obj     metav1.ObjectMeta
		matches bool
		want    ClaimAction
	}{
		{"ours, matching", owner, metav1.ObjectMeta{Namespace: "ns", OwnerReferences: ref("owner", true)}, true, Keep},
		{"ours, matching, terminating", owner, metav1.ObjectMeta{Namespace: "ns", OwnerReferences: ref("owner", true), DeletionTimestamp: &now}, true, Keep},
		{"ours, no longer matching", owner, metav1.ObjectMeta{Namespace: "ns", OwnerReferences: ref("owner", true)}, false, Release},
		{"ours, not matching, owner dying", dying, metav1.ObjectMeta{Namespace: "ns", OwnerReferences: ref("owner", true)}, false, Ignore},
		{"someone else's", owner, metav1.ObjectMeta{Namespace: "ns", OwnerReferences: ref("other", true)}, true, Ignore},
		{"orphan, matching", owner, metav1.ObjectMeta{Namespace: "ns"}, true, Adopt},
		{"orphan with a non-controller owner", owner, metav1.ObjectMeta{Namespace: "ns", OwnerReferences: ref("other", false)}, true, Adopt},
		{"orphan, not matching", owner, metav1.ObjectMeta{Namespace: "ns"}, false, Ignore},
		{"orphan, terminating", owner, metav1.ObjectMeta{Namespace: "ns", DeletionTimestamp: &now}, true, Ignore},
		{"orphan, owner dying", dying, metav1.ObjectMeta{Namespace: "ns"}, true, Ignore},
		{"orphan in another namespace", owner, metav1.ObjectMeta{Namespace: "other"}, true, Ignore},
	}
	for _, tt := range tests {
		if got := Claim(tt.owner, &tt.obj, tt.matches); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestOwnerRefPatches(t *testing.T) {
	owner := &metav1.ObjectMeta{Name: "web-1", UID: "rs-uid"}
	ref := NewControllerRef(owner, corev1.SchemeGroupVersion.WithKind("ReplicaSet"))
	if !*ref.Controller || !*ref.BlockOwnerDeletion || ref.APIVersion != "v1" || ref.Name != "web-1" || ref.UID != "rs-uid" {
		t.Fatalf("controller ref %+v", ref)
	}
	other := metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "cm", UID: "cm-uid"}
	pod := &metav1.ObjectMeta{Name: "p", UID: "pod-uid", ResourceVersion: "7", OwnerReferences: []metav1.OwnerReference{other}}

	decode := func(b []byte) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m["metadata"].(map[string]any)
	}
	b, err := AdoptPatch(pod, ref)
	if err != nil {
		t.Fatal(err)
	}
	md := decode(b)
	if md["uid"] != "pod-uid" || md["resourceVersion"] != "7" || len(md["ownerReferences"].([]any)) != 2 {
		t.Errorf("adopt patch %s", b)
	}
	if len(pod.OwnerReferences) != 1 {
		t.Error("AdoptPatch must not modify the object")
	}

	pod.OwnerReferences = append(pod.OwnerReferences, ref)
	b, _ = ReleasePatch(pod, "rs-uid")
	refs := decode(b)["ownerReferences"].([]any)
	if len(refs) != 1 || refs[0].(map[string]any)["uid"] != "cm-uid" {
		t.Errorf("release patch %s", b)
	}
	// Releasing the only reference removes the field.
	pod.OwnerReferences = []metav1.OwnerReference{ref}
	pod.ResourceVersion = ""
	b, _ = ReleasePatch(pod, "rs-uid")
	if diff := cmp.Diff(`{"metadata":{"ownerReferences":null,"uid":"pod-uid"}}`, string(b)); diff != "" {
		t.Errorf("release patch (-want +got):\n%s", diff)
	}
	if !IsControlledBy(pod, "rs-uid") || IsControlledBy(pod, "x") {
		t.Error("IsControlledBy")
	}
}

func TestClaimObjects(t *testing.T) {
	owner := &metav1.ObjectMeta{Namespace: "ns", Name: "rs", UID: "owner"}
	ref := NewControllerRef(owner, corev1.SchemeGroupVersion.WithKind("ReplicaSet"))
	mk := func(name string, controlled bool, app string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID(name), Labels: map[string]string{"app": app}}}
		if controlled {
			p.OwnerReferences = []metav1.OwnerReference{ref}
		}
		return p
	}
	pods := []*corev1.Pod{mk("kept", true, "web"), mk("released", true, "db"), mk("adopted", false, "web"), mk("gone", false, "web"), mk("ignored", false, "db")}
	matches := func(p *corev1.Pod) bool { return p.Labels["app"] == "web" }
	var patched []string
	patch := func(_ context.Context, name string, _ []byte) (*corev1.Pod, error) {
		patched = append(patched, name)
		if name == "gone" {
			return nil, apierrors.NewNotFound(corev1.Resource("pods"), name)
		}
		return mk(name+"-patched", true, "web"), nil
	}
	yes := func(context.Context) (bool, error) { return true, nil }
	got, err := ClaimObjects(context.Background(), owner, ref, pods, matches, patch, yes)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"kept", "adopted-patched"}, names); diff != "" {
		t.Errorf("owned (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"released", "adopted", "gone"}, patched); diff != "" {
		t.Errorf("patched (-want +got):\n%s", diff)
	}

	// The owner turned out to be gone: no adoption, releases still happen.
	patched = nil
	no := SameObject(func(context.Context) (*metav1.ObjectMeta, error) {
		return nil, apierrors.NewNotFound(corev1.Resource("replicasets"), "rs")
	}, owner)
	got, err = ClaimObjects(context.Background(), owner, ref, pods, matches, patch, no)
	if err != nil || len(got) != 1 || !cmp.Equal(patched, []string{"released"}) {
		t.Errorf("owner gone: owned %d, patched %v, err %v", len(got), patched, err)
	}
	// Re-created under the same name: not the same object.
	other := SameObject(func(context.Context) (*metav1.ObjectMeta, error) {
		return &metav1.ObjectMeta{UID: "other"}, nil
	}, owner)
	if ok, err := other(context.Background()); ok || err != nil {
		t.Error("a different UID must not adopt")
	}
}
