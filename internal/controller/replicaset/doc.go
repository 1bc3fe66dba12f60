// Package replicaset implements the ReplicaSet controller of
// kube-controller-manager: it keeps spec.replicas pods matching a
// ReplicaSet's selector running.
//
// For every ReplicaSet it
//
//   - claims pods: adopts matching orphans and releases owned pods that stopped
//     matching (ownerReferences patches);
//   - counts the active ones (not terminating, not finished) and creates the
//     missing pods from spec.template (generateName "<rs>-", a controller
//     reference) in slow-start batches, or deletes the surplus, cheapest
//     first: unscheduled, pending, not ready, doubled up on a node, ready for
//     the shortest time, most restarts, newest;
//   - records the creations and deletions in flight (podutil.Expectations)
//     and does not act again until the informer has seen them, so a slow
//     watch never makes it over- or under-shoot;
//   - reports status (replicas, fullyLabeledReplicas, readyReplicas,
//     availableReplicas after minReadySeconds, observedGeneration and the
//     ReplicaFailure condition) through the status subresource, and Events
//     SuccessfulCreate / SuccessfulDelete / FailedCreate / FailedDelete.
//
// Decisions are pure functions (plan.go, rank.go, status.go); controller.go,
// handlers.go and sync.go do the I/O.
package replicaset
