// Package statefulset implements the StatefulSet controller of
// kube-controller-manager — the seed's "StatefulSets give each replica its
// own claim from volumeClaimTemplates and keep those claims when the set
// goes away".
//
// For every StatefulSet it
//
//   - gives each replica a stable identity: pod <set>-<ordinal> (ordinals
//     from spec.ordinals.start), labels statefulset.kubernetes.io/pod-name
//     and apps.kubernetes.io/pod-index, spec.hostname = the pod name and
//     spec.subdomain = spec.serviceName (so the headless Service's DNS
//     answers <pod>.<service>.<ns>.svc.<zone>);
//   - creates the claims <template>-<set>-<ordinal> from
//     volumeClaimTemplates before the pod and reuses them when the pod is
//     recreated; persistentVolumeClaimRetentionPolicy is carried out with
//     ownerReferences (to the set for whenDeleted: Delete, to the pod of a
//     condemned ordinal for whenScaled: Delete) so the garbage collector does
//     the deleting;
//   - manages pods OrderedReady (one at a time, each after its predecessors
//     are Running and Ready for minReadySeconds; scale-down from the highest
//     ordinal, only while the others are healthy) or Parallel;
//   - records templates as ControllerRevisions (currentRevision,
//     updateRevision, collisionCount) and rolls them out RollingUpdate
//     (highest ordinal first, one at a time or up to maxUnavailable, down to
//     the partition) or OnDelete;
//   - reports status (replicas, readyReplicas, currentReplicas,
//     updatedReplicas, availableReplicas, observedGeneration).
//
// The decisions are pure functions: identity.go (names, pods, claims),
// retention.go (claim owner references), history.go (revisions), plan.go
// (what to create, delete and fix in one pass) and status.go. controller.go,
// handlers.go and sync.go are the thin client-go shell around them.
package statefulset
