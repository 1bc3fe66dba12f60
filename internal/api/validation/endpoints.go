package validation

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// EndpointSlice size limits from the discovery.k8s.io/v1 API.
const (
	maxSliceEndpoints      = 1000
	maxSliceAddresses      = 100
	maxSlicePorts          = 100
	maxSliceTopologyLabels = 16
	maxSliceHints          = 8
)

func validateEndpoints(ep *corev1.Endpoints) field.ErrorList {
	allErrs := validateObjectMeta(&ep.ObjectMeta, true, nameIsDNSSubdomain)
	subsets := field.NewPath("subsets")
	for i := range ep.Subsets {
		ss := &ep.Subsets[i]
		p := subsets.Index(i)
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			allErrs = append(allErrs, field.Required(p, "must specify `addresses` or `notReadyAddresses`"))
		}
		for j := range ss.Addresses {
			allErrs = append(allErrs, validateEndpointAddress(&ss.Addresses[j], p.Child("addresses").Index(j))...)
		}
		for j := range ss.NotReadyAddresses {
			allErrs = append(allErrs, validateEndpointAddress(&ss.NotReadyAddresses[j], p.Child("notReadyAddresses").Index(j))...)
		}
		for j := range ss.Ports {
			allErrs = append(allErrs, validateEndpointPort(&ss.Ports[j], len(ss.Ports) > 1, p.Child("ports").Index(j))...)
		}
	}
	return allErrs
}

func validateEndpointsUpdate(ep, old *corev1.Endpoints) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&ep.ObjectMeta, &old.ObjectMeta)
	return append(allErrs, validateEndpoints(ep)...)
}

func validateEndpointAddress(a *corev1.EndpointAddress, fldPath *field.Path) field.ErrorList {
	allErrs := legacyIP(fldPath.Child("ip"), a.IP, nil)
	if a.Hostname != "" {
		allErrs = append(allErrs, dns1123Label(a.Hostname, fldPath.Child("hostname"))...)
	}
	if a.NodeName != nil {
		allErrs = append(allErrs, nameCheck(validateNodeName, *a.NodeName, fldPath.Child("nodeName"))...)
	}
	return append(allErrs, validateNonSpecialIP(a.IP, fldPath.Child("ip"))...)
}

func validateEndpointPort(p *corev1.EndpointPort, requireName bool, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if requireName && p.Name == "" {
		allErrs = append(allErrs, field.Required(fldPath.Child("name"), ""))
	} else if p.Name != "" {
		allErrs = append(allErrs, dns1123Label(p.Name, fldPath.Child("name"))...)
	}
	allErrs = append(allErrs, invalidEach(fldPath.Child("port"), p.Port, utilvalidation.IsValidPortNum(int(p.Port)))...)
	allErrs = append(allErrs, validateProtocol(p.Protocol, fldPath.Child("protocol"))...)
	if p.AppProtocol != nil {
		allErrs = append(allErrs, qualifiedName(*p.AppProtocol, fldPath.Child("appProtocol"))...)
	}
	return allErrs
}

var supportedAddressTypes = []discoveryv1.AddressType{discoveryv1.AddressTypeFQDN, discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6}

func validateEndpointSlice(es *discoveryv1.EndpointSlice) field.ErrorList {
	allErrs := validateObjectMeta(&es.ObjectMeta, true, nameIsDNSSubdomain)
	addrPath := field.NewPath("addressType")
	switch es.AddressType {
	case discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6, discoveryv1.AddressTypeFQDN:
	case "":
		allErrs = append(allErrs, field.Required(addrPath, ""))
	default:
		allErrs = append(allErrs, field.NotSupported(addrPath, es.AddressType, supportedAddressTypes))
	}
	allErrs = append(allErrs, validateSliceEndpoints(es.Endpoints, es.AddressType, field.NewPath("endpoints"))...)
	return append(allErrs, validateSlicePorts(es.Ports, field.NewPath("ports"))...)
}

func validateEndpointSliceUpdate(es, old *discoveryv1.EndpointSlice) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&es.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, validateEndpointSlice(es)...)
	return append(allErrs, immutable(es.AddressType, old.AddressType, field.NewPath("addressType"))...)
}

func validateSliceEndpoints(endpoints []discoveryv1.Endpoint, addrType discoveryv1.AddressType, fldPath *field.Path) field.ErrorList {
	if len(endpoints) > maxSliceEndpoints {
		return field.ErrorList{field.TooMany(fldPath, len(endpoints), maxSliceEndpoints)}
	}
	var allErrs field.ErrorList
	for i, ep := range endpoints {
		p := fldPath.Index(i)
		ap := p.Child("addresses")
		if len(ep.Addresses) == 0 {
			allErrs = append(allErrs, field.Required(ap, "must contain at least 1 address"))
		} else if len(ep.Addresses) > maxSliceAddresses {
			allErrs = append(allErrs, field.TooMany(ap, len(ep.Addresses), maxSliceAddresses))
		}
		for j, a := range ep.Addresses {
			allErrs = append(allErrs, validateSliceAddress(a, addrType, ap.Index(j))...)
		}
		if ep.NodeName != nil {
			allErrs = append(allErrs, nameCheck(validateNodeName, *ep.NodeName, p.Child("nodeName"))...)
		}
		tp := p.Child("deprecatedTopology")
		if len(ep.DeprecatedTopology) > maxSliceTopologyLabels {
			allErrs = append(allErrs, field.TooMany(tp, len(ep.DeprecatedTopology), maxSliceTopologyLabels))
		}
		allErrs = append(allErrs, metav1validation.ValidateLabels(ep.DeprecatedTopology, tp)...)
		if ep.Hostname != nil {
			allErrs = append(allErrs, dns1123Label(*ep.Hostname, p.Child("hostname"))...)
		}
		if h := ep.Hints; h != nil {
			hp := p.Child("hints")
			if len(h.ForZones) > maxSliceHints {
				allErrs = append(allErrs, field.TooMany(hp.Child("forZones"), len(h.ForZones), maxSliceHints))
			}
			if len(h.ForNodes) > maxSliceHints {
				allErrs = append(allErrs, field.TooMany(hp.Child("forNodes"), len(h.ForNodes), maxSliceHints))
			}
			zones := sets.New[string]()
			for j, z := range h.ForZones {
				if zones.Has(z.Name) {
					allErrs = append(allErrs, field.Duplicate(hp.Child("forZones").Index(j).Child("name"), z.Name))
				}
				zones.Insert(z.Name)
				allErrs = append(allErrs, metav1validation.ValidateLabels(map[string]string{corev1.LabelTopologyZone: z.Name}, hp.Child("forZones").Index(j).Child("name"))...)
			}
		}
	}
	return allErrs
}

// validateSliceAddress checks an address against the slice's type; unknown
// types fall through unchecked, as in Kubernetes.
func validateSliceAddress(a string, t discoveryv1.AddressType, fldPath *field.Path) field.ErrorList {
	switch t {
	case discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6:
		allErrs := legacyIP(fldPath, a, nil)
		if len(allErrs) != 0 {
			return allErrs
		}
		addr, _ := netip.ParseAddr(a)
		if t == discoveryv1.AddressTypeIPv4 && !addr.Is4() {
			return field.ErrorList{field.Invalid(fldPath, a, "must be an IPv4 address")}
		}
		if t == discoveryv1.AddressTypeIPv6 && !(addr.Is6() && !addr.Is4In6()) {
			return field.ErrorList{field.Invalid(fldPath, a, "must be an IPv6 address")}
		}
		return validateNonSpecialIP(a, fldPath)
	case discoveryv1.AddressTypeFQDN:
		return utilvalidation.IsFullyQualifiedDomainName(fldPath, a)
	}
	return nil
}

func validateSlicePorts(ports []discoveryv1.EndpointPort, fldPath *field.Path) field.ErrorList {
	if len(ports) > maxSlicePorts {
		return field.ErrorList{field.TooMany(fldPath, len(ports), maxSlicePorts)}
	}
	var allErrs field.ErrorList
	names := sets.New[string]()
	for i, p := range ports {
		pp := fldPath.Index(i)
		name := ""
		if p.Name != nil {
			name = *p.Name
		}
		if name != "" {
			allErrs = append(allErrs, dns1123Label(name, pp.Child("name"))...)
		}
		if names.Has(name) {
			allErrs = append(allErrs, field.Duplicate(pp.Child("name"), name))
		}
		names.Insert(name)
		if p.Protocol == nil {
			allErrs = append(allErrs, field.Required(pp.Child("protocol"), ""))
		} else if !isSupportedProtocol(*p.Protocol) {
			allErrs = append(allErrs, field.NotSupported(pp.Child("protocol"), *p.Protocol, supportedPortProtocols))
		}
		if p.Port != nil {
			allErrs = append(allErrs, invalidEach(pp.Child("port"), *p.Port, utilvalidation.IsInRange(int(*p.Port), 0, 65535))...)
		}
		if p.AppProtocol != nil {
			allErrs = append(allErrs, qualifiedName(*p.AppProtocol, pp.Child("appProtocol"))...)
		}
	}
	return allErrs
}
