// Package serviceaccount keeps the per-namespace defaults every Kubernetes
// namespace is expected to have, as kube-controller-manager's
// "serviceaccount" and "root-ca-cert-publisher" controllers do:
//
//   - the ServiceAccount "default", which pods use when they name none;
//   - the ConfigMap "kube-root-ca.crt", whose "ca.crt" key holds the cluster
//     CA bundle so workloads can verify the API server (projected
//     service-account volumes mount it).
//
// Both are created in every namespace that is not terminating, re-created if
// deleted, and the ConfigMap's data is put back if it drifts. The Kubernetes
// e2e framework waits for both before it runs a test in a fresh namespace.
//
// The decision is a pure function (plan.go); controller.go does the I/O.
package serviceaccount
