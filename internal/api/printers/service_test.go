package printers

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

func svc(typ corev1.ServiceType, clusterIP string, ports ...corev1.ServicePort) *corev1.Service {
	s := &corev1.Service{ObjectMeta: objMeta("web", 3*time.Hour)}
	s.Spec.Type = typ
	if clusterIP != "" {
		s.Spec.ClusterIP, s.Spec.ClusterIPs = clusterIP, []string{clusterIP}
	}
	s.Spec.Ports = ports
	s.Spec.Selector = map[string]string{"app": "web"}
	return s
}

func tcp(port, nodePort int32) corev1.ServicePort {
	return corev1.ServicePort{Port: port, NodePort: nodePort, Protocol: corev1.ProtocolTCP}
}

func TestServiceCells(t *testing.T) {
	tests := []struct {
		name string
		svc  func() *corev1.Service
		want row
	}{{
		name: "cluster IP with two protocols",
		svc: func() *corev1.Service {
			s := svc(corev1.ServiceTypeClusterIP, "10.96.0.10",
				corev1.ServicePort{Port: 53, Protocol: corev1.ProtocolUDP}, corev1.ServicePort{Port: 53, Protocol: corev1.ProtocolTCP})
			s.Spec.Selector = map[string]string{"k8s-app": "kube-dns"}
			return s
		},
		want: row{"web", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP", "3h", "k8s-app=kube-dns"},
	}, {
		name: "headless",
		svc:  func() *corev1.Service { return svc(corev1.ServiceTypeClusterIP, "None", tcp(80, 0)) },
		want: row{"web", "ClusterIP", "None", "<none>", "80/TCP", "3h", "app=web"},
	}, {
		name: "cluster IP with manual external IPs",
		svc: func() *corev1.Service {
			s := svc(corev1.ServiceTypeClusterIP, "10.96.1.1", tcp(80, 0))
			s.Spec.ExternalIPs = []string{"192.0.2.1", "192.0.2.2"}
			return s
		},
		want: row{"web", "ClusterIP", "10.96.1.1", "192.0.2.1,192.0.2.2", "80/TCP", "3h", "app=web"},
	}, {
		name: "node port",
		svc: func() *corev1.Service {
			return svc(corev1.ServiceTypeNodePort, "10.96.1.2", tcp(80, 30080), tcp(443, 30443))
		},
		want: row{"web", "NodePort", "10.96.1.2", "<none>", "80:30080/TCP,443:30443/TCP", "3h", "app=web"},
	}, {
		name: "load balancer pending",
		svc:  func() *corev1.Service { return svc(corev1.ServiceTypeLoadBalancer, "10.96.1.3", tcp(80, 31000)) },
		want: row{"web", "LoadBalancer", "10.96.1.3", "<pending>", "80:31000/TCP", "3h", "app=web"},
	}, {
		name: "load balancer assigned, addresses sorted and deduplicated",
		svc: func() *corev1.Service {
			s := svc(corev1.ServiceTypeLoadBalancer, "10.96.1.3", tcp(80, 31000))
			s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "203.0.113.20"}, {IP: "203.0.113.10"}, {IP: "203.0.113.20"}}
			return s
		},
		want: row{"web", "LoadBalancer", "10.96.1.3", "203.0.113.10,203.0.113.20", "80:31000/TCP", "3h", "app=web"},
	}, {
		name: "load balancer with hostname and external IP",
		svc: func() *corev1.Service {
			s := svc(corev1.ServiceTypeLoadBalancer, "10.96.1.3", tcp(80, 31000))
			s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: "lb.example.com"}}
			s.Spec.ExternalIPs = []string{"192.0.2.9"}
			return s
		},
		want: row{"web", "LoadBalancer", "10.96.1.3", "lb.example.com,192.0.2.9", "80:31000/TCP", "3h", "app=web"},
	}, {
		name: "external name",
		svc: func() *corev1.Service {
			s := svc(corev1.ServiceTypeExternalName, "")
			s.Spec.ExternalName, s.Spec.Selector = "db.example.com", nil
			return s
		},
		want: row{"web", "ExternalName", "<none>", "db.example.com", "<none>", "3h", "<none>"},
	}, {
		name: "only the legacy clusterIP field set",
		svc: func() *corev1.Service {
			s := svc(corev1.ServiceTypeClusterIP, "", tcp(8080, 0))
			s.Spec.ClusterIP = "10.96.5.5"
			return s
		},
		want: row{"web", "ClusterIP", "10.96.5.5", "<none>", "8080/TCP", "3h", "app=web"},
	}, {
		name: "no type",
		svc:  func() *corev1.Service { return svc("", "10.96.1.4", tcp(80, 0)) },
		want: row{"web", "", "10.96.1.4", "<unknown>", "80/TCP", "3h", "app=web"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkCells(t, len(serviceColumns), serviceCells(tc.svc(), now), tc.want)
		})
	}
}

func addrs(ips ...string) []corev1.EndpointAddress {
	out := make([]corev1.EndpointAddress, len(ips))
	for i, ip := range ips {
		out[i] = corev1.EndpointAddress{IP: ip}
	}
	return out
}

func TestEndpointsCells(t *testing.T) {
	tests := []struct {
		name    string
		subsets []corev1.EndpointSubset
		want    string
	}{
		{"no subsets", nil, "<none>"},
		{"one address one port", []corev1.EndpointSubset{{Addresses: addrs("10.244.0.5"), Ports: []corev1.EndpointPort{{Port: 8080}}}}, "10.244.0.5:8080"},
		{"headless without ports", []corev1.EndpointSubset{{Addresses: addrs("10.244.0.5", "10.244.0.6")}}, "10.244.0.5,10.244.0.6"},
		{"only not-ready addresses", []corev1.EndpointSubset{{NotReadyAddresses: addrs("10.244.0.5"), Ports: []corev1.EndpointPort{{Port: 80}}}}, ""},
		{"ipv6 is bracketed", []corev1.EndpointSubset{{Addresses: addrs("fd00::5"), Ports: []corev1.EndpointPort{{Port: 80}}}}, "[fd00::5]:80"},
		{"more than three", []corev1.EndpointSubset{{
			Addresses: addrs("10.0.0.1", "10.0.0.2", "10.0.0.3"),
			Ports:     []corev1.EndpointPort{{Port: 80}, {Port: 443}},
		}}, "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 3 more..."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ep := &corev1.Endpoints{ObjectMeta: objMeta("web", 2*24*time.Hour), Subsets: tc.subsets}
			checkCells(t, len(endpointsColumns), endpointsCells(ep, now), row{"web", tc.want, "2d"})
		})
	}
}

func TestEndpointSliceCells(t *testing.T) {
	ep := func(ips ...string) discoveryv1.Endpoint { return discoveryv1.Endpoint{Addresses: ips} }
	tests := []struct {
		name      string
		ports     []discoveryv1.EndpointPort
		endpoints []discoveryv1.Endpoint
		wantPorts string
		wantEps   string
	}{
		{"empty", nil, nil, "<unset>", "<unset>"},
		{"port by number", []discoveryv1.EndpointPort{{Port: ptr(int32(80))}}, []discoveryv1.Endpoint{ep("10.244.0.5")}, "80", "10.244.0.5"},
		{"port by name and all ports", []discoveryv1.EndpointPort{{Name: ptr("http")}, {}}, []discoveryv1.Endpoint{ep("10.244.0.5", "10.244.0.6")}, "http,*", "10.244.0.5,10.244.0.6"},
		{"more than three", []discoveryv1.EndpointPort{{Port: ptr(int32(1))}, {Port: ptr(int32(2))}, {Port: ptr(int32(3))}, {Port: ptr(int32(4))}},
			[]discoveryv1.Endpoint{ep("10.0.0.1"), ep("10.0.0.2"), ep("10.0.0.3"), ep("10.0.0.4"), ep("10.0.0.5")},
			"1,2,3 + 1 more...", "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more..."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es := &discoveryv1.EndpointSlice{ObjectMeta: objMeta("web-abcde", 5*time.Minute),
				AddressType: discoveryv1.AddressTypeIPv4, Ports: tc.ports, Endpoints: tc.endpoints}
			checkCells(t, len(endpointSliceColumns), endpointSliceCells(es, now),
				row{"web-abcde", "IPv4", tc.wantPorts, tc.wantEps, "5m"})
		})
	}
}

func TestIngressCells(t *testing.T) {
	rule := func(host string) networkingv1.IngressRule { return networkingv1.IngressRule{Host: host} }
	tests := []struct {
		name string
		ing  func(*networkingv1.Ingress)
		want row
	}{{
		name: "no class, no host, no address",
		ing:  func(i *networkingv1.Ingress) { i.Spec.Rules = []networkingv1.IngressRule{rule("")} },
		want: row{"web", "<none>", "*", "", "80", "45s"},
	}, {
		name: "class, host, tls and address",
		ing: func(i *networkingv1.Ingress) {
			i.Spec.IngressClassName = ptr("nginx")
			i.Spec.Rules = []networkingv1.IngressRule{rule("foo.example.com")}
			i.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"foo.example.com"}}}
			i.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "172.18.0.2"}, {Hostname: "lb.example.com"}}
		},
		want: row{"web", "nginx", "foo.example.com", "172.18.0.2,lb.example.com", "80, 443", "45s"},
	}, {
		name: "many hosts",
		ing: func(i *networkingv1.Ingress) {
			i.Spec.Rules = []networkingv1.IngressRule{rule("a"), rule("b"), rule("c"), rule("d"), rule("e")}
		},
		want: row{"web", "<none>", "a,b,c + 2 more...", "", "80", "45s"},
	}, {
		name: "hostless rules before three hosts",
		ing: func(i *networkingv1.Ingress) {
			i.Spec.Rules = []networkingv1.IngressRule{rule(""), rule("a"), rule("b"), rule("c"), rule("")}
		},
		want: row{"web", "<none>", "a,b,c + 2 more...", "", "80", "45s"},
	}, {
		name: "exactly three hosts",
		ing: func(i *networkingv1.Ingress) {
			i.Spec.Rules = []networkingv1.IngressRule{rule("a"), rule("b"), rule("c")}
		},
		want: row{"web", "<none>", "a,b,c", "", "80", "45s"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ing := &networkingv1.Ingress{ObjectMeta: objMeta("web", 45*time.Second)}
			tc.ing(ing)
			checkCells(t, len(ingressColumns), ingressCells(ing, now), tc.want)
		})
	}
}

func TestIngressClassCells(t *testing.T) {
	ic := &networkingv1.IngressClass{ObjectMeta: objMeta("nginx", 24*time.Hour)}
	ic.Spec.Controller = "k8s.io/ingress-nginx"
	checkCells(t, len(ingressClassColumns), ingressClassCells(ic, now), row{"nginx", "k8s.io/ingress-nginx", "<none>", "24h"})

	ic.Spec.Parameters = &networkingv1.IngressClassParametersReference{APIGroup: ptr("k8s.example.com"), Kind: "IngressParameters", Name: "external-lb"}
	checkCells(t, len(ingressClassColumns), ingressClassCells(ic, now),
		row{"nginx", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external-lb", "24h"})
}
