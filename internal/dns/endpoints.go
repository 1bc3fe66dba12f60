package dns

import (
	"cmp"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

const serviceNameLabel = discoveryv1.LabelServiceName

// endpoint is one ready address of a Service, with the name it has under
// the Service and the ports of its slice.
type endpoint struct {
	host  string // the endpoint's hostname, or its dashed IP
	ip    netip.Addr
	ports []discoveryv1.EndpointPort
}

// isHeadless reports a Service without a cluster IP.
func isHeadless(svc *corev1.Service) bool {
	return svc.Spec.ClusterIP == corev1.ClusterIPNone
}

// clusterIPs are a Service's cluster IPs, primary first.
func clusterIPs(svc *corev1.Service) []netip.Addr {
	raw := svc.Spec.ClusterIPs
	if len(raw) == 0 && svc.Spec.ClusterIP != "" {
		raw = []string{svc.Spec.ClusterIP}
	}
	var out []netip.Addr
	for _, s := range raw {
		if a, ok := parseIP(s); ok {
			out = append(out, a)
		}
	}
	return out
}

// ready reports an endpoint the Service's name resolves to: ready (unset
// counts as ready, per the API), or any when the Service publishes
// not-ready addresses.
func ready(svc *corev1.Service, ep *discoveryv1.Endpoint) bool {
	return svc.Spec.PublishNotReadyAddresses || ep.Conditions.Ready == nil || *ep.Conditions.Ready
}

// readyEndpoints lists the ready endpoint addresses of svc from all its
// slices (whoever manages them), without duplicates, ordered by IP.
func readyEndpoints(v view, svc *corev1.Service) []endpoint {
	var out []endpoint
	seen := map[string]bool{}
	for _, s := range v.slicesOf(svc.Namespace, svc.Name) {
		if s.AddressType != discoveryv1.AddressTypeIPv4 && s.AddressType != discoveryv1.AddressTypeIPv6 {
			continue
		}
		for i := range s.Endpoints {
			ep := &s.Endpoints[i]
			if !ready(svc, ep) {
				continue
			}
			for _, a := range ep.Addresses {
				ip, ok := parseIP(a)
				if !ok {
					continue
				}
				host := dashed(ip)
				if ep.Hostname != nil && *ep.Hostname != "" {
					host = *ep.Hostname
				}
				key := host + "/" + ip.String() + "/" + s.Name
				if seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, endpoint{host: host, ip: ip, ports: s.Ports})
			}
		}
	}
	slices.SortFunc(out, func(a, b endpoint) int {
		return cmp.Or(a.ip.Compare(b.ip), cmp.Compare(a.host, b.host))
	})
	return out
}

// endpointIPs are the distinct IPs of endpoints, in order.
func endpointIPs(eps []endpoint) []netip.Addr {
	out := make([]netip.Addr, 0, len(eps))
	for _, ep := range eps {
		out = append(out, ep.ip)
	}
	return slices.Compact(out) // eps are ordered by IP
}
