// Package garbagecollector implements the Kubernetes garbage collector: the
// controller that gives metadata.ownerReferences their meaning.
//
// It watches the metadata of every served resource and keeps a graph of
// owner → dependents keyed by UID. From that graph it:
//
//   - deletes a dependent (background propagation) once every one of its owners
//     is verified absent by a live GET, and strips the dangling references when
//     only some owners are gone;
//   - carries out foreground deletion: an owner with a deletionTimestamp and the
//     "foregroundDeletion" finalizer has its dependents deleted, and loses the
//     finalizer once no dependent with blockOwnerDeletion=true remains;
//   - carries out orphan deletion: an owner with a deletionTimestamp and the
//     "orphan" finalizer has the reference to it removed from every dependent,
//     then loses the finalizer.
//
// The API server, not this package, adds those finalizers on DELETE according
// to the propagationPolicy. Scoping follows Kubernetes: a namespaced owner only
// owns dependents in its own namespace (a reference from another namespace is
// treated as absent), a cluster-scoped owner may own namespaced dependents, and
// a cluster-scoped dependent naming a namespaced owner kind is unresolvable and
// never collected.
//
// The decisions live in pure functions (decide.go, patch.go); graph.go turns
// informer events into work items, controller.go and sync.go do the I/O.
package garbagecollector
