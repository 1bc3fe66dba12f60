package endpointslice

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/labels"
)

// podEndpointView is everything of a pod that its endpoints are made of.
type podEndpointView struct {
	IPs            []corev1.PodIP
	IP             string
	Ready          bool
	Terminating    bool
	Phase          corev1.PodPhase
	NodeName       string
	Hostname       string
	Subdomain      string
	Containers     [][]corev1.ContainerPort
	InitContainers [][]corev1.ContainerPort
}

func viewOf(pod *corev1.Pod) podEndpointView {
	v := podEndpointView{
		IPs:         pod.Status.PodIPs,
		IP:          pod.Status.PodIP,
		Ready:       podReady(pod),
		Terminating: pod.DeletionTimestamp != nil,
		Phase:       pod.Status.Phase,
		NodeName:    pod.Spec.NodeName,
		Hostname:    pod.Spec.Hostname,
		Subdomain:   pod.Spec.Subdomain,
	}
	for _, c := range pod.Spec.Containers {
		v.Containers = append(v.Containers, c.Ports)
	}
	for _, c := range pod.Spec.InitContainers {
		v.InitContainers = append(v.InitContainers, c.Ports)
	}
	return v
}

// podEndpointsChanged reports whether an update of a pod can change the
// endpoints of a Service that selects it (labels aside, which decide which
// Services select it).
func podEndpointsChanged(old, cur *corev1.Pod) bool {
	return !apiequality.Semantic.DeepEqual(viewOf(old), viewOf(cur))
}

// labelsChanged reports a change of the pod's labels.
func labelsChanged(old, cur *corev1.Pod) bool {
	return !maps.Equal(old.Labels, cur.Labels)
}

// selects reports whether svc's selector picks pod. A Service without a
// selector picks nothing (its endpoints are managed by hand).
func selects(svc *corev1.Service, pod *corev1.Pod) bool {
	if svc.Spec.Selector == nil || svc.Namespace != pod.Namespace {
		return false
	}
	return labels.SelectorFromValidatedSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels))
}

// managed reports whether the controller keeps endpoints for svc at all.
func managed(svc *corev1.Service) bool {
	if svc.Spec.Selector == nil || svc.Spec.Type == corev1.ServiceTypeExternalName {
		return false
	}
	return !(svc.Namespace == "default" && svc.Name == "kubernetes")
}
