package printers

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

var serviceSpecDoc = corev1.ServiceSpec{}.SwaggerDoc()

var serviceColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Type", typeString, serviceSpecDoc["type"]),
	column("Cluster-IP", typeString, serviceSpecDoc["clusterIP"]),
	column("External-IP", typeString, serviceSpecDoc["externalIPs"]),
	column("Port(s)", typeString, serviceSpecDoc["ports"]),
	ageColumn,
	wide("Selector", typeString, serviceSpecDoc["selector"]),
}

// serviceCells is one row of `kubectl get services -o wide`.
func serviceCells(svc *corev1.Service, now time.Time) []interface{} {
	ports := servicePorts(svc.Spec.Ports)
	if ports == "" {
		ports = none
	}
	return []interface{}{
		svc.Name,
		string(svc.Spec.Type),
		orNone(clusterIP(svc)),
		serviceExternalIP(svc),
		ports,
		age(svc.CreationTimestamp, now),
		labels.FormatLabels(svc.Spec.Selector),
	}
}

// clusterIP is the primary cluster IP ("None" for headless services).
// ClusterIPs is authoritative; ClusterIP covers objects that only set the
// older singular field.
func clusterIP(svc *corev1.Service) string {
	if len(svc.Spec.ClusterIPs) > 0 {
		return svc.Spec.ClusterIPs[0]
	}
	return svc.Spec.ClusterIP
}

// serviceExternalIP is the EXTERNAL-IP column: manually assigned external
// IPs for ClusterIP and NodePort services; for LoadBalancer services the
// provisioned ingress addresses followed by external IPs, or <pending> while
// the load balancer does not exist yet; the DNS name for ExternalName.
func serviceExternalIP(svc *corev1.Service) string {
	switch svc.Spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort:
		if len(svc.Spec.ExternalIPs) > 0 {
			return strings.Join(svc.Spec.ExternalIPs, ",")
		}
		return none
	case corev1.ServiceTypeLoadBalancer:
		points := make([]lbPoint, len(svc.Status.LoadBalancer.Ingress))
		for i, in := range svc.Status.LoadBalancer.Ingress {
			points[i] = lbPoint{ip: in.IP, hostname: in.Hostname}
		}
		var all []string
		if lb := loadBalancerAddresses(points); lb != "" {
			all = append(all, lb)
		}
		all = append(all, svc.Spec.ExternalIPs...)
		if len(all) == 0 {
			return "<pending>"
		}
		return strings.Join(all, ",")
	case corev1.ServiceTypeExternalName:
		return svc.Spec.ExternalName
	}
	return unknown
}

// servicePorts prints "port/PROTO", or "port:nodePort/PROTO" when a node
// port is allocated, comma separated.
func servicePorts(ports []corev1.ServicePort) string {
	out := make([]string, len(ports))
	for i, p := range ports {
		if p.NodePort > 0 {
			out[i] = fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol)
		} else {
			out[i] = fmt.Sprintf("%d/%s", p.Port, p.Protocol)
		}
	}
	return strings.Join(out, ",")
}
