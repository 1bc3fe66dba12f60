package endpointslice

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// addressTypeOf is the EndpointSlice address type of an IP.
func addressTypeOf(a netip.Addr) discoveryv1.AddressType {
	if a.Unmap().Is4() {
		return discoveryv1.AddressTypeIPv4
	}
	return discoveryv1.AddressTypeIPv6
}

// addressTypes are the address types a Service gets slices of, in its
// spec.ipFamilies order. A Service whose families were never filled in
// (an old object) falls back to its ClusterIP's family, or to both for a
// headless one.
func addressTypes(svc *corev1.Service) []discoveryv1.AddressType {
	var out []discoveryv1.AddressType
	add := func(t discoveryv1.AddressType) {
		for _, x := range out {
			if x == t {
				return
			}
		}
		out = append(out, t)
	}
	for _, f := range svc.Spec.IPFamilies {
		switch f {
		case corev1.IPv4Protocol:
			add(discoveryv1.AddressTypeIPv4)
		case corev1.IPv6Protocol:
			add(discoveryv1.AddressTypeIPv6)
		}
	}
	if len(out) > 0 {
		return out
	}
	if ip := svc.Spec.ClusterIP; ip != "" && ip != corev1.ClusterIPNone {
		if a, err := netip.ParseAddr(ip); err == nil {
			return []discoveryv1.AddressType{addressTypeOf(a)}
		}
	}
	return []discoveryv1.AddressType{discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6}
}

// primaryAddressType is the family of the legacy Endpoints object, which has
// room for one: the Service's first family; for an old object without
// families, that of its ClusterIP or, when headless, of the pod's IP.
func primaryAddressType(svc *corev1.Service, pod *corev1.Pod) discoveryv1.AddressType {
	if len(svc.Spec.IPFamilies) > 0 {
		if svc.Spec.IPFamilies[0] == corev1.IPv6Protocol {
			return discoveryv1.AddressTypeIPv6
		}
		return discoveryv1.AddressTypeIPv4
	}
	if ip := svc.Spec.ClusterIP; ip != "" && ip != corev1.ClusterIPNone {
		if a, err := netip.ParseAddr(ip); err == nil {
			return addressTypeOf(a)
		}
	}
	if ips := podIPs(pod); len(ips) > 0 {
		return addressTypeOf(ips[0])
	}
	return discoveryv1.AddressTypeIPv4
}

// headless reports a Service without a cluster IP.
func headless(svc *corev1.Service) bool {
	return svc.Spec.ClusterIP == corev1.ClusterIPNone || svc.Spec.ClusterIP == ""
}
