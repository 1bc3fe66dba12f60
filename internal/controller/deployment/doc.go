// Package deployment implements the Deployment controller of
// kube-controller-manager: it rolls a Deployment's pod template out through
// ReplicaSets, which the replicaset controller turns into pods.
//
// For every Deployment it
//
//   - claims ReplicaSets (adopts matching orphans, releases owned ones that
//     stopped matching);
//   - finds the ReplicaSet of the current template (equal but for the
//     pod-template-hash label — so `kubectl rollout undo`, which copies an
//     old template back, reuses that ReplicaSet) or creates it, named
//     <deployment>-<hash>, the hash (FNV-32a of the template, as Kubernetes
//     computes it, bumped by status.collisionCount) added to its selector and
//     pod labels;
//   - numbers templates with deployment.kubernetes.io/revision (a reused
//     ReplicaSet becomes the newest revision, earlier numbers going to
//     revision-history) and records desired-replicas / max-replicas on
//     ReplicaSets;
//   - takes one rollout step per pass: RollingUpdate grows the new
//     ReplicaSet while all ReplicaSets stay within replicas+maxSurge and
//     shrinks old ones while replicas-maxUnavailable stay available
//     (percentages: surge rounds up, unavailable down); Recreate scales
//     everything old to 0 and waits for its pods to be gone first; changes
//     of spec.replicas mid-rollout are spread proportionally; a paused
//     Deployment only scales;
//   - deletes old, empty ReplicaSets beyond revisionHistoryLimit once a
//     rollout completes;
//   - reports status (replicas, updated, ready, available, unavailable,
//     observedGeneration) with the Available condition
//     (MinimumReplicasAvailable / MinimumReplicasUnavailable) and the
//     Progressing condition (NewReplicaSetCreated, FoundNewReplicaSet,
//     ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded,
//     DeploymentPaused, DeploymentResumed), and ScalingReplicaSet Events
//     ("Scaled up replica set web-5d4 from 0 to 3").
//
// All decisions are in plan.go and the files it uses (rollout.go,
// scale.go, conditions.go, annotations.go, hash.go, replicas.go), pure
// functions from the observed Deployment and ReplicaSets to a Plan;
// controller.go, handlers.go and sync.go do the I/O.
package deployment
