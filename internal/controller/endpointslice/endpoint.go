package endpointslice

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// includePod reports whether a pod selected by a Service has a place in its
// endpoints at all: it must have an IP and not have finished. Terminating
// pods are kept when includeTerminating is set (EndpointSlices always keep
// them, with terminating=true; the legacy Endpoints only under
// publishNotReadyAddresses).
func includePod(pod *corev1.Pod, includeTerminating bool) bool {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false
	}
	if pod.Status.PodIP == "" && len(pod.Status.PodIPs) == 0 {
		return false
	}
	return includeTerminating || pod.DeletionTimestamp == nil
}

// podReady is the pod's Ready condition.
func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podIPs lists the pod's IPs in canonical form, primary first.
func podIPs(pod *corev1.Pod) []netip.Addr {
	var raw []string
	for _, ip := range pod.Status.PodIPs {
		raw = append(raw, ip.IP)
	}
	if len(raw) == 0 && pod.Status.PodIP != "" {
		raw = []string{pod.Status.PodIP}
	}
	var out []netip.Addr
	for _, s := range raw {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a.Unmap())
		}
	}
	return out
}

// podAddresses are the pod's IPs of one address type.
func podAddresses(pod *corev1.Pod, t discoveryv1.AddressType) []string {
	var out []string
	for _, a := range podIPs(pod) {
		if addressTypeOf(a) == t {
			out = append(out, a.String())
		}
	}
	return out
}

// shouldSetHostname: a pod with spec.hostname whose spec.subdomain names the
// Service gets that hostname in the Service's endpoints, which is what makes
// <hostname>.<svc>.<ns>.svc.<zone> resolve.
func shouldSetHostname(pod *corev1.Pod, svc *corev1.Service) bool {
	return pod.Spec.Hostname != "" && pod.Spec.Subdomain == svc.Name && pod.Namespace == svc.Namespace
}

// podEndpoint is the EndpointSlice entry for a pod of svc. zone is the
// topology.kubernetes.io/zone of the pod's node ("" when unknown).
func podEndpoint(pod *corev1.Pod, svc *corev1.Service, t discoveryv1.AddressType, zone string) discoveryv1.Endpoint {
	serving := podReady(pod)
	terminating := pod.DeletionTimestamp != nil
	// A terminating pod is never ready, unless the Service asks for
	// not-ready addresses to be published.
	ready := svc.Spec.PublishNotReadyAddresses || (serving && !terminating)
	ep := discoveryv1.Endpoint{
		Addresses: podAddresses(pod, t),
		Conditions: discoveryv1.EndpointConditions{
			Ready:       &ready,
			Serving:     &serving,
			Terminating: &terminating,
		},
		TargetRef: &corev1.ObjectReference{
			Kind:      "Pod",
			Namespace: pod.Namespace,
			Name:      pod.Name,
			UID:       pod.UID,
		},
	}
	if pod.Spec.NodeName != "" {
		node := pod.Spec.NodeName
		ep.NodeName = &node
	}
	if zone != "" {
		ep.Zone = &zone
	}
	if shouldSetHostname(pod, svc) {
		host := pod.Spec.Hostname
		ep.Hostname = &host
	}
	return ep
}

// findPort resolves a Service port's targetPort for one pod: a number is
// used as is (0, which the API server defaults away, means the Service
// port), a name is looked up among the pod's container ports of the same
// protocol, sidecars (restartable init containers) included.
func findPort(pod *corev1.Pod, sp *corev1.ServicePort) (int32, bool) {
	tp := sp.TargetPort
	if tp.Type == intstr.Int {
		if tp.IntVal == 0 {
			return sp.Port, true
		}
		return tp.IntVal, true
	}
	proto := sp.Protocol
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	match := func(cs []corev1.Container, sidecarsOnly bool) (int32, bool) {
		for _, c := range cs {
			if sidecarsOnly && (c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways) {
				continue
			}
			for _, p := range c.Ports {
				pp := p.Protocol
				if pp == "" {
					pp = corev1.ProtocolTCP
				}
				if p.Name == tp.StrVal && pp == proto {
					return p.ContainerPort, true
				}
			}
		}
		return 0, false
	}
	if n, ok := match(pod.Spec.Containers, false); ok {
		return n, true
	}
	return match(pod.Spec.InitContainers, true)
}

// endpointPorts are the Service's ports as resolved for one pod. Ports the
// pod cannot resolve are left out, so such a pod lands in a slice of its
// own port set.
func endpointPorts(svc *corev1.Service, pod *corev1.Pod) []discoveryv1.EndpointPort {
	out := []discoveryv1.EndpointPort{}
	for i := range svc.Spec.Ports {
		sp := &svc.Spec.Ports[i]
		n, ok := findPort(pod, sp)
		if !ok {
			continue
		}
		name, proto := sp.Name, sp.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		out = append(out, discoveryv1.EndpointPort{
			Name:        &name,
			Port:        &n,
			Protocol:    &proto,
			AppProtocol: sp.AppProtocol,
		})
	}
	return out
}
