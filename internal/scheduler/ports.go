package scheduler

import corev1 "k8s.io/api/core/v1"

// hostPort is one port a pod binds on its node's network.
type hostPort struct {
	IP       string
	Protocol corev1.Protocol
	Port     int32
}

// wildcard addresses bind every address of the node.
func isWildcard(ip string) bool { return ip == "" || ip == "0.0.0.0" || ip == "::" }

// conflicts: the same port and protocol on the same address, or either side
// on all addresses.
func (p hostPort) conflicts(o hostPort) bool {
	return p.Port == o.Port && p.Protocol == o.Protocol &&
		(p.IP == o.IP || isWildcard(p.IP) || isWildcard(o.IP))
}

// podHostPorts lists the host ports a pod asks for: app containers and
// sidecars (ordinary init containers finish before the pod runs). A
// host-network pod binds its container ports on the node itself.
func podHostPorts(pod *corev1.Pod) []hostPort {
	var out []hostPort
	collect := func(c *corev1.Container) {
		for _, p := range c.Ports {
			port := p.HostPort
			if port == 0 && pod.Spec.HostNetwork {
				port = p.ContainerPort
			}
			if port <= 0 {
				continue
			}
			proto := p.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			out = append(out, hostPort{IP: p.HostIP, Protocol: proto, Port: port})
		}
	}
	for i := range pod.Spec.InitContainers {
		if isSidecar(&pod.Spec.InitContainers[i]) {
			collect(&pod.Spec.InitContainers[i])
		}
	}
	for i := range pod.Spec.Containers {
		collect(&pod.Spec.Containers[i])
	}
	return out
}

// portsFree: none of want clashes with used.
func portsFree(want, used []hostPort) bool {
	for _, w := range want {
		for _, u := range used {
			if w.conflicts(u) {
				return false
			}
		}
	}
	return true
}
