package lbannounce

import (
	"net/netip"
	"sort"

	"github.com/berth-project/berth/internal/controller/loadbalancer"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// LabelExcludeFromLB on a Node keeps it from announcing LoadBalancer
// addresses (Kubernetes' well-known label).
const LabelExcludeFromLB = "node.kubernetes.io/exclude-from-external-load-balancers"

// Iface is a node interface and the subnets on it.
type Iface struct {
	Name     string
	Prefixes []netip.Prefix
}

// Candidacy is an address this node campaigns to announce.
type Candidacy struct {
	IP        netip.Addr
	Iface     string
	Service   string // namespace/name
	Namespace string
	Name      string
}

// Desired lists the addresses this node should campaign for: the IPv4
// ingress addresses of berth's LoadBalancer Services that lie inside a
// subnet of one of the node's interfaces (a /32 or /31 host address does not
// make a subnet). With externalTrafficPolicy Local only nodes with a ready
// endpoint of the Service campaign, so the announcing node can serve the
// traffic without forwarding it and the client's address is kept. A Node
// with LabelExcludeFromLB campaigns for nothing.
func Desired(services []*corev1.Service, slices []*discoveryv1.EndpointSlice, node *corev1.Node, ifaces []Iface) []Candidacy {
	if node == nil {
		return nil
	}
	if _, excluded := node.Labels[LabelExcludeFromLB]; excluded {
		return nil
	}
	local := servicesWithLocalEndpoints(slices, node.Name)
	var out []Candidacy
	seen := map[netip.Addr]bool{}
	for _, svc := range services {
		if !loadbalancer.Ours(svc) {
			continue
		}
		key := svc.Namespace + "/" + svc.Name
		if svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal && !local[key] {
			continue
		}
		for _, ing := range svc.Status.LoadBalancer.Ingress {
			ip, err := netip.ParseAddr(ing.IP)
			if err != nil || !ip.Unmap().Is4() || seen[ip.Unmap()] {
				continue
			}
			ip = ip.Unmap()
			if name := ifaceFor(ip, ifaces); name != "" {
				seen[ip] = true
				out = append(out, Candidacy{IP: ip, Iface: name, Service: key, Namespace: svc.Namespace, Name: svc.Name})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].IP.Less(out[j].IP) })
	return out
}

// ifaceFor is the interface whose subnet holds ip, "" if none. An address
// the interface already has is not ours to announce.
func ifaceFor(ip netip.Addr, ifaces []Iface) string {
	for _, ifc := range ifaces {
		for _, p := range ifc.Prefixes {
			if p.Addr() == ip {
				return ""
			}
		}
	}
	for _, ifc := range ifaces {
		for _, p := range ifc.Prefixes {
			if p.Addr().Is4() && p.Bits() < 31 && p.Contains(ip) {
				return ifc.Name
			}
		}
	}
	return ""
}

// servicesWithLocalEndpoints are the Services ("namespace/name") with a
// ready endpoint on the node.
func servicesWithLocalEndpoints(slices []*discoveryv1.EndpointSlice, node string) map[string]bool {
	out := map[string]bool{}
	for _, s := range slices {
		name := s.Labels[discoveryv1.LabelServiceName]
		if name == "" {
			continue
		}
		for _, ep := range s.Endpoints {
			if ep.NodeName != nil && *ep.NodeName == node && (ep.Conditions.Ready == nil || *ep.Conditions.Ready) {
				out[s.Namespace+"/"+name] = true
				break
			}
		}
	}
	return out
}
