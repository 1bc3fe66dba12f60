package daemonset

import (
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// calculateStatus counts, over the nodes that should run a pod, how many
// have one, ready, available (minReadySeconds) and up to date (hash), and
// the nodes running one they should not. observedGeneration moves only
// when the pass acted on this generation.
func calculateStatus(ds *appsv1.DaemonSet, nodes []*corev1.Node, byNode nodePods, hash string, observed bool, now time.Time) appsv1.DaemonSetStatus {
	st := *ds.Status.DeepCopy()
	if observed {
		st.ObservedGeneration = ds.Generation
	}
	var desired, current, ready, available, updated, misscheduled int32
	for _, node := range nodes {
		run, _ := nodeShouldRun(node, ds)
		pods := byNode[node.Name]
		switch {
		case !run:
			if len(pods) > 0 {
				misscheduled++
			}
			continue
		case len(pods) == 0:
			desired++
			continue
		}
		desired++
		current++
		p := slices.MinFunc(pods, byScheduledThenCreation)
		if podutil.IsReady(p) {
			ready++
			if podutil.IsAvailable(p, ds.Spec.MinReadySeconds, now) {
				available++
			}
		}
		if p.Labels[hashLabel] == hash {
			updated++
		}
	}
	st.DesiredNumberScheduled = desired
	st.CurrentNumberScheduled = current
	st.NumberReady = ready
	st.NumberAvailable = available
	st.NumberUnavailable = desired - available
	st.UpdatedNumberScheduled = updated
	st.NumberMisscheduled = misscheduled
	return st
}

// nextAvailabilityCheck is when a ready daemon pod passes minReadySeconds;
// 0 when none is waiting for that.
func nextAvailabilityCheck(ds *appsv1.DaemonSet, byNode nodePods, now time.Time) time.Duration {
	var next time.Duration
	for _, pods := range byNode {
		for _, p := range pods {
			if d, ok := podutil.AvailableIn(p, ds.Spec.MinReadySeconds, now); ok && d > 0 && (next == 0 || d < next) {
				next = d
			}
		}
	}
	return next
}
