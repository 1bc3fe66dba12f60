package garbagecollector

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

var (
	rsRes   = Resource{GVR: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}, Kind: "ReplicaSet", Namespaced: true}
	podRes  = Resource{GVR: schema.GroupVersionResource{Version: "v1", Resource: "pods"}, Kind: "Pod", Namespaced: true}
	nodeRes = Resource{GVR: schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, Kind: "Node"}
)

type nodeOpt func(*node)

func deleting(fins ...string) nodeOpt {
	return func(n *node) { n.deleting = true; n.finalizers = fins }
}

func owned(refs ...metav1.OwnerReference) nodeOpt {
	return func(n *node) { n.owners = refs }
}

func mkNode(res Resource, ns, name, uid string, opts ...nodeOpt) *node {
	n := &node{ref: objectRef{Resource: res, Namespace: ns, Name: name, UID: types.UID(uid)}}
	for _, o := range opts {
		o(n)
	}
	return n
}

func sorted(uids []types.UID) []types.UID {
	out := slices.Clone(uids)
	slices.Sort(out)
	return out
}

func assertUIDs(t *testing.T, what string, got []types.UID, want ...types.UID) {
	t.Helper()
	if !slices.Equal(sorted(got), sorted(want)) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestGraphObserveEnqueues(t *testing.T) {
	ref := ownerRef("rs1", true)
	tests := []struct {
		name  string
		setup []*node
		obs   *node
		want  []types.UID
	}{
		{
			name: "dependent of an unseen owner needs a check",
			obs:  mkNode(podRes, "ns", "p", "p1", owned(ref)),
			want: []types.UID{"p1"},
		},
		{
			name:  "dependent of a present owner needs nothing",
			setup: []*node{mkNode(rsRes, "ns", "rs", "rs1")},
			obs:   mkNode(podRes, "ns", "p", "p1", owned(ref)),
		},
		{
			name:  "namespaced owner in another namespace does not count",
			setup: []*node{mkNode(rsRes, "other", "rs", "rs1")},
			obs:   mkNode(podRes, "ns", "p", "p1", owned(ref)),
			want:  []types.UID{"p1"},
		},
		{
			name:  "cluster-scoped owner counts for namespaced dependents",
			setup: []*node{mkNode(nodeRes, "", "n", "rs1")},
			obs:   mkNode(podRes, "ns", "p", "p1", owned(ref)),
		},
		{
			name:  "owner deleting in foreground: both the owner and the dependent",
			setup: []*node{mkNode(rsRes, "ns", "rs", "rs1", deleting(metav1.FinalizerDeleteDependents))},
			obs:   mkNode(podRes, "ns", "p", "p1", owned(ref)),
			want:  []types.UID{"p1", "rs1"},
		},
		{
			name:  "owner deleting in background: nothing yet",
			setup: []*node{mkNode(rsRes, "ns", "rs", "rs1", deleting())},
			obs:   mkNode(podRes, "ns", "p", "p1", owned(ref)),
		},
		{
			name: "owner starts foreground deletion",
			obs:  mkNode(rsRes, "ns", "rs", "rs1", deleting(metav1.FinalizerDeleteDependents)),
			want: []types.UID{"rs1"},
		},
		{
			name: "owner starts orphan deletion",
			obs:  mkNode(rsRes, "ns", "rs", "rs1", deleting(metav1.FinalizerOrphanDependents)),
			want: []types.UID{"rs1"},
		},
		{
			name: "terminating dependent of an unseen owner is left alone",
			obs:  mkNode(podRes, "ns", "p", "p1", owned(ref), deleting()),
		},
		{
			name: "dependent drops its reference to a foreground-deleting owner",
			setup: []*node{
				mkNode(rsRes, "ns", "rs", "rs1", deleting(metav1.FinalizerDeleteDependents)),
				mkNode(podRes, "ns", "p", "p1", owned(ref)),
			},
			obs:  mkNode(podRes, "ns", "p", "p1"),
			want: []types.UID{"rs1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGraph()
			for _, n := range tt.setup {
				g.observe(n)
			}
			assertUIDs(t, "enqueued", g.observe(tt.obs), tt.want...)
		})
	}
}

func TestGraphRemove(t *testing.T) {
	g := newGraph()
	g.observe(mkNode(rsRes, "ns", "rs", "rs1", deleting(metav1.FinalizerDeleteDependents)))
	g.observe(mkNode(podRes, "ns", "a", "p1", owned(ownerRef("rs1", true))))
	g.observe(mkNode(podRes, "ns", "b", "p2", owned(ownerRef("rs1", true))))

	// A dependent of a foreground-deleting owner disappears: the owner
	// re-checks whether it may go.
	assertUIDs(t, "after removing p1", g.remove("p1"), "rs1")
	if views := g.dependentViews("rs1", "ns"); len(views) != 1 || views[0].UID != "p2" {
		t.Errorf("dependents after removal: %+v", views)
	}
	// The owner disappears: its remaining dependents may now dangle.
	assertUIDs(t, "after removing rs1", g.remove("rs1"), "p2")
	if _, ok := g.get("rs1"); ok {
		t.Error("rs1 still in graph")
	}
	// Unknown UIDs are harmless.
	assertUIDs(t, "unknown", g.remove("nope"))
}

func TestGraphDependentViews(t *testing.T) {
	g := newGraph()
	g.observe(mkNode(rsRes, "ns", "rs", "rs1"))
	g.observe(mkNode(podRes, "ns", "a", "p1", owned(ownerRef("rs1", true))))
	g.observe(mkNode(podRes, "other", "b", "p2", owned(ownerRef("rs1", true))))
	g.observe(mkNode(podRes, "ns", "c", "p3", owned(ownerRef("x", false), ownerRef("rs1", false)), deleting(metav1.FinalizerDeleteDependents)))

	views := g.dependentViews("rs1", "ns")
	slices.SortFunc(views, func(a, b dependentView) int { return slices.Compare([]byte(a.UID), []byte(b.UID)) })
	if len(views) != 3 {
		t.Fatalf("got %d views", len(views))
	}
	if !views[0].InScope || views[1].InScope || !views[2].InScope {
		t.Errorf("scope wrong: %+v", views)
	}
	if views[2].Ref.UID != "rs1" || !views[2].Deleting || !views[2].WaitsForDependents {
		t.Errorf("p3 view wrong: %+v", views[2])
	}
	has, waiting := g.dependentsSummary("rs1", "ns")
	if !has || !waiting {
		t.Errorf("summary = (%v, %v), want (true, true)", has, waiting)
	}
	if has, _ := g.dependentsSummary("p1", "ns"); has {
		t.Error("p1 has no dependents")
	}
	// A cluster-scoped owner (namespace "") owns across namespaces.
	for _, v := range g.dependentViews("rs1", "") {
		if !v.InScope {
			t.Errorf("%s out of scope for a cluster-scoped owner", v.UID)
		}
	}
}

func TestGraphOwnerState(t *testing.T) {
	g := newGraph()
	g.observe(mkNode(rsRes, "ns", "rs", "rs1", deleting(metav1.FinalizerDeleteDependents)))
	g.observe(mkNode(nodeRes, "", "n", "n1"))
	tests := []struct {
		uid       string
		ns        string
		wantState ownerState
		wantKnown bool
	}{
		{"rs1", "ns", ownerWaiting, true},
		{"rs1", "other", ownerSolid, false},
		{"n1", "any", ownerSolid, true},
		{"missing", "ns", ownerSolid, false},
	}
	for _, tt := range tests {
		s, known := g.ownerState(metav1.OwnerReference{UID: types.UID(tt.uid)}, tt.ns)
		if s != tt.wantState || known != tt.wantKnown {
			t.Errorf("ownerState(%s in %s) = (%v, %v), want (%v, %v)", tt.uid, tt.ns, s, known, tt.wantState, tt.wantKnown)
		}
	}
}

func TestAbsentCache(t *testing.T) {
	c := newAbsentCache(2)
	c.add("a", "ns")
	if !c.has("a", "ns") || c.has("a", "other") {
		t.Error("namespace must be part of the key")
	}
	c.add("b", "")
	c.add("c", "") // full: emptied, then c added
	if c.has("a", "ns") || !c.has("c", "") {
		t.Error("cache should have been emptied when full")
	}
}
