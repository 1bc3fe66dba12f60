package daemonset

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// rollingUpdate decides one RollingUpdate step: outdated pods to delete
// (the manage pass then creates their replacements) and, with maxSurge,
// nodes to get a new pod next to the old one. It runs only when manage has
// nothing to do, so every node has its pods.
func rollingUpdate(ds *appsv1.DaemonSet, nodes []*corev1.Node, byNode nodePods, hash string, now time.Time) (del []*corev1.Pod, createOn []string) {
	// Every node that should run a pod takes part, with or without one.
	desired := 0
	wanted := map[string]bool{}
	for _, n := range nodes {
		if run, _ := nodeShouldRun(n, ds); run {
			desired++
			wanted[n.Name] = true
		}
	}
	surge, unavailable := maxSurgeUnavailable(ds, desired)
	names := sortedKeys(byNode)
	for n := range wanted {
		if _, ok := byNode[n]; !ok {
			names = append(names, n)
		}
	}
	available := func(p *corev1.Pod) bool { return podutil.IsAvailable(p, ds.Spec.MinReadySeconds, now) }

	if surge == 0 {
		// Delete old pods while at most maxUnavailable nodes lack an
		// available pod. An old pod that is not available anyway can
		// always go.
		numUnavailable := 0
		var candidates []*corev1.Pod
		for _, name := range names {
			newPod, oldPod, ok := updatedPods(byNode[name], hash)
			switch {
			case !ok, newPod == nil && oldPod == nil, newPod != nil && oldPod != nil:
				numUnavailable++ // manage sorts these nodes out
			case newPod != nil:
				if !available(newPod) {
					numUnavailable++
				}
			case !available(oldPod):
				del = append(del, oldPod)
			case numUnavailable < unavailable:
				candidates = append(candidates, oldPod)
			}
		}
		room := max(unavailable-numUnavailable, 0)
		return append(del, candidates[:min(room, len(candidates))]...), nil
	}

	// With surge: a new pod goes next to an old one (at once where the old
	// one is not available, else up to maxSurge nodes at a time); the old
	// one goes when the new one is available.
	numSurge := 0
	var candidates []string
	for _, name := range names {
		newPod, oldPod, ok := updatedPods(byNode[name], hash)
		switch {
		case !ok:
			numSurge++ // manage sorts this node out
		case oldPod == nil:
			// nothing to update here
		case newPod == nil && !available(oldPod):
			if !wanted[name] {
				del = append(del, oldPod) // unavailable and unwanted: just go
				continue
			}
			createOn = append(createOn, name)
		case newPod == nil:
			if numSurge < surge {
				candidates = append(candidates, name)
			}
		case !available(newPod):
			numSurge++ // waiting for it
		default:
			del = append(del, oldPod)
		}
	}
	room := max(surge-numSurge, 0)
	return del, append(createOn, candidates[:min(room, len(candidates))]...)
}

// updatedPods finds the up-to-date and the outdated live pod of a node; ok
// is false when there are more than one of either (manage's business).
func updatedPods(pods []*corev1.Pod, hash string) (newPod, oldPod *corev1.Pod, ok bool) {
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if p.Labels[hashLabel] == hash {
			if newPod != nil {
				return nil, nil, false
			}
			newPod = p
		} else {
			if oldPod != nil {
				return nil, nil, false
			}
			oldPod = p
		}
	}
	return newPod, oldPod, true
}
