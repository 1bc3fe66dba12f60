package endpointslice

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// endpointGroup is the wanted content of the slices sharing one port set.
type endpointGroup struct {
	ports     []discoveryv1.EndpointPort
	endpoints []discoveryv1.Endpoint
}

// portKey identifies a port set independent of its order.
func portKey(ports []discoveryv1.EndpointPort) string {
	parts := make([]string, 0, len(ports))
	for _, p := range ports {
		parts = append(parts, fmt.Sprintf("%s/%s/%d/%s", deref(p.Name), derefProto(p.Protocol), derefInt(p.Port), deref(p.AppProtocol)))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// endpointKey identifies an endpoint across syncs: the pod it stands for
// and its addresses.
func endpointKey(ep *discoveryv1.Endpoint) string {
	ref := ""
	if ep.TargetRef != nil {
		ref = ep.TargetRef.Namespace + "/" + ep.TargetRef.Name
	}
	return ref + "|" + strings.Join(ep.Addresses, ",")
}

// desiredGroups computes, for one address type, the endpoints svc should
// have from the pods its selector matches, grouped by resolved port set.
// zoneOf gives a node's zone ("" if unknown).
func desiredGroups(svc *corev1.Service, pods []*corev1.Pod, t discoveryv1.AddressType, zoneOf func(node string) string) map[string]*endpointGroup {
	pods = slices.Clone(pods)
	slices.SortFunc(pods, func(a, b *corev1.Pod) int { return cmp.Compare(a.Name, b.Name) })
	groups := map[string]*endpointGroup{}
	for _, pod := range pods {
		if !includePod(pod, true) {
			continue
		}
		zone := ""
		if zoneOf != nil && pod.Spec.NodeName != "" {
			zone = zoneOf(pod.Spec.NodeName)
		}
		ep := podEndpoint(pod, svc, t, zone)
		if len(ep.Addresses) == 0 {
			continue // no IP of this family
		}
		var ports []discoveryv1.EndpointPort
		if !(len(svc.Spec.Ports) == 0 && headless(svc)) {
			ports = endpointPorts(svc, pod)
		}
		key := portKey(ports)
		g, ok := groups[key]
		if !ok {
			g = &endpointGroup{ports: ports}
			groups[key] = g
		}
		g.endpoints = append(g.endpoints, ep)
	}
	return groups
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefProto(p *corev1.Protocol) corev1.Protocol {
	if p == nil {
		return ""
	}
	return *p
}

func derefInt(n *int32) int32 {
	if n == nil {
		return 0
	}
	return *n
}
