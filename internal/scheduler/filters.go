package scheduler

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// Reasons, worded as Kubernetes' filter plugins word them: they end up in
// FailedScheduling messages that people (and tests) read.
const (
	reasonUnschedulable = "node(s) were unschedulable"
	reasonNodeAffinity  = "node(s) didn't match Pod's node affinity/selector"
	reasonNodePorts     = "node(s) didn't have free ports for the requested pod ports"
	reasonTooManyPods   = "Too many pods"
	reasonVolume        = "node(s) didn't satisfy the pod's volume requirements"
)

func reasonUntoleratedTaint(t *corev1.Taint) string {
	return fmt.Sprintf("node(s) had untolerated taint {%s: %s}", t.Key, t.Value)
}

func reasonInsufficient(name corev1.ResourceName) string { return "Insufficient " + string(name) }

// filterFunc checks one node for a pod; nil means it passes, otherwise the
// reasons it does not.
type filterFunc func(p *podInfo, n *nodeInfo) []string

// filters returns the filter chain in Kubernetes' default order; a node is
// rejected by the first filter that fails.
func filters(vf VolumeFilter) []filterFunc {
	fs := []filterFunc{filterUnschedulable, filterTaints, filterNodeAffinity, filterNodePorts, filterResources, filterVolumes}
	if vf != nil {
		fs = append(fs, volumeFilter(vf))
	}
	return fs
}

// runFilters returns nil when the node fits, else the reasons it does not.
func runFilters(fs []filterFunc, p *podInfo, n *nodeInfo) []string {
	for _, f := range fs {
		if reasons := f(p, n); len(reasons) > 0 {
			return reasons
		}
	}
	return nil
}

// filterUnschedulable: cordoned nodes take only pods tolerating the
// unschedulable taint (DaemonSet pods do).
func filterUnschedulable(p *podInfo, n *nodeInfo) []string {
	if !n.node.Spec.Unschedulable {
		return nil
	}
	cordon := corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}
	if tolerated(p.pod.Spec.Tolerations, &cordon) {
		return nil
	}
	return []string{reasonUnschedulable}
}

// filterTaints: every NoSchedule/NoExecute taint (including the implicit
// not-ready one) must be tolerated.
func filterTaints(p *podInfo, n *nodeInfo) []string {
	if t, found := firstUntolerated(p.pod, n.taints); found {
		return []string{reasonUntoleratedTaint(t)}
	}
	return nil
}

func filterNodeAffinity(p *podInfo, n *nodeInfo) []string {
	if matchesNodeSelector(p.pod, n.node) {
		return nil
	}
	return []string{reasonNodeAffinity}
}

func filterNodePorts(p *podInfo, n *nodeInfo) []string {
	if portsFree(p.ports, n.ports) {
		return nil
	}
	return []string{reasonNodePorts}
}

// filterResources compares the pod's requests with what the node has left
// of its allocatable resources; it reports every shortfall, not just the
// first. Only requested resources are checked, so a pod requesting nothing
// fits anywhere there is room for one more pod.
func filterResources(p *podInfo, n *nodeInfo) []string {
	var reasons []string
	if int64(len(n.pods))+1 > n.allowedPods {
		reasons = append(reasons, reasonTooManyPods)
	}
	names := p.requests.names()
	slices.Sort(names[3:]) // scalar resources in a stable order, after the standard three
	for _, name := range names {
		want := p.requests.get(name)
		if want > 0 && want > n.allocatable.get(name)-n.requested.get(name) {
			reasons = append(reasons, reasonInsufficient(name))
		}
	}
	return reasons
}

// filterVolumes: the node suits the pod's claims (volume binding).
func filterVolumes(p *podInfo, n *nodeInfo) []string {
	if p.volumes == nil {
		return nil
	}
	return p.volumes.filter(n.node)
}

// volumeFilter adapts the storage hook.
func volumeFilter(vf VolumeFilter) filterFunc {
	return func(p *podInfo, n *nodeInfo) []string {
		ok, reason := vf(p.pod, n.node)
		if ok {
			return nil
		}
		if reason == "" {
			reason = reasonVolume
		}
		return []string{reason}
	}
}
