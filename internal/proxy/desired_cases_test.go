package proxy

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// desiredCase is one Service shape for TestDesired.
type desiredCase struct {
	name     string
	services []*corev1.Service
	slices   []*discoveryv1.EndpointSlice
	node     func(*NodeInfo)
	opts     Options
}

var (
	httpPorts = []corev1.ServicePort{tcpPort("http", 80, 8080)}
	httpSlice = []discoveryv1.EndpointPort{slicePortTCP("http", 8080)}
	localEP   = ep{ip: "10.42.0.7", node: "node-a"}
	remoteEP  = ep{ip: "10.42.1.9", node: "node-b"}
)

func desiredCases() []desiredCase {
	web := func(opts ...svcOpt) []*corev1.Service {
		return []*corev1.Service{service("ns", "web", "10.43.0.10", httpPorts, opts...)}
	}
	webSlice := func(eps ...ep) []*discoveryv1.EndpointSlice {
		return []*discoveryv1.EndpointSlice{slice("ns", "web", "web-abc", httpSlice, eps...)}
	}
	return []desiredCase{
		{name: "clusterIP, two endpoints, round-robin by default",
			services: web(), slices: webSlice(localEP, remoteEP)},
		{name: "annotation random",
			services: web(annotate(AnnotationLoadBalancing, "random")), slices: webSlice(localEP, remoteEP)},
		{name: "node default random, annotation round-robin wins",
			services: web(annotate(AnnotationLoadBalancing, "round-robin")), slices: webSlice(localEP, remoteEP),
			opts: Options{Balance: Random}},
		{name: "node default random, bad annotation ignored",
			services: web(annotate(AnnotationLoadBalancing, "least-conn")), slices: webSlice(localEP, remoteEP),
			opts: Options{Balance: Random}},
		{name: "single endpoint: plain goto",
			services: web(), slices: webSlice(remoteEP)},
		{name: "no EndpointSlice: reject",
			services: web()},
		{name: "only not-ready endpoints: reject",
			services: web(), slices: webSlice(ep{ip: "10.42.0.7", notReady: true, notServing: true})},
		{name: "terminating endpoint ignored while a ready one exists",
			services: web(), slices: webSlice(remoteEP, ep{ip: "10.42.0.7", node: "node-a", terminating: true})},
		{name: "only serving terminating endpoints: used",
			services: web(), slices: webSlice(ep{ip: "10.42.0.7", node: "node-a", terminating: true}, ep{ip: "10.42.0.8", terminating: true, notServing: true})},
		{name: "endpoints of two slices, duplicate counted once",
			services: web(), slices: append(webSlice(localEP), slice("ns", "web", "web-def", httpSlice, localEP, remoteEP))},
		{name: "headless and ExternalName: nothing",
			services: []*corev1.Service{
				service("ns", "headless", "None", httpPorts),
				{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "example.com"}},
			},
			slices: []*discoveryv1.EndpointSlice{slice("ns", "headless", "h", httpSlice, localEP)}},
		{name: "multi-port: slice ports matched by name and protocol",
			services: []*corev1.Service{service("ns", "dns", "10.43.0.10", []corev1.ServicePort{udpSvcPort("dns", 53), tcpPort("dns-tcp", 53, 53)})},
			slices: []*discoveryv1.EndpointSlice{slice("ns", "dns", "dns-1",
				[]discoveryv1.EndpointPort{slicePortTCP("dns-tcp", 5353), slicePortUDP("dns", 5353)}, localEP)}},
		{name: "NodePort: external chain masquerades",
			services: web(nodePortType(30080)), slices: webSlice(localEP, remoteEP)},
		{name: "NodePort without endpoints: reject on the node port too",
			services: web(nodePortType(30080))},
		{name: "LoadBalancer with externalIP; ipMode Proxy ingress skipped",
			services: web(loadBalancer("203.0.113.7"), nodePortType(30080), externalIPs("198.51.100.9"), func(s *corev1.Service) {
				proxy := corev1.LoadBalancerIPModeProxy
				s.Status.LoadBalancer.Ingress = append(s.Status.LoadBalancer.Ingress, corev1.LoadBalancerIngress{IP: "203.0.113.8", IPMode: &proxy})
			}),
			slices: webSlice(localEP, remoteEP)},
		{name: "externalTrafficPolicy Local with a local endpoint",
			services: web(nodePortType(30080), etpLocal), slices: webSlice(localEP, remoteEP)},
		{name: "externalTrafficPolicy Local without local endpoint: drop external",
			services: web(nodePortType(30080), etpLocal), slices: webSlice(remoteEP)},
		{name: "internalTrafficPolicy Local with a local endpoint",
			services: web(itpLocal), slices: webSlice(localEP, remoteEP)},
		{name: "internalTrafficPolicy Local without local endpoint: drop",
			services: web(itpLocal), slices: webSlice(remoteEP)},
		{name: "internalTrafficPolicy Local with NodePort: external still cluster-wide",
			services: web(itpLocal, nodePortType(30080)), slices: webSlice(remoteEP)},
		{name: "endpoint without nodeName is local by podCIDR",
			services: web(etpLocal, nodePortType(30080)), slices: webSlice(ep{ip: "10.42.0.7"}, ep{ip: "10.42.3.3"})},
		{name: "session affinity ClientIP",
			services: web(affinity(60)), slices: webSlice(localEP, remoteEP)},
		{name: "loadBalancerSourceRanges: firewall on the LB IP only, not the externalIP or NodePort",
			services: web(loadBalancer("203.0.113.7"), nodePortType(30080), externalIPs("198.51.100.9"), sourceRangesOpt("192.0.2.0/24", "10.1.2.3/32", "bad")),
			slices:   webSlice(remoteEP)},
		{name: "loadBalancerSourceRanges from the annotation, without endpoints",
			services: web(loadBalancer("203.0.113.7"), nodePortType(30080), annotate(AnnotationSourceRanges, "192.0.2.0/24, 198.51.100.0/25"))},
		{name: "loadBalancerSourceRanges on a Service without ingress IP yet: nothing",
			services: web(loadBalancer(), nodePortType(30080), sourceRangesOpt("192.0.2.0/24")), slices: webSlice(remoteEP)},
		{name: "no cluster CIDR: masquerade every ClusterIP connection",
			services: web(), slices: webSlice(remoteEP),
			node: func(n *NodeInfo) { n.ClusterCIDR = netip.Prefix{} }},
	}
}
