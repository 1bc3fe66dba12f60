// Package daemonset implements the DaemonSet controller of
// kube-controller-manager: one pod of a DaemonSet on every node that should
// run it.
//
// For every DaemonSet it
//
//   - keeps the template's history as ControllerRevisions (data: the
//     strategic merge patch `kubectl rollout undo` applies; name
//     <ds>-<hash>; label controller-revision-hash), making the revision
//     that records the current template the newest, and deleting old ones
//     beyond revisionHistoryLimit that no pod uses;
//   - decides per node whether a daemon pod should run there — nodeSelector,
//     required node affinity, spec.nodeName, and the node's taints (plus the
//     not-ready / unreachable taint its Ready condition implies) against the
//     template's tolerations and the ones every daemon gets
//     (node.kubernetes.io/not-ready and unreachable NoExecute; disk-, memory-,
//     pid-pressure and unschedulable NoSchedule; network-unavailable for
//     host-network pods) — and whether one already there may stay (only
//     untolerated NoExecute taints evict);
//   - creates missing pods with a required node affinity on
//     metadata.name, which the scheduler honours, and deletes extra, failed
//     (with a per-node back-off), finished and misplaced ones; creations and
//     deletions in flight are podutil.Expectations;
//   - rolls template changes out: RollingUpdate with maxUnavailable (delete
//     old pods while few enough nodes lack an available one) or maxSurge (a
//     new pod next to the old one, which goes once the new one is
//     available); OnDelete replaces only pods deleted by someone else;
//   - reports status: desiredNumberScheduled, currentNumberScheduled,
//     numberReady, numberAvailable, numberUnavailable, updatedNumberScheduled,
//     numberMisscheduled, observedGeneration, collisionCount.
//
// Decisions are pure functions (eligibility.go, pod.go, history.go,
// manage.go, rolling.go, status.go); controller.go, handlers.go and sync.go
// do the I/O.
package daemonset
