package scheduler

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Defaults assumed, for scoring only, for a container that requests no cpu
// or memory: otherwise best-effort pods would all look free and pile onto
// one node. Kubernetes uses the same numbers.
const (
	defaultMilliCPURequest = 100               // 0.1 core
	defaultMemoryRequest   = 200 * 1024 * 1024 // 200 MiB
)

// resources is an amount of schedulable resources. Scalar holds everything
// that is not cpu, memory or ephemeral-storage: extended resources
// (example.com/gpu), hugepages-*.
type resources struct {
	MilliCPU         int64
	Memory           int64
	EphemeralStorage int64
	Scalar           map[corev1.ResourceName]int64
}

func quantity(name corev1.ResourceName, q resource.Quantity) int64 {
	if name == corev1.ResourceCPU {
		return q.MilliValue()
	}
	return q.Value()
}

// resourcesOf converts a ResourceList; "pods" is not a request and is
// skipped.
func resourcesOf(list corev1.ResourceList) resources {
	var r resources
	for name, q := range list {
		r.set(name, quantity(name, q))
	}
	return r
}

func (r *resources) get(name corev1.ResourceName) int64 {
	switch name {
	case corev1.ResourceCPU:
		return r.MilliCPU
	case corev1.ResourceMemory:
		return r.Memory
	case corev1.ResourceEphemeralStorage:
		return r.EphemeralStorage
	}
	return r.Scalar[name]
}

func (r *resources) set(name corev1.ResourceName, v int64) {
	switch name {
	case corev1.ResourceCPU:
		r.MilliCPU = v
	case corev1.ResourceMemory:
		r.Memory = v
	case corev1.ResourceEphemeralStorage:
		r.EphemeralStorage = v
	case corev1.ResourcePods:
	default:
		if r.Scalar == nil {
			r.Scalar = map[corev1.ResourceName]int64{}
		}
		r.Scalar[name] = v
	}
}

// names lists the resources r mentions.
func (r *resources) names() []corev1.ResourceName {
	out := []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage}
	for n := range r.Scalar {
		out = append(out, n)
	}
	return out
}

func (r *resources) add(o resources) {
	for _, n := range o.names() {
		r.set(n, r.get(n)+o.get(n))
	}
}

// setMax raises each of r's resources to o's where o's is larger.
func (r *resources) setMax(o resources) {
	for _, n := range o.names() {
		r.set(n, max(r.get(n), o.get(n)))
	}
}

// containerRequests is a container's requests; with nonZero, cpu and memory
// that are not mentioned at all take the scoring defaults.
func containerRequests(c *corev1.Container, nonZero bool) resources {
	r := resourcesOf(c.Resources.Requests)
	if nonZero {
		if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
			r.MilliCPU = defaultMilliCPURequest
		}
		if _, ok := c.Resources.Requests[corev1.ResourceMemory]; !ok {
			r.Memory = defaultMemoryRequest
		}
	}
	return r
}

// isSidecar: a restartable init container runs for the pod's whole life.
func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// podRequests is what a pod needs reserved on its node, the way Kubernetes
// computes it:
//   - app containers and sidecars run together, so they add up;
//   - each ordinary init container runs alone, next to the sidecars started
//     before it, so the pod needs the largest of those moments;
//   - the larger of the two, then pod-level requests (spec.resources) replace
//     cpu/memory when given, then the RuntimeClass overhead is added.
func podRequests(pod *corev1.Pod, nonZero bool) resources {
	var steady resources
	for i := range pod.Spec.Containers {
		steady.add(containerRequests(&pod.Spec.Containers[i], nonZero))
	}
	var sidecars, initPeak resources
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		req := containerRequests(c, nonZero)
		if isSidecar(c) {
			steady.add(req)
			sidecars.add(req)
			initPeak.setMax(sidecars)
			continue
		}
		req.add(sidecars)
		initPeak.setMax(req)
	}
	steady.setMax(initPeak)
	if pod.Spec.Resources != nil {
		for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := pod.Spec.Resources.Requests[name]; ok {
				steady.set(name, quantity(name, q))
			}
		}
	}
	steady.add(resourcesOf(pod.Spec.Overhead))
	return steady
}
