package proxy

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Test fixtures: small constructors for Services and EndpointSlices.

func sampleNode() NodeInfo {
	return NodeInfo{
		Name:        "node-a",
		IPs:         []netip.Addr{netip.MustParseAddr("192.168.1.10")},
		PodCIDR:     netip.MustParsePrefix("10.42.0.0/24"),
		ClusterCIDR: netip.MustParsePrefix("10.42.0.0/16"),
	}
}

type svcOpt func(*corev1.Service)

func service(ns, name, clusterIP string, ports []corev1.ServicePort, opts ...svcOpt) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.ServiceSpec{
			Type:       corev1.ServiceTypeClusterIP,
			ClusterIP:  clusterIP,
			ClusterIPs: []string{clusterIP},
			Ports:      ports,
		},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func tcpPort(name string, port, target int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Protocol: corev1.ProtocolTCP, Port: port}
}

func udpSvcPort(name string, port int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Protocol: corev1.ProtocolUDP, Port: port}
}

func nodePortType(nodePorts ...int32) svcOpt {
	return func(s *corev1.Service) {
		if s.Spec.Type != corev1.ServiceTypeLoadBalancer {
			s.Spec.Type = corev1.ServiceTypeNodePort
		}
		for i := range nodePorts {
			s.Spec.Ports[i].NodePort = nodePorts[i]
		}
	}
}

func loadBalancer(ips ...string) svcOpt {
	return func(s *corev1.Service) {
		s.Spec.Type = corev1.ServiceTypeLoadBalancer
		for _, ip := range ips {
			s.Status.LoadBalancer.Ingress = append(s.Status.LoadBalancer.Ingress, corev1.LoadBalancerIngress{IP: ip})
		}
	}
}

func externalIPs(ips ...string) svcOpt {
	return func(s *corev1.Service) { s.Spec.ExternalIPs = ips }
}

func sourceRangesOpt(cidrs ...string) svcOpt {
	return func(s *corev1.Service) { s.Spec.LoadBalancerSourceRanges = cidrs }
}

func etpLocal(s *corev1.Service) {
	s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
}

func itpLocal(s *corev1.Service) {
	p := corev1.ServiceInternalTrafficPolicyLocal
	s.Spec.InternalTrafficPolicy = &p
}

func affinity(seconds int32) svcOpt {
	return func(s *corev1.Service) {
		s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP
		s.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: &seconds}}
	}
}

func annotate(k, v string) svcOpt {
	return func(s *corev1.Service) {
		if s.Annotations == nil {
			s.Annotations = map[string]string{}
		}
		s.Annotations[k] = v
	}
}

// ep describes one endpoint for slice().
type ep struct {
	ip          string
	node        string
	notReady    bool
	terminating bool
	notServing  bool
}

func slice(ns, svc, name string, ports []discoveryv1.EndpointPort, eps ...ep) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{LabelServiceName: svc}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       ports,
	}
	for _, e := range eps {
		d := discoveryv1.Endpoint{
			Addresses: []string{e.ip},
			Conditions: discoveryv1.EndpointConditions{
				Ready:       ptr.To(!e.notReady && !e.terminating),
				Serving:     ptr.To(!e.notServing),
				Terminating: ptr.To(e.terminating),
			},
		}
		if e.node != "" {
			d.NodeName = ptr.To(e.node)
		}
		s.Endpoints = append(s.Endpoints, d)
	}
	return s
}

func slicePortTCP(name string, port int32) discoveryv1.EndpointPort {
	return discoveryv1.EndpointPort{Name: ptr.To(name), Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(port)}
}

func slicePortUDP(name string, port int32) discoveryv1.EndpointPort {
	return discoveryv1.EndpointPort{Name: ptr.To(name), Protocol: ptr.To(corev1.ProtocolUDP), Port: ptr.To(port)}
}

// sampleServices covers every shape in one cluster (used by the root test
// that checks the compiled table against the rendered text).
func sampleServices() []*corev1.Service {
	return []*corev1.Service{
		service("default", "web", "10.43.0.50", []corev1.ServicePort{tcpPort("http", 80, 8080)}),
		service("default", "rand", "10.43.0.51", []corev1.ServicePort{tcpPort("", 80, 8080)}, annotate(AnnotationLoadBalancing, "random")),
		service("default", "empty", "10.43.0.52", []corev1.ServicePort{tcpPort("http", 80, 8080), udpSvcPort("dns", 53)}),
		service("default", "np", "10.43.0.53", []corev1.ServicePort{tcpPort("http", 80, 8080)}, nodePortType(30080)),
		service("default", "lb", "10.43.0.54", []corev1.ServicePort{tcpPort("http", 80, 8080)}, loadBalancer("203.0.113.7"), nodePortType(30081), etpLocal, externalIPs("198.51.100.9")),
		service("default", "sticky", "10.43.0.55", []corev1.ServicePort{tcpPort("http", 80, 8080)}, affinity(600)),
		service("default", "itp", "10.43.0.56", []corev1.ServicePort{udpSvcPort("dns", 53)}, itpLocal),
		service("default", "headless", "None", []corev1.ServicePort{tcpPort("http", 80, 8080)}),
	}
}

func sampleSlices() []*discoveryv1.EndpointSlice {
	two := []ep{{ip: "10.42.0.7", node: "node-a"}, {ip: "10.42.1.9", node: "node-b"}}
	return []*discoveryv1.EndpointSlice{
		slice("default", "web", "web-1", []discoveryv1.EndpointPort{slicePortTCP("http", 8080)}, two...),
		slice("default", "rand", "rand-1", []discoveryv1.EndpointPort{slicePortTCP("", 8080)}, two...),
		slice("default", "np", "np-1", []discoveryv1.EndpointPort{slicePortTCP("http", 8080)}, two...),
		slice("default", "lb", "lb-1", []discoveryv1.EndpointPort{slicePortTCP("http", 8080)}, two...),
		slice("default", "sticky", "sticky-1", []discoveryv1.EndpointPort{slicePortTCP("http", 8080)}, two...),
		slice("default", "itp", "itp-1", []discoveryv1.EndpointPort{slicePortUDP("dns", 5353)}, two...),
		slice("default", "headless", "headless-1", []discoveryv1.EndpointPort{slicePortTCP("http", 8080)}, two...),
	}
}

var (
	metav1Create = metav1.CreateOptions{}
	metav1Delete = metav1.DeleteOptions{}
)
