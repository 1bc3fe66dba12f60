package validation

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func validIngress() *networkingv1.Ingress {
	prefix := networkingv1.PathTypePrefix
	return defaulted(&networkingv1.Ingress{
		ObjectMeta: meta("web"),
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr("berth"),
			Rules: []networkingv1.IngressRule{{
				Host: "shop.example.com",
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
					Path: "/", PathType: &prefix,
					Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}},
				}}}},
			}},
			TLS: []networkingv1.IngressTLS{{Hosts: []string{"shop.example.com"}, SecretName: "shop-tls"}},
		},
	})
}

func TestValidateIngress(t *testing.T) {
	p0 := "spec.rules[0].http.paths[0]"
	runCreateCases(t, validIngress, []createCase[*networkingv1.Ingress]{
		{name: "valid"},
		{name: "pathType required", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules[0].HTTP.Paths[0].PathType = nil }, want: []want{req(p0 + ".pathType")}},
		{name: "pathType unknown", mutate: func(i *networkingv1.Ingress) {
			i.Spec.Rules[0].HTTP.Paths[0].PathType = ptr(networkingv1.PathType("Regex"))
		},
			want: []want{unsup(p0 + ".pathType")}},
		{name: "prefix path must be absolute", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules[0].HTTP.Paths[0].Path = "shop" }, want: []want{inv(p0 + ".path")}},
		{name: "path with //", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules[0].HTTP.Paths[0].Path = "/a//b" }, want: []want{inv(p0 + ".path")}},
		{name: "backend service name required", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name = "" },
			want: []want{req(p0 + ".backend.service.name")}},
		{name: "backend port required", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Port.Number = 0 },
			want: []want{req(p0 + ".backend")}},
		{name: "backend port name and number", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Port.Name = "http" },
			want: []want{inv(p0 + ".backend")}},
		{name: "backend required", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules[0].HTTP.Paths[0].Backend = networkingv1.IngressBackend{} },
			want: []want{inv(p0 + ".backend")}},
		{name: "paths required", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules[0].HTTP.Paths = nil }, want: []want{req("spec.rules[0].http.paths")}},
		{name: "host is not an IP", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules[0].Host = "10.0.0.1" }, want: []want{inv("spec.rules[0].host")}},
		{name: "wildcard host", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules[0].Host = "*.example.com" }},
		{name: "rules or default backend", mutate: func(i *networkingv1.Ingress) { i.Spec.Rules = nil }, want: []want{inv("spec")}},
		{name: "tls secret name", mutate: func(i *networkingv1.Ingress) { i.Spec.TLS[0].SecretName = "Shop_TLS" }, want: []want{inv("spec.tls[0].secretName")}},
		{name: "class annotation must agree", mutate: func(i *networkingv1.Ingress) {
			i.Annotations = map[string]string{"kubernetes.io/ingress.class": "nginx"}
		}, want: []want{inv("annotations.kubernetes.io/ingress.class")}},
	})
	runUpdateCases(t, validIngress, func(i *networkingv1.Ingress) *networkingv1.Ingress { return i.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateStatusUpdate(obj, old) },
		[]updateCase[*networkingv1.Ingress]{
			{name: "publish address", mutate: func(i *networkingv1.Ingress) {
				i.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "192.0.2.9"}}
			}},
			{name: "bad address", mutate: func(i *networkingv1.Ingress) {
				i.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "192.0.2"}}
			}, want: []want{inv("status.loadBalancer.ingress[0].ip")}},
		})
}

func TestValidateIngressClass(t *testing.T) {
	valid := func() *networkingv1.IngressClass {
		return defaulted(&networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "berth"}, Spec: networkingv1.IngressClassSpec{Controller: "berth.dev/ingress"}})
	}
	runCreateCases(t, valid, []createCase[*networkingv1.IngressClass]{
		{name: "valid"},
		{name: "controller required", mutate: func(c *networkingv1.IngressClass) { c.Spec.Controller = "" }, want: []want{req("spec.controller")}},
		{name: "controller domain-prefixed", mutate: func(c *networkingv1.IngressClass) { c.Spec.Controller = "ingress" }, want: []want{inv("spec.controller")}},
		{name: "controller too long", mutate: func(c *networkingv1.IngressClass) { c.Spec.Controller = "berth.dev/" + strings.Repeat("a", 250) },
			want: []want{tooLong("spec.controller")}},
		{name: "namespaced parameters need a namespace", mutate: func(c *networkingv1.IngressClass) {
			c.Spec.Parameters = &networkingv1.IngressClassParametersReference{Kind: "Config", Name: "c", Scope: ptr("Namespace")}
		}, want: []want{req("spec.parameters.namespace")}},
		{name: "cluster parameters without namespace", mutate: func(c *networkingv1.IngressClass) {
			c.Spec.Parameters = &networkingv1.IngressClassParametersReference{Kind: "Config", Name: "c", Scope: ptr("Cluster"), Namespace: ptr("default")}
		}, want: []want{forbidden("spec.parameters.namespace")}},
	})
	runUpdateCases(t, valid, func(c *networkingv1.IngressClass) *networkingv1.IngressClass { return c.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*networkingv1.IngressClass]{
			{name: "controller immutable", mutate: func(c *networkingv1.IngressClass) { c.Spec.Controller = "other.dev/ingress" }, want: []want{inv("spec.controller")}},
		})
}

func validSlice() *discoveryv1.EndpointSlice {
	return defaulted(&discoveryv1.EndpointSlice{
		ObjectMeta:  meta("web-abcde"),
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{"10.244.0.5"}, NodeName: ptr("node1")}},
		Ports:       []discoveryv1.EndpointPort{{Name: ptr("http"), Port: ptr(int32(8080))}},
	})
}

func TestValidateEndpointSlice(t *testing.T) {
	runCreateCases(t, validSlice, []createCase[*discoveryv1.EndpointSlice]{
		{name: "valid"},
		{name: "address type required", mutate: func(s *discoveryv1.EndpointSlice) { s.AddressType = "" }, want: []want{req("addressType")}},
		{name: "address type unknown", mutate: func(s *discoveryv1.EndpointSlice) { s.AddressType = "IP" }, want: []want{unsup("addressType")}},
		{name: "address required", mutate: func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = nil }, want: []want{req("endpoints[0].addresses")}},
		{name: "IPv6 address in IPv4 slice", mutate: func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"fd00::1"} },
			want: []want{inv("endpoints[0].addresses[0]")}},
		{name: "loopback endpoint", mutate: func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"127.0.0.1"} },
			want: []want{inv("endpoints[0].addresses[0]")}},
		{name: "too many endpoints", mutate: func(s *discoveryv1.EndpointSlice) {
			s.Endpoints = make([]discoveryv1.Endpoint, 1001)
		}, want: []want{tooMany("endpoints")}},
		{name: "1000 endpoints is the limit", mutate: func(s *discoveryv1.EndpointSlice) {
			s.Endpoints = make([]discoveryv1.Endpoint, 1000)
			for i := range s.Endpoints {
				s.Endpoints[i].Addresses = []string{"10.244.0.5"}
			}
		}},
		{name: "too many ports", mutate: func(s *discoveryv1.EndpointSlice) {
			s.Ports = make([]discoveryv1.EndpointPort, 101)
		}, want: []want{tooMany("ports")}},
		{name: "duplicate port names", mutate: func(s *discoveryv1.EndpointSlice) {
			s.Ports = append(s.Ports, discoveryv1.EndpointPort{Name: ptr("http"), Protocol: ptr(corev1.ProtocolUDP)})
		}, want: []want{dup("ports[1].name")}},
		{name: "port protocol unknown", mutate: func(s *discoveryv1.EndpointSlice) { s.Ports[0].Protocol = ptr(corev1.Protocol("QUIC")) },
			want: []want{unsup("ports[0].protocol")}},
		{name: "FQDN slice", mutate: func(s *discoveryv1.EndpointSlice) {
			s.AddressType = discoveryv1.AddressTypeFQDN
			s.Endpoints[0].Addresses = []string{"db.example.com"}
		}},
	})
	runUpdateCases(t, validSlice, func(s *discoveryv1.EndpointSlice) *discoveryv1.EndpointSlice { return s.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*discoveryv1.EndpointSlice]{
			{name: "endpoints change", mutate: func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"10.244.0.6"} }},
			{name: "address type immutable", mutate: func(s *discoveryv1.EndpointSlice) {
				s.AddressType = discoveryv1.AddressTypeIPv6
				s.Endpoints[0].Addresses = []string{"fd00::6"}
			}, want: []want{inv("addressType")}},
		})
}

func validEndpoints() *corev1.Endpoints {
	return defaulted(&corev1.Endpoints{ObjectMeta: meta("web"), Subsets: []corev1.EndpointSubset{{
		Addresses: []corev1.EndpointAddress{{IP: "10.244.0.5", NodeName: ptr("node1")}},
		Ports:     []corev1.EndpointPort{{Name: "http", Port: 8080}, {Name: "https", Port: 8443}},
	}}})
}

func TestValidateEndpoints(t *testing.T) {
	s0 := "subsets[0]"
	runCreateCases(t, validEndpoints, []createCase[*corev1.Endpoints]{
		{name: "valid"},
		{name: "addresses required", mutate: func(e *corev1.Endpoints) { e.Subsets[0].Addresses = nil }, want: []want{req(s0)}},
		{name: "bad IP", mutate: func(e *corev1.Endpoints) { e.Subsets[0].Addresses[0].IP = "10.244.0" },
			want: []want{inv(s0 + ".addresses[0].ip"), inv(s0 + ".addresses[0].ip")}},
		{name: "link-local IP", mutate: func(e *corev1.Endpoints) { e.Subsets[0].Addresses[0].IP = "169.254.1.1" }, want: []want{inv(s0 + ".addresses[0].ip")}},
		{name: "port names required when several", mutate: func(e *corev1.Endpoints) { e.Subsets[0].Ports[1].Name = "" }, want: []want{req(s0 + ".ports[1].name")}},
		{name: "port range", mutate: func(e *corev1.Endpoints) { e.Subsets[0].Ports[0].Port = 0 }, want: []want{inv(s0 + ".ports[0].port")}},
	})
}
