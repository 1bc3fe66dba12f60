package ingress

import (
	"net"
	"sort"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// readyNodeIPs are the InternalIPs (IPv4) of the Ready nodes, sorted.
func readyNodeIPs(nodes []*corev1.Node) []string {
	var out []string
	for _, n := range nodes {
		ready := false
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready = true
			}
		}
		if !ready || n.DeletionTimestamp != nil {
			continue
		}
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP && net.ParseIP(a.Address).To4() != nil {
				out = append(out, a.Address)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// DesiredServiceSlice is the EndpointSlice of kube-system/berth-ingress:
// every Ready node's InternalIP on the ingress proxy's ports (0: left out),
// so the Service's LoadBalancer address reaches the proxy on every node.
func DesiredServiceSlice(nodes []*corev1.Node, httpPort, httpsPort int) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Name: ServiceName, Namespace: ServiceNamespace,
			Labels: map[string]string{discoveryv1.LabelServiceName: ServiceName, discoveryv1.LabelManagedBy: ManagedBy}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{},
		Ports:       []discoveryv1.EndpointPort{},
	}
	tcp := corev1.ProtocolTCP
	for _, p := range []struct {
		name string
		port int
	}{{"http", httpPort}, {"https", httpsPort}} {
		if p.port > 0 {
			name, port := p.name, int32(p.port)
			s.Ports = append(s.Ports, discoveryv1.EndpointPort{Name: &name, Port: &port, Protocol: &tcp})
		}
	}
	byIP := map[string]string{}
	for _, n := range nodes {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				byIP[a.Address] = n.Name
			}
		}
	}
	for _, ip := range readyNodeIPs(nodes) {
		t := true
		node := byIP[ip]
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Addresses: []string{ip}, NodeName: &node,
			Conditions: discoveryv1.EndpointConditions{Ready: &t, Serving: &t, Terminating: new(bool)}})
	}
	return s
}

// PublishedAddresses is what goes into every Ingress's
// status.loadBalancer.ingress: the berth-ingress Service's LoadBalancer
// addresses once it has any (as Kubernetes ingress controllers publish
// their Service's status), until then the Ready nodes' InternalIPs, where
// the proxy answers too.
func PublishedAddresses(svc *corev1.Service, nodes []*corev1.Node) []networkingv1.IngressLoadBalancerIngress {
	var out []networkingv1.IngressLoadBalancerIngress
	if svc != nil {
		for _, lb := range svc.Status.LoadBalancer.Ingress {
			if lb.IP != "" || lb.Hostname != "" {
				out = append(out, networkingv1.IngressLoadBalancerIngress{IP: lb.IP, Hostname: lb.Hostname})
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, ip := range readyNodeIPs(nodes) {
		out = append(out, networkingv1.IngressLoadBalancerIngress{IP: ip})
	}
	return out
}
