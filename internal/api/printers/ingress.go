package printers

import (
	"fmt"
	"strings"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var ingressColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Class", typeString, "The name of the IngressClass resource that should be used for additional configuration"),
	column("Hosts", typeString, "Hosts that incoming requests are matched against before the ingress rule"),
	column("Address", typeString, "Address is a list containing ingress points for the load-balancer"),
	column("Ports", typeString, "Ports of TLS configurations that open"),
	ageColumn,
}

// ingressCells is one row of `kubectl get ingresses`. ADDRESS stays empty
// (not <pending>) until a controller publishes one; PORTS is "80", or
// "80, 443" when TLS is configured.
func ingressCells(ing *networkingv1.Ingress, now time.Time) []interface{} {
	points := make([]lbPoint, len(ing.Status.LoadBalancer.Ingress))
	for i, in := range ing.Status.LoadBalancer.Ingress {
		points[i] = lbPoint{ip: in.IP, hostname: in.Hostname}
	}
	ports := "80"
	if len(ing.Spec.TLS) > 0 {
		ports = "80, 443"
	}
	return []interface{}{
		ing.Name,
		derefOr(ing.Spec.IngressClassName, none),
		ingressHosts(ing.Spec.Rules),
		loadBalancerAddresses(points),
		ports,
		age(ing.CreationTimestamp, now),
	}
}

// ingressHosts lists the first three hosts named by rules ("*" when no rule
// names one). Once three are listed, any further rule, with or without a
// host, makes it "+ N more...", N counting the rules beyond the third.
func ingressHosts(rules []networkingv1.IngressRule) string {
	var hosts []string
	more := false
	for _, r := range rules {
		if len(hosts) == maxListed {
			more = true
			break
		}
		if r.Host != "" {
			hosts = append(hosts, r.Host)
		}
	}
	if len(hosts) == 0 {
		return "*"
	}
	s := strings.Join(hosts, ",")
	if more {
		return fmt.Sprintf("%s + %d more...", s, len(rules)-maxListed)
	}
	return s
}

var ingressClassColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Controller", typeString, "Controller that is responsible for handling this class"),
	column("Parameters", typeString, "A reference to a resource with additional parameters"),
	ageColumn,
}

// ingressClassCells is one row of `kubectl get ingressclasses`; PARAMETERS
// reads "Kind.group/name".
func ingressClassCells(ic *networkingv1.IngressClass, now time.Time) []interface{} {
	params := none
	if p := ic.Spec.Parameters; p != nil {
		var b strings.Builder
		b.WriteString(p.Kind)
		if p.APIGroup != nil {
			b.WriteString("." + *p.APIGroup)
		}
		b.WriteString("/" + p.Name)
		params = b.String()
	}
	return []interface{}{ic.Name, ic.Spec.Controller, params, age(ic.CreationTimestamp, now)}
}
