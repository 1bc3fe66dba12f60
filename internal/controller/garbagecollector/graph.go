package garbagecollector

import (
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// objectRef locates one object the collector has observed.
type objectRef struct {
	Resource  Resource
	Namespace string
	Name      string
	UID       types.UID
}

// node is the graph's copy of one object's metadata: just what the collector
// decides on.
type node struct {
	ref        objectRef
	owners     []metav1.OwnerReference
	deleting   bool
	finalizers []string
}

// nodeFrom builds a node from an informer's metadata object.
func nodeFrom(res Resource, m *metav1.PartialObjectMetadata) *node {
	return &node{
		ref:        objectRef{Resource: res, Namespace: m.Namespace, Name: m.Name, UID: m.UID},
		owners:     append([]metav1.OwnerReference(nil), m.OwnerReferences...),
		deleting:   m.DeletionTimestamp != nil,
		finalizers: append([]string(nil), m.Finalizers...),
	}
}

// waitsForDependents: the object is being deleted in the foreground.
func (n *node) waitsForDependents() bool {
	return n.deleting && hasFinalizer(n.finalizers, metav1.FinalizerDeleteDependents)
}

// hasOwnerWork: the object is being deleted and a finalizer of the collector
// holds it.
func (n *node) hasOwnerWork() bool {
	return n.deleting && (hasFinalizer(n.finalizers, metav1.FinalizerOrphanDependents) ||
		hasFinalizer(n.finalizers, metav1.FinalizerDeleteDependents))
}

// graph is the owner → dependents graph, built from informer events. Owners
// need not be observed: the dependents index is keyed by the UID a reference
// names, so a reference to an object never seen (or already gone) is kept.
type graph struct {
	mu         sync.RWMutex
	nodes      map[types.UID]*node
	dependents map[types.UID]map[types.UID]struct{} // owner UID → dependent UIDs
}

func newGraph() *graph {
	return &graph{
		nodes:      map[types.UID]*node{},
		dependents: map[types.UID]map[types.UID]struct{}{},
	}
}

// observe records an added or updated object and returns the UIDs that need
// a look from a worker.
func (g *graph) observe(n *node) []types.UID {
	g.mu.Lock()
	defer g.mu.Unlock()
	uid := n.ref.UID
	old := g.nodes[uid]
	if old != nil {
		g.unindex(old)
	}
	g.nodes[uid] = n
	for _, r := range n.owners {
		deps := g.dependents[r.UID]
		if deps == nil {
			deps = map[types.UID]struct{}{}
			g.dependents[r.UID] = deps
		}
		deps[uid] = struct{}{}
	}

	var out []types.UID
	switch {
	case n.hasOwnerWork():
		out = append(out, uid)
	case !n.deleting && g.needsAttention(n):
		out = append(out, uid)
	}
	// An owner deleting in the foreground re-checks whenever one of its
	// dependents changes: it may have gone, started deleting, or dropped
	// the reference.
	out = append(out, g.waitingOwners(n)...)
	if old != nil {
		out = append(out, g.waitingOwners(old)...)
	}
	return dedupe(out)
}

// remove records a deleted object and returns the UIDs that need a look: its
// dependents (their owner may now be dangling) and its owners waiting on it.
func (g *graph) remove(uid types.UID) []types.UID {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.nodes[uid]
	var out []types.UID
	if n != nil {
		g.unindex(n)
		delete(g.nodes, uid)
		out = append(out, g.waitingOwners(n)...)
	}
	for dep := range g.dependents[uid] {
		out = append(out, dep)
	}
	return dedupe(out)
}

// unindex drops n's entries from the dependents index. Caller holds the lock.
func (g *graph) unindex(n *node) {
	for _, r := range n.owners {
		if deps := g.dependents[r.UID]; deps != nil {
			delete(deps, n.ref.UID)
			if len(deps) == 0 {
				delete(g.dependents, r.UID)
			}
		}
	}
}

// waitingOwners returns n's owners that are deleting in the foreground.
// Caller holds the lock.
func (g *graph) waitingOwners(n *node) []types.UID {
	var out []types.UID
	for _, r := range n.owners {
		if o := g.nodes[r.UID]; o != nil && o.waitsForDependents() {
			out = append(out, r.UID)
		}
	}
	return out
}

// needsAttention: some owner of n is not known to the graph as present and
// in scope, or waits for its dependents. Caller holds the lock.
func (g *graph) needsAttention(n *node) bool {
	for _, r := range n.owners {
		if s, known := g.ownerStateLocked(r, n.ref.Namespace); !known || s != ownerSolid {
			return true
		}
	}
	return false
}

// ownerState classifies ref for a dependent in depNamespace from the graph
// alone. known is false when the graph cannot vouch for the owner (never
// observed, gone, or in another namespace); only a live GET may then call it
// absent.
func (g *graph) ownerState(ref metav1.OwnerReference, depNamespace string) (s ownerState, known bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.ownerStateLocked(ref, depNamespace)
}

func (g *graph) ownerStateLocked(ref metav1.OwnerReference, depNamespace string) (ownerState, bool) {
	o := g.nodes[ref.UID]
	if o == nil || (o.ref.Namespace != "" && o.ref.Namespace != depNamespace) {
		return ownerSolid, false
	}
	return existingOwnerState(o.deleting, o.finalizers), true
}

// get returns a copy of the node for uid.
func (g *graph) get(uid types.UID) (node, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n := g.nodes[uid]
	if n == nil {
		return node{}, false
	}
	return *n, true
}

// dependentViews lists the observed dependents of the owner (uid, namespace
// "" for a cluster-scoped owner).
func (g *graph) dependentViews(owner types.UID, ownerNamespace string) []dependentView {
	g.mu.RLock()
	defer g.mu.RUnlock()
	var out []dependentView
	for depUID := range g.dependents[owner] {
		d := g.nodes[depUID]
		if d == nil {
			continue
		}
		for _, r := range d.owners {
			if r.UID != owner {
				continue
			}
			out = append(out, dependentView{
				UID:                depUID,
				Ref:                r,
				Deleting:           d.deleting,
				WaitsForDependents: d.waitsForDependents(),
				InScope:            ownerNamespace == "" || d.ref.Namespace == ownerNamespace,
			})
			break
		}
	}
	return out
}

// dependentsSummary tells whether the object has in-scope dependents, and
// whether one of them is itself waiting for its dependents.
func (g *graph) dependentsSummary(owner types.UID, ownerNamespace string) (has, anyWaiting bool) {
	for _, d := range g.dependentViews(owner, ownerNamespace) {
		if !d.InScope {
			continue
		}
		has = true
		anyWaiting = anyWaiting || d.WaitsForDependents
	}
	return has, anyWaiting
}

// dedupe removes repeated UIDs, keeping the first occurrence.
func dedupe(uids []types.UID) []types.UID {
	if len(uids) < 2 {
		return uids
	}
	seen := make(map[types.UID]struct{}, len(uids))
	out := uids[:0]
	for _, u := range uids {
		if _, ok := seen[u]; !ok {
			seen[u] = struct{}{}
			out = append(out, u)
		}
	}
	return out
}
