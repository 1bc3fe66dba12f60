// Package apiserver is berth's Kubernetes API server: the one place where the
// cluster's desired state (pods, Services, volumes, …) is written, validated and
// watched. Every other part of the seed's picture — the scheduler, the node
// agents that build pod network namespaces, the service proxy, cluster DNS, the
// volume controllers — reads and writes state only through this API, over
// client-go, exactly as they would on Kubernetes.
//
// It is assembled from k8s.io/apiserver's generic machinery (REST handlers,
// watch cache, patch and server-side apply, discovery, OpenAPI) over etcd, with
// berth's own strategies: defaulting and validation on the k8s.io/api types,
// ClusterIP and NodePort allocation, namespace finalization, pod binding and the
// scale subresource.
package apiserver
