// Package scheduler is berth's kube-scheduler: it picks a Node for every pod
// that has none and binds it there through the pods/binding subresource.
//
// It follows the default scheduling profile of Kubernetes in miniature:
//
//   - Filters (a node must pass all): NodeUnschedulable, TaintToleration
//     (NoSchedule/NoExecute; a node that is not Ready carries the implicit
//     node.kubernetes.io/not-ready or /unreachable NoSchedule taint, as the
//     node lifecycle controller would add it), NodeAffinity (nodeSelector and
//     required node affinity), NodePorts, NodeResourcesFit (cpu, memory,
//     ephemeral-storage, extended resources and the pod count against
//     status.allocatable), and an optional volume filter supplied by the
//     storage code.
//   - Scores: least-allocated cpu/memory, preferred node affinity, fewer
//     untolerated PreferNoSchedule taints, and fewer pods of the same owner
//     on the node (spreading). Ties go to the lowest node name, so results
//     are deterministic.
//   - A pod no node fits gets PodScheduled=False/Unschedulable with the
//     familiar "0/3 nodes are available: ..." message and a FailedScheduling
//     event, and is retried with back-off and whenever a node or a bound pod
//     changes.
//
// Pods the scheduler has bound but the informer has not yet shown bound are
// kept in an assumed-pod cache so their requests count at once.
//
// Everything that decides is pure (resources.go, nodeinfo.go, affinity.go,
// taints.go, ports.go, filters.go, score.go, schedule.go, assumed.go,
// status.go); controller.go and sync.go are the client-go shell.
package scheduler
