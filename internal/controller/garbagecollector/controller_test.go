package garbagecollector

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	metafake "k8s.io/client-go/metadata/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
)

var (
	leaseRes = Resource{GVR: schema.GroupVersionResource{Group: "coordination.k8s.io", Version: "v1", Resource: "leases"}, Kind: "Lease", Namespaced: true}
	pvRes    = Resource{GVR: schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumes"}, Kind: "PersistentVolume"}
	testRes  = []Resource{podRes, rsRes, nodeRes, leaseRes, pvRes}
)

// object builds the metadata of one object as the fake tracker stores it.
func object(res Resource, ns, name, uid string, owners ...metav1.OwnerReference) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{APIVersion: res.GVR.GroupVersion().String(), Kind: res.Kind},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(uid), OwnerReferences: owners},
	}
}

func refTo(res Resource, name, uid string, block bool) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: res.GVR.GroupVersion().String(), Kind: res.Kind, Name: name, UID: types.UID(uid), BlockOwnerDeletion: &block}
}

func beingDeleted(m *metav1.PartialObjectMetadata, finalizers ...string) *metav1.PartialObjectMetadata {
	now := metav1.Now()
	m.DeletionTimestamp = &now
	m.Finalizers = finalizers
	return m
}

// harness runs the collector's informers against a fake metadata client and
// lets the test drive the work queue synchronously, so every assertion is
// made after all queued work has been done.
type harness struct {
	t      *testing.T
	ctx    context.Context
	c      *Controller
	client *metafake.FakeMetadataClient
}

func newHarness(t *testing.T, objs ...runtime.Object) *harness {
	t.Helper()
	scheme := metafake.NewTestScheme()
	if err := metav1.AddMetaToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	client := metafake.NewSimpleMetadataClient(scheme, objs...)
	c, err := New(client, testRes)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		c.queue.ShutDown()
		c.factory.Shutdown()
	})
	c.factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		t.Fatal("caches did not sync")
	}
	h := &harness{t: t, ctx: ctx, c: c, client: client}
	// The fake only delivers events to watches that exist: wait for all.
	h.eventually("watches started", func() bool { return h.count("watch") >= len(testRes) })
	return h
}

func (h *harness) count(verb string) int {
	n := 0
	for _, a := range h.client.Actions() {
		if a.GetVerb() == verb {
			n++
		}
	}
	return n
}

func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; actions: %v", what, h.client.Actions())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// drain processes queued items until the queue is empty.
func (h *harness) drain() {
	h.t.Helper()
	for i := 0; h.c.queue.Len() > 0; i++ {
		if i > 1000 {
			h.t.Fatal("queue does not drain")
		}
		h.c.processNext(h.ctx)
	}
}

// drainUntil keeps draining while informer events trickle in, until cond.
func (h *harness) drainUntil(what string, cond func() bool) {
	h.t.Helper()
	h.eventually(what, func() bool { h.drain(); return cond() })
}

// writes returns the mutating actions (delete, patch) in order.
func (h *harness) writes() []clienttesting.Action {
	var out []clienttesting.Action
	for _, a := range h.client.Actions() {
		if a.GetVerb() == "delete" || a.GetVerb() == "patch" || a.GetVerb() == "delete-collection" {
			out = append(out, a)
		}
	}
	return out
}

func (h *harness) deletes() map[string]metav1.DeletionPropagation {
	out := map[string]metav1.DeletionPropagation{}
	for _, a := range h.writes() {
		if d, ok := a.(clienttesting.DeleteActionImpl); ok {
			var p metav1.DeletionPropagation
			if d.DeleteOptions.PropagationPolicy != nil {
				p = *d.DeleteOptions.PropagationPolicy
			}
			out[d.GetResource().Resource+"/"+d.GetNamespace()+"/"+d.GetName()] = p
			if d.DeleteOptions.Preconditions == nil || d.DeleteOptions.Preconditions.UID == nil {
				h.t.Errorf("delete of %s without UID precondition", d.GetName())
			}
		}
	}
	return out
}

// patches returns the decoded metadata of every patch to resource/ns/name.
func (h *harness) patches(resource, ns, name string) []map[string]any {
	var out []map[string]any
	for _, a := range h.writes() {
		p, ok := a.(clienttesting.PatchActionImpl)
		if !ok || p.GetResource().Resource != resource || p.GetNamespace() != ns || p.GetName() != name {
			continue
		}
		if p.GetPatchType() != types.MergePatchType {
			h.t.Errorf("patch type %s, want merge patch", p.GetPatchType())
		}
		var m map[string]map[string]any
		if err := json.Unmarshal(p.GetPatch(), &m); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, m["metadata"])
	}
	return out
}

func (h *harness) live(res Resource, ns, name string) *metav1.PartialObjectMetadata {
	h.t.Helper()
	m, err := h.client.Resource(res.GVR).Namespace(ns).Get(h.ctx, name, metav1.GetOptions{})
	if err != nil {
		h.t.Fatalf("get %s/%s: %v", ns, name, err)
	}
	return m
}

func TestDanglingDependentIsDeletedInBackground(t *testing.T) {
	h := newHarness(t, object(podRes, "ns", "orphan", "p1", refTo(rsRes, "gone", "rs-gone", true)))
	h.drain()
	got := h.deletes()
	if len(got) != 1 || got["pods/ns/orphan"] != metav1.DeletePropagationBackground {
		t.Fatalf("deletes = %v", got)
	}
}

func TestPresentOwnerKeepsDependent(t *testing.T) {
	h := newHarness(t,
		object(rsRes, "ns", "rs", "rs1"),
		object(podRes, "ns", "p", "p1", refTo(rsRes, "rs", "rs1", true)),
		object(nodeRes, "", "node-a", "n1"),
		object(leaseRes, "kube-node-lease", "node-a", "l1", refTo(nodeRes, "node-a", "n1", false)),
	)
	h.drain()
	if w := h.writes(); len(w) != 0 {
		t.Fatalf("unexpected writes: %v", w)
	}
}

func TestPartlyDanglingReferencesAreStripped(t *testing.T) {
	h := newHarness(t,
		object(rsRes, "ns", "rs", "rs1"),
		object(podRes, "ns", "p", "p1", refTo(rsRes, "gone", "rs-gone", false), refTo(rsRes, "rs", "rs1", true)),
	)
	h.drain()
	if d := h.deletes(); len(d) != 0 {
		t.Fatalf("nothing must be deleted, got %v", d)
	}
	ps := h.patches("pods", "ns", "p")
	if len(ps) != 1 {
		t.Fatalf("want one patch, got %v", ps)
	}
	refs := ps[0]["ownerReferences"].([]any)
	if len(refs) != 1 || refs[0].(map[string]any)["uid"] != "rs1" || ps[0]["uid"] != "p1" {
		t.Errorf("patch = %v", ps[0])
	}
	if got := h.live(podRes, "ns", "p").OwnerReferences; len(got) != 1 || got[0].UID != "rs1" {
		t.Errorf("live ownerReferences = %v", got)
	}
}

func TestOwnerReplacedUnderSameNameIsAbsent(t *testing.T) {
	h := newHarness(t,
		object(rsRes, "ns", "rs", "rs-new"),
		object(podRes, "ns", "p", "p1", refTo(rsRes, "rs", "rs-old", true)),
	)
	h.drain()
	if got := h.deletes(); len(got) != 1 || got["pods/ns/p"] != metav1.DeletePropagationBackground {
		t.Fatalf("deletes = %v", got)
	}
}

func TestNamespacedOwnerOnlyOwnsInItsNamespace(t *testing.T) {
	h := newHarness(t,
		object(rsRes, "a", "rs", "rs1"),
		object(podRes, "b", "p", "p1", refTo(rsRes, "rs", "rs1", true)),
	)
	h.drain()
	if got := h.deletes(); len(got) != 1 || got["pods/b/p"] == "" {
		t.Fatalf("deletes = %v", got)
	}
}

func TestClusterScopedOwnerOfNamespacedDependent(t *testing.T) {
	h := newHarness(t,
		object(leaseRes, "kube-node-lease", "node-a", "l1", refTo(nodeRes, "node-a", "n-gone", false)),
	)
	h.drain()
	if got := h.deletes(); len(got) != 1 || got["leases/kube-node-lease/node-a"] == "" {
		t.Fatalf("deletes = %v", got)
	}
}

func TestUnresolvableReferencesNeverDelete(t *testing.T) {
	h := newHarness(t,
		// Cluster-scoped dependent naming a namespaced owner kind.
		object(pvRes, "", "pv", "pv1", refTo(rsRes, "rs", "rs1", true)),
		// Owner kind the collector does not watch.
		object(podRes, "ns", "p", "p1", metav1.OwnerReference{APIVersion: "batch/v1", Kind: "Job", Name: "j", UID: "j1"}),
	)
	h.drain()
	if w := h.writes(); len(w) != 0 {
		t.Fatalf("unexpected writes: %v", w)
	}
}

func TestForegroundDeletion(t *testing.T) {
	h := newHarness(t,
		beingDeleted(object(rsRes, "ns", "rs", "rs1"), metav1.FinalizerDeleteDependents),
		object(podRes, "ns", "a", "p1", refTo(rsRes, "rs", "rs1", true)),
		object(podRes, "ns", "b", "p2", refTo(rsRes, "rs", "rs1", false)),
	)
	// Both dependents go, the blocking one and the other; under load the
	// second delete can come after the queue first looks drained.
	h.drainUntil("both dependents deleted", func() bool { d := h.deletes(); return d["pods/ns/a"] != "" && d["pods/ns/b"] != "" })
	got := h.deletes()
	if got["pods/ns/a"] != metav1.DeletePropagationBackground || got["pods/ns/b"] != metav1.DeletePropagationBackground {
		t.Fatalf("dependents not deleted: %v", got)
	}
	// The fake removed the pods at once; the owner notices the last blocking
	// dependent is gone and releases its finalizer.
	h.drainUntil("foreground finalizer removed", func() bool { return len(h.patches("replicasets", "ns", "rs")) > 0 })
	ps := h.patches("replicasets", "ns", "rs")
	if v, present := ps[0]["finalizers"]; !present || v != nil || ps[0]["uid"] != "rs1" {
		t.Errorf("finalizer patch = %v", ps[0])
	}
	if _, has := h.deletes()["replicasets/ns/rs"]; has {
		t.Error("the owner itself must not be deleted by the collector")
	}
}

func TestForegroundWaitsForTerminatingBlockingDependent(t *testing.T) {
	h := newHarness(t,
		beingDeleted(object(rsRes, "ns", "rs", "rs1"), metav1.FinalizerDeleteDependents),
		beingDeleted(object(podRes, "ns", "a", "p1", refTo(rsRes, "rs", "rs1", true))),
	)
	h.drain()
	if w := h.writes(); len(w) != 0 {
		t.Fatalf("owner must wait for the terminating pod, got writes %v", w)
	}
	// The pod finishes terminating.
	if err := h.client.Tracker().Delete(podRes.GVR, "ns", "a"); err != nil {
		t.Fatal(err)
	}
	h.drainUntil("finalizer removed", func() bool { return len(h.patches("replicasets", "ns", "rs")) == 1 })
	if fins := h.live(rsRes, "ns", "rs").Finalizers; len(fins) != 0 {
		t.Errorf("finalizers left: %v", fins)
	}
}

// TestForegroundChain walks owner → middle → leaf with a reactor that gives
// the fake the API server's foreground semantics for ReplicaSets: a DELETE
// with propagationPolicy=Foreground marks the object instead of removing it.
func TestForegroundChain(t *testing.T) {
	h := newHarness(t,
		beingDeleted(object(nodeRes, "", "top", "top1"), metav1.FinalizerDeleteDependents),
		object(rsRes, "ns", "mid", "mid1", refTo(nodeRes, "top", "top1", true)),
		object(podRes, "ns", "leaf", "leaf1", refTo(rsRes, "mid", "mid1", true)),
	)
	h.client.PrependReactor("delete", "replicasets", func(a clienttesting.Action) (bool, runtime.Object, error) {
		d := a.(clienttesting.DeleteActionImpl)
		if p := d.DeleteOptions.PropagationPolicy; p == nil || *p != metav1.DeletePropagationForeground {
			return false, nil, nil
		}
		obj, err := h.client.Tracker().Get(rsRes.GVR, d.GetNamespace(), d.GetName())
		if err != nil {
			return true, nil, err
		}
		m := beingDeleted(obj.(*metav1.PartialObjectMetadata).DeepCopy(), metav1.FinalizerDeleteDependents)
		return true, nil, h.client.Tracker().Update(rsRes.GVR, m, d.GetNamespace())
	})

	// mid is deleted in the foreground because it has a dependent; then the
	// leaf goes, then mid releases its own finalizer.
	h.drainUntil("mid released", func() bool { return len(h.patches("replicasets", "ns", "mid")) > 0 })
	got := h.deletes()
	if got["replicasets/ns/mid"] != metav1.DeletePropagationForeground || got["pods/ns/leaf"] != metav1.DeletePropagationBackground {
		t.Fatalf("deletes = %v", got)
	}
	if len(h.patches("nodes", "", "top")) != 0 {
		t.Fatal("top must keep its finalizer while mid exists")
	}
	// The API server removes mid once its finalizers are empty.
	if err := h.client.Tracker().Delete(rsRes.GVR, "ns", "mid"); err != nil {
		t.Fatal(err)
	}
	h.drainUntil("top released", func() bool { return len(h.patches("nodes", "", "top")) > 0 })
}

func TestOrphanDeletion(t *testing.T) {
	h := newHarness(t,
		beingDeleted(object(rsRes, "ns", "rs", "rs1"), "example.com/keep", metav1.FinalizerOrphanDependents),
		object(podRes, "ns", "a", "p1", refTo(rsRes, "rs", "rs1", true)),
		object(podRes, "ns", "b", "p2", refTo(nodeRes, "n", "n1", false), refTo(rsRes, "rs", "rs1", true)),
		object(nodeRes, "", "n", "n1"),
	)
	h.drain()
	if d := h.deletes(); len(d) != 0 {
		t.Fatalf("orphaning must not delete: %v", d)
	}
	if refs := h.live(podRes, "ns", "a").OwnerReferences; len(refs) != 0 {
		t.Errorf("pod a still owned: %v", refs)
	}
	if refs := h.live(podRes, "ns", "b").OwnerReferences; len(refs) != 1 || refs[0].UID != "n1" {
		t.Errorf("pod b refs = %v", refs)
	}
	if fins := h.live(rsRes, "ns", "rs").Finalizers; !slices.Equal(fins, []string{"example.com/keep"}) {
		t.Errorf("owner finalizers = %v", fins)
	}
	// Dependents are patched before the finalizer goes.
	w := h.writes()
	if last := w[len(w)-1].(clienttesting.PatchActionImpl); last.GetResource().Resource != "replicasets" {
		t.Errorf("last write should be the owner's finalizer, got %v", last)
	}
}

func TestRunDeletesDanglingAndStops(t *testing.T) {
	scheme := metafake.NewTestScheme()
	if err := metav1.AddMetaToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	client := metafake.NewSimpleMetadataClient(scheme, object(podRes, "ns", "p", "p1", refTo(rsRes, "gone", "x", true)))
	c, err := New(client, testRes)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, 2) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		found := false
		for _, a := range client.Actions() {
			if a.GetVerb() == "delete" && a.(clienttesting.DeleteActionImpl).GetName() == "p" {
				found = true
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod not deleted; actions %v", client.Actions())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestNewRejectsBadResources(t *testing.T) {
	client := metafake.NewSimpleMetadataClient(metafake.NewTestScheme())
	if _, err := New(client, nil); err == nil {
		t.Error("no resources must be an error")
	}
	if _, err := New(client, []Resource{{GVR: podRes.GVR}}); err == nil {
		t.Error("missing kind must be an error")
	}
}
