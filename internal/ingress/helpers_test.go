package ingress

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var (
	exact  = networkingv1.PathTypeExact
	prefix = networkingv1.PathTypePrefix
	implSp = networkingv1.PathTypeImplementationSpecific
)

func berthClass(isDefault bool) *networkingv1.IngressClass {
	c := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: ClassName}, Spec: networkingv1.IngressClassSpec{Controller: ControllerName}}
	if isDefault {
		c.Annotations = map[string]string{AnnotationDefaultClass: "true"}
	}
	return c
}

type pathSpec struct {
	path    string
	typ     networkingv1.PathType
	service string
}

// ing makes an Ingress in "default" with one rule for host.
func ing(name string, age int, host string, paths ...pathSpec) *networkingv1.Ingress {
	i := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default",
		CreationTimestamp: metav1.NewTime(time.Unix(1000+int64(age), 0))}}
	rule := networkingv1.IngressRule{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{}}}
	for _, p := range paths {
		typ := p.typ
		rule.HTTP.Paths = append(rule.HTTP.Paths, networkingv1.HTTPIngressPath{Path: p.path, PathType: &typ,
			Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: p.service, Port: networkingv1.ServiceBackendPort{Number: 80}}}})
	}
	i.Spec.Rules = []networkingv1.IngressRule{rule}
	return i
}

// svc makes a Service "name" port 80 (named "http") → targetPort 8080 with
// a slice of the given ready pod IPs.
func svc(name string, ips ...string) (*corev1.Service, *discoveryv1.EndpointSlice) {
	s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}}}}
	pn, port, proto := "http", int32(8080), corev1.ProtocolTCP
	es := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: name + "-abc", Namespace: "default",
		Labels: map[string]string{discoveryv1.LabelServiceName: name}}, AddressType: discoveryv1.AddressTypeIPv4,
		Ports: []discoveryv1.EndpointPort{{Name: &pn, Port: &port, Protocol: &proto}}}
	for _, ip := range ips {
		t := true
		es.Endpoints = append(es.Endpoints, discoveryv1.Endpoint{Addresses: []string{ip}, Conditions: discoveryv1.EndpointConditions{Ready: &t}})
	}
	return s, es
}
