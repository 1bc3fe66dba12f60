// Package controller is the parent of berth's in-process controllers: the
// control loops that kube-controller-manager runs in a real cluster. Each
// sub-package talks to the API only through client-go (typed clients,
// metadata clients, informers and rate-limited work queues), is
// level-triggered and idempotent, and keeps its decisions in pure functions
// ("desired state from observed state") so they can be tested without a
// server.
//
//   - garbagecollector: ownerReferences — deletes dependents whose owners are
//     gone, and carries out foreground and orphan deletion.
//   - namespace: empties a Terminating namespace and finalizes it.
//   - serviceaccount: keeps the per-namespace defaults (ServiceAccount
//     "default", ConfigMap "kube-root-ca.crt") in every live namespace.
//   - nodeipam: gives every Node its spec.podCIDR, the range its pods' IPs
//     come from.
//   - replicaset, deployment, daemonset: keep replicated pods running and roll
//     out new templates (the pods whose changing IPs Services follow).
//   - statefulset: pods with stable names and DNS identities, each with its
//     own claims from volumeClaimTemplates.
//   - endpointslice: lists each Service's ready pods in EndpointSlices (and
//     the legacy Endpoints), what the service proxy and cluster DNS serve.
//   - volume: storage — binds claims to volumes, provisions the built-in
//     berth.dev drivers' volumes, protects in-use claims, expands volumes and
//     creates generic ephemeral claims.
//
// The scheduler, which binds pods to nodes, lives in internal/scheduler.
package controller
