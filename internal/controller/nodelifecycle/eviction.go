package nodelifecycle

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
)

// evictAt decides when a pod on a node with these taints is to be
// evicted, as Kubernetes' taint eviction does: never (ok false) when the
// node has no NoExecute taint or the pod tolerates them all forever; at
// once (the taint's time) when a NoExecute taint is not tolerated; else
// when the shortest tolerationSeconds of the tolerations in use ran out,
// counted from the time the taint was added.
func evictAt(pod *corev1.Pod, taints []corev1.Taint) (at time.Time, ok bool) {
	for i := range taints {
		t := &taints[i]
		if t.Effect != corev1.TaintEffectNoExecute {
			continue
		}
		var added time.Time
		if t.TimeAdded != nil {
			added = t.TimeAdded.Time
		}
		tolerated, forever, secs := false, false, int64(0)
		for j := range pod.Spec.Tolerations {
			tol := &pod.Spec.Tolerations[j]
			// comparison operators (Lt/Gt) are alpha and off, as in Kubernetes
			if !tol.ToleratesTaint(klog.Background(), t, false) {
				continue
			}
			if tol.TolerationSeconds == nil {
				forever = true
				continue
			}
			s := max(*tol.TolerationSeconds, 0)
			if !tolerated || s < secs {
				secs = s
			}
			tolerated = true
		}
		var when time.Time
		switch {
		case tolerated:
			// a bounded toleration in use bounds the stay, even next to an
			// unbounded one (Kubernetes takes the minimum)
			when = added.Add(time.Duration(secs) * time.Second)
		case forever:
			continue
		default:
			when = added
		}
		if !ok || when.Before(at) {
			at, ok = when, true
		}
	}
	return at, ok
}

// podsToMarkNotReady are the pods of a node that is not Ready whose Ready
// condition still says something else than False.
func podsToMarkNotReady(pods []*corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range pods {
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status != corev1.ConditionFalse {
				out = append(out, p)
				break
			}
		}
	}
	return out
}
