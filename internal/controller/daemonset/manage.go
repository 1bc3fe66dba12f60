package daemonset

import (
	"cmp"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// nodePods maps a node name to the DaemonSet's pods for it.
type nodePods map[string][]*corev1.Pod

// groupByNode files pods under their target node. Pods that are both
// deleted and finished are left out (they are as good as gone); pods whose
// node cannot be told are too.
func groupByNode(pods []*corev1.Pod) nodePods {
	out := nodePods{}
	for _, p := range pods {
		if p.DeletionTimestamp != nil && podutil.IsTerminal(p) {
			continue
		}
		if n := targetNode(p); n != "" {
			out[n] = append(out[n], p)
		}
	}
	return out
}

// manageResult is what manage wants done.
type manageResult struct {
	CreateOn []string      // nodes needing a pod
	Delete   []*corev1.Pod // pods to delete
	// Failed are failed daemon pods to delete, subject to a per-node
	// back-off (a kubelet rejecting the pod must not cause a hot loop).
	Failed []*corev1.Pod
}

func (r manageResult) empty() bool {
	return len(r.CreateOn) == 0 && len(r.Delete) == 0 && len(r.Failed) == 0
}

// manage decides, node by node, which daemon pods to create and delete:
// one pod on every node that should run one (two during a surge), none on
// nodes that should not, none for nodes that are gone.
func manage(ds *appsv1.DaemonSet, nodes []*corev1.Node, byNode nodePods, hash string, now time.Time) manageResult {
	var r manageResult
	known := map[string]bool{}
	for _, node := range sortedNodes(nodes) {
		known[node.Name] = true
		shouldRun, shouldContinue := nodeShouldRun(node, ds)
		pods := byNode[node.Name]
		switch {
		case shouldRun && len(pods) == 0:
			r.CreateOn = append(r.CreateOn, node.Name)
		case shouldContinue:
			var running []*corev1.Pod
			for _, p := range pods {
				switch {
				case p.DeletionTimestamp != nil:
				case p.Status.Phase == corev1.PodFailed:
					r.Failed = append(r.Failed, p)
				case p.Status.Phase == corev1.PodSucceeded:
					r.Delete = append(r.Delete, p) // a daemon should run forever
				default:
					running = append(running, p)
				}
			}
			r.Delete = append(r.Delete, excessPods(ds, running, hash, now)...)
		case len(pods) > 0:
			r.Delete = append(r.Delete, live(pods)...)
		}
	}
	// Pods for nodes that no longer exist. (Kubernetes leaves bound ones to
	// the pod garbage collector, which berth does not run.)
	for _, name := range sortedKeys(byNode) {
		if !known[name] {
			r.Delete = append(r.Delete, live(byNode[name])...)
		}
	}
	return r
}

// excessPods: without surge, all but the oldest running pod on a node.
// With surge two may run, the oldest up-to-date and the oldest outdated
// one, while the outdated one is ready and the new one not yet available;
// any others go.
func excessPods(ds *appsv1.DaemonSet, running []*corev1.Pod, hash string, now time.Time) []*corev1.Pod {
	if len(running) <= 1 {
		return nil
	}
	running = slices.Clone(running)
	slices.SortStableFunc(running, byScheduledThenCreation)
	if !allowsSurge(ds) {
		return running[1:]
	}
	var out []*corev1.Pod
	var oldestNew, oldestOld *corev1.Pod
	for _, p := range running {
		switch {
		case p.Labels[hashLabel] == hash && oldestNew == nil:
			oldestNew = p
		case p.Labels[hashLabel] != hash && oldestOld == nil:
			oldestOld = p
		default:
			out = append(out, p)
		}
	}
	if oldestNew != nil && oldestOld != nil &&
		(!podutil.IsReady(oldestOld) || podutil.IsAvailable(oldestNew, ds.Spec.MinReadySeconds, now)) {
		out = append(out, oldestOld)
	}
	return out
}

// byScheduledThenCreation: bound pods first, then oldest, then by name.
func byScheduledThenCreation(a, b *corev1.Pod) int {
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		if a.Spec.NodeName != "" {
			return -1
		}
		return 1
	}
	if c := a.CreationTimestamp.Time.Compare(b.CreationTimestamp.Time); c != 0 {
		return c
	}
	return cmp.Compare(a.Name, b.Name)
}

// live drops pods already being deleted.
func live(pods []*corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range pods {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

// isRollingUpdate: the DaemonSet's strategy is RollingUpdate (the default).
func isRollingUpdate(ds *appsv1.DaemonSet) bool {
	return ds.Spec.UpdateStrategy.Type == "" || ds.Spec.UpdateStrategy.Type == appsv1.RollingUpdateDaemonSetStrategyType
}

// maxSurgeUnavailable resolves the rolling update parameters for desired
// nodes. Both round up (unlike Deployments); 0 and 0 means one may be
// unavailable. Defaults are maxUnavailable 1, maxSurge 0.
func maxSurgeUnavailable(ds *appsv1.DaemonSet, desired int) (surge, unavailable int) {
	if !isRollingUpdate(ds) {
		return 0, 0
	}
	su, un := intstr.FromInt32(0), intstr.FromInt32(1)
	if ru := ds.Spec.UpdateStrategy.RollingUpdate; ru != nil {
		if ru.MaxSurge != nil {
			su = *ru.MaxSurge
		}
		if ru.MaxUnavailable != nil {
			un = *ru.MaxUnavailable
		}
	}
	s, err := intstr.GetScaledValueFromIntOrPercent(&su, desired, true)
	if err != nil {
		s = 0
	}
	u, err := intstr.GetScaledValueFromIntOrPercent(&un, desired, true)
	if err != nil {
		u = 1
	}
	if desired > 0 && s == 0 && u == 0 {
		u = 1
	}
	return s, u
}

// allowsSurge: the rolling update may run a second pod on a node.
func allowsSurge(ds *appsv1.DaemonSet) bool {
	s, _ := maxSurgeUnavailable(ds, 1)
	return s > 0
}

func sortedNodes(nodes []*corev1.Node) []*corev1.Node {
	out := slices.Clone(nodes)
	slices.SortFunc(out, func(a, b *corev1.Node) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

func sortedKeys(m nodePods) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
