// Package validation checks the v1 objects berth stores the way a Kubernetes
// API server checks them (k8s.io/kubernetes pkg/apis/*/validation and the
// registry strategies' update rules), and reports problems as a
// field.ErrorList with Kubernetes' own field paths, error types and messages,
// so the server can answer 422 Invalid with the Status object kubectl and
// client-go expect.
//
// It covers the networking picture (Services and their cluster IPs, traffic
// policies and ports; Endpoints and EndpointSlices; Ingresses and
// IngressClasses), the storage picture (PersistentVolumes, claims and their
// immutability rules, StorageClasses, pod volumes and mounts), the workloads
// that consume both (Pods and the pod templates of Deployments, ReplicaSets,
// StatefulSets and DaemonSets, ControllerRevisions) and the surrounding core
// kinds (Namespaces, Nodes, ConfigMaps, Secrets, ServiceAccounts, Events,
// Leases).
//
// Entry points: ValidateCreate, ValidateUpdate and ValidateStatusUpdate. They
// expect an object that Default from the defaults package has already been
// applied to, like Kubernetes validates after defaulting. Validation is
// pure: it never mutates its arguments.
//
// Where Kubernetes behaviour depends on a feature gate, the gate's default in
// current Kubernetes is assumed (relaxed environment variable names, zero
// sleep actions allowed, PodLevelResources off, privileged containers
// allowed).
package validation
