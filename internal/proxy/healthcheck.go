package proxy

import (
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// HealthCheck is one Service's health-check NodePort on this node: the
// external load balancer asks every node, and sends traffic only to nodes
// answering 200 (those with local endpoints), so externalTrafficPolicy
// Local keeps the client IP without black-holing traffic.
type HealthCheck struct {
	Port      uint16
	Namespace string
	Name      string
	// LocalEndpoints counts this node's ready endpoints of the Service
	// (distinct addresses over all its ports), as kube-proxy does.
	LocalEndpoints int
}

// HealthChecks lists the health-check ports this node must serve: one per
// LoadBalancer Service with externalTrafficPolicy Local and an allocated
// spec.healthCheckNodePort. Pure; sorted by port.
func HealthChecks(services []*corev1.Service, slices_ []*discoveryv1.EndpointSlice, node NodeInfo) []HealthCheck {
	bySvc := slicesByService(slices_)
	var out []HealthCheck
	for _, svc := range services {
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer ||
			svc.Spec.ExternalTrafficPolicy != corev1.ServiceExternalTrafficPolicyLocal ||
			svc.Spec.HealthCheckNodePort <= 0 || svc.Spec.HealthCheckNodePort > 65535 {
			continue
		}
		local := map[netip.Addr]bool{}
		for _, p := range svc.Spec.Ports {
			proto, ok := parseProtocol(string(p.Protocol))
			if !ok {
				continue
			}
			for _, ep := range endpointsFor(bySvc[svc.Namespace+"/"+svc.Name], p.Name, proto, node) {
				if ep.Local && ep.Ready {
					local[ep.AddrPort.Addr()] = true
				}
			}
		}
		out = append(out, HealthCheck{Port: uint16(svc.Spec.HealthCheckNodePort), Namespace: svc.Namespace, Name: svc.Name, LocalEndpoints: len(local)})
	}
	slices.SortFunc(out, func(a, b HealthCheck) int { return int(a.Port) - int(b.Port) })
	return out
}
