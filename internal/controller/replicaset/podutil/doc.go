// Package podutil holds the pieces the pod-owning workload controllers
// (replicaset and daemonset) share, as kube-controller-manager's
// pkg/controller helpers do for Kubernetes:
//
//   - Expectations: the creations and deletions a controller has asked for
//     but not yet seen in its informer, so that a slow watch never makes it
//     act twice;
//   - pod state: active, ready, available after minReadySeconds;
//   - controller references: the claim rule (adopt matching orphans, release
//     owned objects that stopped matching) and the patches that carry it out;
//   - SlowStart: creations in batches of 1, 2, 4, … that stop at the first
//     failing batch, so a quota or admission error costs one call, not 500.
//
// Everything here is pure or self-contained; the controllers do the I/O.
package podutil
