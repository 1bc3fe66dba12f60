// Package namespace implements the namespace lifecycle controller: the part of
// Kubernetes that empties a namespace being deleted and then lets it go.
//
// DELETE of a namespace only sets its deletionTimestamp (phase Terminating);
// the API server keeps the object while spec.finalizers holds "kubernetes".
// This controller, for every such namespace:
//
//  1. deletes its content, resource by resource, with background propagation
//     (DeleteCollection, or one DELETE per object where collections are not
//     supported). Pods go first and everything else waits until they are gone,
//     as with Kubernetes' ordered namespace deletion, so pods keep their
//     ServiceAccounts, Secrets and ConfigMaps while they terminate;
//  2. reports progress in status.conditions with the types and reasons
//     Kubernetes uses (NamespaceDeletionContentFailure,
//     NamespaceContentRemaining, NamespaceFinalizersRemaining, …) and re-checks
//     until nothing remains;
//  3. removes "kubernetes" from spec.finalizers through the finalize
//     subresource, after which the API server removes the namespace (once
//     metadata.finalizers is empty too).
//
// The pure parts (ordering, conditions, finalizer lists) are in plan.go and
// conditions.go; content.go, sync.go and controller.go do the I/O.
package namespace
