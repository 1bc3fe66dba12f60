package namespace

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	metafake "k8s.io/client-go/metadata/fake"
	clienttesting "k8s.io/client-go/testing"
)

var testResources = []schema.GroupVersionResource{configmaps, pods, deployments}

func terminating(name string, finalizers ...corev1.FinalizerName) *corev1.Namespace {
	now := metav1.Now()
	return &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: name, DeletionTimestamp: &now},
		Spec:       corev1.NamespaceSpec{Finalizers: finalizers},
		Status:     corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating},
	}
}

func item(apiVersion, kind, ns, name string, finalizers ...string) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{APIVersion: apiVersion, Kind: kind},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "-" + name), Finalizers: finalizers},
	}
}

type fixture struct {
	t    *testing.T
	kube *fake.Clientset
	meta *metafake.FakeMetadataClient
	c    *Controller
	// lingering resources: DeleteCollection only marks their objects as
	// terminating, the way pods wait for the kubelet.
	lingering map[string]bool
	// finalized records the spec.finalizers sent to the finalize subresource.
	finalized [][]corev1.FinalizerName
}

func newFixture(t *testing.T, ns *corev1.Namespace, objs ...runtime.Object) *fixture {
	t.Helper()
	scheme := metafake.NewTestScheme()
	if err := metav1.AddMetaToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, kube: fake.NewClientset(ns), meta: metafake.NewSimpleMetadataClient(scheme, objs...), lingering: map[string]bool{}}
	// The fake treats finalize as a create; give it the API server's meaning.
	f.kube.PrependReactor("create", "namespaces", func(a clienttesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "finalize" {
			return false, nil, nil
		}
		in := a.(clienttesting.CreateAction).GetObject().(*corev1.Namespace)
		f.finalized = append(f.finalized, in.Spec.Finalizers)
		return true, in, f.kube.Tracker().Update(corev1.SchemeGroupVersion.WithResource("namespaces"), in, "")
	})
	f.meta.PrependReactor("delete-collection", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
		gvr, ns := a.GetResource(), a.GetNamespace()
		list, err := f.meta.Tracker().List(gvr, schema.GroupVersionKind{Group: "fake-metadata-client-group", Version: "v1"}, ns)
		if err != nil {
			return true, nil, err
		}
		for _, o := range list.(*metav1.List).Items {
			m := o.Object.(*metav1.PartialObjectMetadata)
			if f.lingering[gvr.Resource] || len(m.Finalizers) > 0 {
				m = m.DeepCopy()
				now := metav1.Now()
				m.DeletionTimestamp = &now
				err = f.meta.Tracker().Update(gvr, m, ns)
			} else {
				err = f.meta.Tracker().Delete(gvr, ns, m.Name)
			}
			if err != nil {
				return true, nil, err
			}
		}
		return true, nil, nil
	})
	c, err := New(f.kube, f.meta, testResources)
	if err != nil {
		t.Fatal(err)
	}
	f.c = c
	return f
}

func (f *fixture) sync(name string) bool {
	f.t.Helper()
	done, err := f.c.sync(context.Background(), name)
	if err != nil {
		f.t.Fatalf("sync: %v", err)
	}
	return done
}

func (f *fixture) namespace(name string) *corev1.Namespace {
	f.t.Helper()
	ns, err := f.kube.CoreV1().Namespaces().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	return ns
}

func (f *fixture) metaWrites() []clienttesting.Action {
	var out []clienttesting.Action
	for _, a := range f.meta.Actions() {
		if v := a.GetVerb(); v == "delete" || v == "delete-collection" {
			out = append(out, a)
		}
	}
	return out
}

func (f *fixture) collectionDeletes() []string {
	var out []string
	for _, a := range f.metaWrites() {
		if a.GetVerb() == "delete-collection" {
			out = append(out, a.GetResource().Resource)
		}
	}
	return out
}

func TestPodsFirstThenRestThenFinalize(t *testing.T) {
	f := newFixture(t, terminating("team", corev1.FinalizerKubernetes, "example.com/other"),
		item("v1", "Pod", "team", "web"),
		item("v1", "ConfigMap", "team", "cfg"),
		item("v1", "ConfigMap", "elsewhere", "keep"),
	)
	f.lingering["pods"] = true

	// Pass 1: only pods are asked to go; they linger.
	if f.sync("team") {
		t.Fatal("must not be done while pods remain")
	}
	if got := f.collectionDeletes(); !slices.Equal(got, []string{"pods"}) {
		t.Fatalf("collection deletes = %v, want only pods", got)
	}
	ns := f.namespace("team")
	c := condByType(ns.Status.Conditions, corev1.NamespaceContentRemaining)
	if c.Status != corev1.ConditionTrue || !strings.Contains(c.Message, "pods has 1 resource instances") {
		t.Errorf("NamespaceContentRemaining = %+v", c)
	}
	if len(f.finalized) != 0 {
		t.Fatal("finalized too early")
	}

	// The kubelet finishes; pass 2 empties the rest and finalizes.
	if err := f.meta.Tracker().Delete(pods, "team", "web"); err != nil {
		t.Fatal(err)
	}
	if !f.sync("team") {
		t.Fatal("pass 2 should be done")
	}
	if got := f.collectionDeletes(); !slices.Equal(got, []string{"pods", "pods", "configmaps", "deployments"}) {
		t.Errorf("collection deletes = %v", got)
	}
	for _, a := range f.metaWrites() {
		if a.GetNamespace() != "team" {
			t.Errorf("touched namespace %q", a.GetNamespace())
		}
		if dc, ok := a.(clienttesting.DeleteCollectionActionImpl); ok && dc.GetNamespace() == "" {
			t.Errorf("cluster-wide delete-collection: %v", dc)
		}
	}
	if len(f.finalized) != 1 || !slices.Equal(f.finalized[0], []corev1.FinalizerName{"example.com/other"}) {
		t.Fatalf("finalize calls = %v", f.finalized)
	}
	ns = f.namespace("team")
	if c := condByType(ns.Status.Conditions, corev1.NamespaceContentRemaining); c.Status != corev1.ConditionFalse || c.Reason != "ContentRemoved" {
		t.Errorf("NamespaceContentRemaining after = %+v", c)
	}
	if _, err := f.meta.Resource(configmaps).Namespace("elsewhere").Get(context.Background(), "keep", metav1.GetOptions{}); err != nil {
		t.Errorf("other namespace's configmap: %v", err)
	}
}

func TestFinalizersOnContentAreReported(t *testing.T) {
	f := newFixture(t, terminating("team", corev1.FinalizerKubernetes),
		item("v1", "ConfigMap", "team", "held", "example.com/hold"))
	if f.sync("team") {
		t.Fatal("must wait for the finalizer")
	}
	ns := f.namespace("team")
	c := condByType(ns.Status.Conditions, corev1.NamespaceFinalizersRemaining)
	if c.Status != corev1.ConditionTrue || !strings.Contains(c.Message, "example.com/hold in 1 resource instances") {
		t.Errorf("NamespaceFinalizersRemaining = %+v", c)
	}
	if len(f.finalized) != 0 {
		t.Error("finalized with content left")
	}
}

func TestPerObjectDeleteWhenCollectionUnsupported(t *testing.T) {
	f := newFixture(t, terminating("team", corev1.FinalizerKubernetes),
		item("apps/v1", "Deployment", "team", "d1"),
		item("apps/v1", "Deployment", "team", "d2"),
	)
	f.meta.PrependReactor("delete-collection", "deployments", func(a clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewMethodNotSupported(deployments.GroupResource(), "deletecollection")
	})
	if !f.sync("team") {
		t.Fatal("should be done: the per-object deletes removed everything")
	}
	var deleted []string
	for _, a := range f.metaWrites() {
		if d, ok := a.(clienttesting.DeleteActionImpl); ok {
			deleted = append(deleted, d.GetName())
			if p := d.DeleteOptions.PropagationPolicy; p == nil || *p != metav1.DeletePropagationBackground {
				t.Errorf("delete %s propagation = %v", d.GetName(), p)
			}
			if d.DeleteOptions.Preconditions == nil || d.DeleteOptions.Preconditions.UID == nil {
				t.Errorf("delete %s without UID precondition", d.GetName())
			}
		}
	}
	slices.Sort(deleted)
	if !slices.Equal(deleted, []string{"d1", "d2"}) {
		t.Errorf("deleted = %v", deleted)
	}
	if len(f.finalized) != 1 {
		t.Errorf("finalize calls = %v", f.finalized)
	}
}

func TestDeletionFailureIsReported(t *testing.T) {
	f := newFixture(t, terminating("team", corev1.FinalizerKubernetes))
	f.meta.PrependReactor("delete-collection", "configmaps", func(a clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(configmaps.GroupResource(), "", nil)
	})
	if f.sync("team") {
		t.Fatal("must retry after a failure")
	}
	c := condByType(f.namespace("team").Status.Conditions, corev1.NamespaceDeletionContentFailure)
	if c.Status != corev1.ConditionTrue || c.Reason != "ContentDeletionFailed" || !strings.Contains(c.Message, "configmaps") {
		t.Errorf("NamespaceDeletionContentFailure = %+v", c)
	}
	if len(f.finalized) != 0 {
		t.Error("finalized despite a failure")
	}
}

func TestNamespacesNotOursAreLeftAlone(t *testing.T) {
	active := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "active"}, Spec: corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}}}
	for _, ns := range []*corev1.Namespace{active, terminating("finalized"), terminating("foreign", "example.com/x")} {
		t.Run(ns.Name, func(t *testing.T) {
			f := newFixture(t, ns, item("v1", "ConfigMap", ns.Name, "cfg"))
			if !f.sync(ns.Name) {
				t.Error("nothing to do should be done")
			}
			if w := f.metaWrites(); len(w) != 0 {
				t.Errorf("content touched: %v", w)
			}
			for _, a := range f.kube.Actions() {
				if a.GetVerb() != "get" && a.GetVerb() != "list" && a.GetVerb() != "watch" {
					t.Errorf("unexpected %s", a)
				}
			}
		})
	}
	f := newFixture(t, active)
	if !f.sync("missing") {
		t.Error("a missing namespace is done")
	}
}

func TestStatusWrittenOnlyWhenItChanges(t *testing.T) {
	f := newFixture(t, terminating("team", corev1.FinalizerKubernetes), item("v1", "Pod", "team", "web"))
	f.lingering["pods"] = true
	f.sync("team")
	f.sync("team")
	updates := 0
	for _, a := range f.kube.Actions() {
		if a.GetVerb() == "update" && a.GetSubresource() == "status" {
			updates++
		}
	}
	if updates != 1 {
		t.Errorf("status updates = %d, want 1", updates)
	}
}

func TestRunFinalizesTerminatingNamespace(t *testing.T) {
	f := newFixture(t, terminating("team", corev1.FinalizerKubernetes), item("v1", "ConfigMap", "team", "cfg"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.c.Run(ctx, 1) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ns := f.namespace("team")
		if len(ns.Spec.Finalizers) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not finalized; actions %v", f.kube.Actions())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}
