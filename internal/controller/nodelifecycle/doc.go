// Package nodelifecycle is the control plane's side of node failure in the
// seed's picture of pods spread over several nodes: it decides from each
// node's heartbeats (its Lease in kube-node-lease and its status) whether
// the node is still there, and when it is not, it does what Kubernetes'
// node lifecycle controller does:
//
//   - the node's conditions become Unknown ("NodeStatusUnknown", "Kubelet
//     stopped posting node status.") once no heartbeat was seen for the
//     grace period (--node-monitor-grace-period, 40 s);
//   - the node gets the taints node.kubernetes.io/unreachable (Ready
//     Unknown) or node.kubernetes.io/not-ready (Ready False), NoSchedule
//     and NoExecute, and loses them again when it is Ready;
//   - its pods get Ready=False, so the EndpointSlice controller takes them
//     out of Services;
//   - pods that do not tolerate a NoExecute taint are evicted (deleted) at
//     once, pods that tolerate it for tolerationSeconds after that time;
//     their controllers replace them elsewhere.
//
// The decisions are pure functions (health.go, taints.go, eviction.go)
// with table tests; controller.go is the thin informer/client shell.
package nodelifecycle
