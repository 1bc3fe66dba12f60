package scheduler

import (
	"cmp"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// podInfo is what the scheduler derives from a pod once.
type podInfo struct {
	pod      *corev1.Pod
	requests resources // reserved on the node (filtering)
	nonZero  resources // with defaults for unset cpu/memory (scoring)
	ports    []hostPort
	owner    types.UID   // controller owner, "" if none (spreading)
	volumes  *podVolumes // the pod's claims; nil without volume binding
}

func newPodInfo(pod *corev1.Pod) *podInfo {
	return &podInfo{
		pod:      pod,
		requests: podRequests(pod, false),
		nonZero:  podRequests(pod, true),
		ports:    podHostPorts(pod),
		owner:    controllerUID(pod),
	}
}

// controllerUID returns the UID of the pod's managing controller.
func controllerUID(pod *corev1.Pod) types.UID {
	for _, ref := range pod.OwnerReferences {
		if ref.Controller != nil && *ref.Controller {
			return ref.UID
		}
	}
	return ""
}

// terminal: the pod's containers are done for good and hold nothing on the
// node any more.
func terminal(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
}

// occupiesNode: the pod is assigned and still holds its node's resources.
// Pods being deleted still run until their kubelet stops them.
func occupiesNode(pod *corev1.Pod) bool {
	return pod.Spec.NodeName != "" && !terminal(pod)
}

// nodeInfo is one node as the scheduler sees it: what it offers and what
// the pods already there take.
type nodeInfo struct {
	node        *corev1.Node
	taints      []corev1.Taint // including the implicit not-ready one
	allocatable resources
	allowedPods int64
	requested   resources
	nonZero     resources
	pods        []*podInfo
	ports       []hostPort
}

func newNodeInfo(node *corev1.Node) *nodeInfo {
	alloc := node.Status.Allocatable
	n := &nodeInfo{
		node:        node,
		taints:      effectiveTaints(node),
		allocatable: resourcesOf(alloc),
	}
	if q, ok := alloc[corev1.ResourcePods]; ok {
		n.allowedPods = q.Value()
	}
	return n
}

// addPod accounts a pod placed on the node.
func (n *nodeInfo) addPod(p *podInfo) {
	n.pods = append(n.pods, p)
	n.requested.add(p.requests)
	n.nonZero.add(p.nonZero)
	n.ports = append(n.ports, p.ports...)
}

// buildNodeInfos groups the occupying pods by node, nodes sorted by name.
// Pods on nodes not in the list are ignored.
func buildNodeInfos(nodes []*corev1.Node, pods []*corev1.Pod) []*nodeInfo {
	infos := make([]*nodeInfo, 0, len(nodes))
	byName := make(map[string]*nodeInfo, len(nodes))
	for _, node := range nodes {
		ni := newNodeInfo(node)
		infos = append(infos, ni)
		byName[node.Name] = ni
	}
	for _, pod := range pods {
		if !occupiesNode(pod) {
			continue
		}
		if ni := byName[pod.Spec.NodeName]; ni != nil {
			ni.addPod(newPodInfo(pod))
		}
	}
	slices.SortFunc(infos, func(a, b *nodeInfo) int { return cmp.Compare(a.node.Name, b.node.Name) })
	return infos
}
