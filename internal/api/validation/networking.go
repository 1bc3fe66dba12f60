package validation

import (
	"fmt"
	"net/netip"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	ingressClassAnnotation       = "kubernetes.io/ingress.class"
	maxLenIngressClassController = 250
)

var (
	invalidPathSequences = []string{"//", "/./", "/../", "%2f", "%2F"}
	invalidPathSuffixes  = []string{"/..", "/."}
	supportedPathTypes   = []networkingv1.PathType{networkingv1.PathTypeExact, networkingv1.PathTypeImplementationSpecific, networkingv1.PathTypePrefix}
)

// ingressOptions relax checks for data that was stored before a rule
// existed, so such objects can still be updated.
type ingressOptions struct {
	allowInvalidSecretName       bool
	allowInvalidWildcardHostRule bool
}

func validateIngressCreate(ing *networkingv1.Ingress) field.ErrorList {
	allErrs := validateIngress(ing, ingressOptions{})
	if v, ok := ing.Annotations[ingressClassAnnotation]; ok && ing.Spec.IngressClassName != nil && v != *ing.Spec.IngressClassName {
		allErrs = append(allErrs, field.Invalid(field.NewPath("annotations").Child(ingressClassAnnotation), v, "must match `ingressClassName` when both are specified"))
	}
	return allErrs
}

func validateIngressUpdate(ing, old *networkingv1.Ingress) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&ing.ObjectMeta, &old.ObjectMeta)
	opts := ingressOptions{}
	for _, tls := range old.Spec.TLS {
		if tls.SecretName != "" && len(validateSecretName(tls.SecretName, false)) > 0 {
			opts.allowInvalidSecretName = true
		}
	}
	for _, r := range old.Spec.Rules {
		if strings.Contains(r.Host, "*") && len(validateIngressRuleValue(&r.IngressRuleValue, field.NewPath(""))) > 0 {
			opts.allowInvalidWildcardHostRule = true
		}
	}
	return append(allErrs, validateIngress(ing, opts)...)
}

func validateIngress(ing *networkingv1.Ingress, opts ingressOptions) field.ErrorList {
	allErrs := validateObjectMeta(&ing.ObjectMeta, true, nameIsDNSSubdomain)
	spec := &ing.Spec
	if len(spec.Rules) == 0 && spec.DefaultBackend == nil {
		allErrs = append(allErrs, field.Invalid(specPath, spec.Rules, "either `defaultBackend` or `rules` must be specified"))
	}
	if spec.DefaultBackend != nil {
		allErrs = append(allErrs, validateIngressBackend(spec.DefaultBackend, specPath.Child("defaultBackend"))...)
	}
	rules := specPath.Child("rules")
	for i, r := range spec.Rules {
		wildcard := false
		if r.Host != "" {
			hp := rules.Index(i).Child("host")
			if _, err := netip.ParseAddr(r.Host); err == nil {
				allErrs = append(allErrs, field.Invalid(hp, r.Host, "must be a DNS name, not an IP address"))
			}
			if strings.Contains(r.Host, "*") {
				allErrs = append(allErrs, invalidEach(hp, r.Host, utilvalidation.IsWildcardDNS1123Subdomain(r.Host))...)
				wildcard = true
			} else {
				allErrs = append(allErrs, dns1123Subdomain(r.Host, hp)...)
			}
		}
		if !wildcard || !opts.allowInvalidWildcardHostRule {
			allErrs = append(allErrs, validateIngressRuleValue(&r.IngressRuleValue, rules.Index(i))...)
		}
	}
	tls := specPath.Child("tls")
	for i, t := range spec.TLS {
		for j, h := range t.Hosts {
			hp := tls.Index(i).Child("hosts").Index(j)
			if strings.Contains(h, "*") {
				allErrs = append(allErrs, invalidEach(hp, h, utilvalidation.IsWildcardDNS1123Subdomain(h))...)
			} else {
				allErrs = append(allErrs, dns1123Subdomain(h, hp)...)
			}
		}
		if !opts.allowInvalidSecretName && t.SecretName != "" {
			allErrs = append(allErrs, nameCheck(validateSecretName, t.SecretName, tls.Index(i).Child("secretName"))...)
		}
	}
	if spec.IngressClassName != nil {
		allErrs = append(allErrs, nameCheck(nameIsDNSSubdomain, *spec.IngressClassName, specPath.Child("ingressClassName"))...)
	}
	return allErrs
}

func validateIngressRuleValue(v *networkingv1.IngressRuleValue, fldPath *field.Path) field.ErrorList {
	if v.HTTP == nil {
		return nil
	}
	var allErrs field.ErrorList
	hp := fldPath.Child("http")
	if len(v.HTTP.Paths) == 0 {
		allErrs = append(allErrs, field.Required(hp.Child("paths"), ""))
	}
	for i := range v.HTTP.Paths {
		allErrs = append(allErrs, validateHTTPIngressPath(&v.HTTP.Paths[i], hp.Child("paths").Index(i))...)
	}
	return allErrs
}

// validateHTTPIngressPath: pathType has no default in networking.k8s.io/v1
// and must be given; Exact and Prefix paths must be clean absolute paths.
func validateHTTPIngressPath(p *networkingv1.HTTPIngressPath, fldPath *field.Path) field.ErrorList {
	if p.PathType == nil {
		return field.ErrorList{field.Required(fldPath.Child("pathType"), "pathType must be specified")}
	}
	var allErrs field.ErrorList
	pp := fldPath.Child("path")
	switch *p.PathType {
	case networkingv1.PathTypeExact, networkingv1.PathTypePrefix:
		if !strings.HasPrefix(p.Path, "/") {
			allErrs = append(allErrs, field.Invalid(pp, p.Path, "must be an absolute path"))
		}
		if p.Path != "" {
			for _, seq := range invalidPathSequences {
				if strings.Contains(p.Path, seq) {
					allErrs = append(allErrs, field.Invalid(pp, p.Path, fmt.Sprintf("must not contain '%s'", seq)))
				}
			}
			for _, suf := range invalidPathSuffixes {
				if strings.HasSuffix(p.Path, suf) {
					allErrs = append(allErrs, field.Invalid(pp, p.Path, fmt.Sprintf("cannot end with '%s'", suf)))
				}
			}
		}
	case networkingv1.PathTypeImplementationSpecific:
		if p.Path != "" && !strings.HasPrefix(p.Path, "/") {
			allErrs = append(allErrs, field.Invalid(pp, p.Path, "must be an absolute path"))
		}
	default:
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("pathType"), *p.PathType, supportedPathTypes))
	}
	return append(allErrs, validateIngressBackend(&p.Backend, fldPath.Child("backend"))...)
}

// validateIngressBackend: exactly one of a Service (by name, with a port
// name or number) or a typed resource.
func validateIngressBackend(b *networkingv1.IngressBackend, fldPath *field.Path) field.ErrorList {
	switch {
	case b.Resource != nil && b.Service != nil:
		return field.ErrorList{field.Invalid(fldPath, "", "cannot set both resource and service backends")}
	case b.Resource != nil:
		r, p := b.Resource, fldPath.Child("resource")
		var allErrs field.ErrorList
		if r.APIGroup != nil {
			allErrs = append(allErrs, dns1123Subdomain(*r.APIGroup, p.Child("apiGroup"))...)
		}
		allErrs = append(allErrs, validatePathSegmentName(r.Kind, p.Child("kind"))...)
		return append(allErrs, validatePathSegmentName(r.Name, p.Child("name"))...)
	case b.Service != nil:
		var allErrs field.ErrorList
		s := b.Service
		if s.Name == "" {
			allErrs = append(allErrs, field.Required(fldPath.Child("service", "name"), ""))
		} else {
			allErrs = append(allErrs, nameCheck(validateServiceName, s.Name, fldPath.Child("service", "name"))...)
		}
		hasName, hasNumber := s.Port.Name != "", s.Port.Number != 0
		switch {
		case hasName && hasNumber:
			allErrs = append(allErrs, field.Invalid(fldPath, "", "cannot set both port name & port number"))
		case hasName:
			allErrs = append(allErrs, invalidEach(fldPath.Child("service", "port", "name"), s.Port.Name, utilvalidation.IsValidPortName(s.Port.Name))...)
		case hasNumber:
			allErrs = append(allErrs, invalidEach(fldPath.Child("service", "port", "number"), s.Port.Number, utilvalidation.IsValidPortNum(int(s.Port.Number)))...)
		default:
			allErrs = append(allErrs, field.Required(fldPath, "port name or number is required"))
		}
		return allErrs
	}
	return field.ErrorList{field.Invalid(fldPath, "", "resource or service backend is required")}
}

// validatePathSegmentName: a kind or name that goes into a URL path.
func validatePathSegmentName(v string, fldPath *field.Path) field.ErrorList {
	if v == "" {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	return invalidEach(fldPath, v, content.IsPathSegmentName(v))
}

func validateIngressStatusUpdate(ing, old *networkingv1.Ingress) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&ing.ObjectMeta, &old.ObjectMeta)
	var oldIPs []string
	for _, i := range old.Status.LoadBalancer.Ingress {
		if i.IP != "" {
			oldIPs = append(oldIPs, i.IP)
		}
	}
	p := field.NewPath("status", "loadBalancer", "ingress")
	for i, lb := range ing.Status.LoadBalancer.Ingress {
		if lb.IP != "" {
			allErrs = append(allErrs, legacyIP(p.Index(i).Child("ip"), lb.IP, oldIPs)...)
		}
		allErrs = append(allErrs, validateLBHostname(lb.Hostname, p.Index(i).Child("hostname"))...)
	}
	return allErrs
}

func validateIngressClass(ic *networkingv1.IngressClass) field.ErrorList {
	allErrs := validateObjectMeta(&ic.ObjectMeta, false, nameIsDNSSubdomain)
	cp := specPath.Child("controller")
	if ic.Spec.Controller == "" {
		allErrs = append(allErrs, field.Required(cp, ""))
	} else {
		if len(ic.Spec.Controller) > maxLenIngressClassController {
			allErrs = append(allErrs, field.TooLong(cp, "", maxLenIngressClassController))
		}
		allErrs = append(allErrs, utilvalidation.IsDomainPrefixedPath(cp, ic.Spec.Controller)...)
	}
	if p := ic.Spec.Parameters; p != nil {
		pp := specPath.Child("parameters")
		if p.APIGroup != nil {
			allErrs = append(allErrs, dns1123Subdomain(*p.APIGroup, pp.Child("apiGroup"))...)
		}
		allErrs = append(allErrs, validatePathSegmentName(p.Kind, pp.Child("kind"))...)
		allErrs = append(allErrs, validatePathSegmentName(p.Name, pp.Child("name"))...)
		switch {
		case p.Scope == nil:
			allErrs = append(allErrs, field.Required(pp.Child("scope"), ""))
		case *p.Scope == networkingv1.IngressClassParametersReferenceScopeNamespace:
			if p.Namespace == nil {
				allErrs = append(allErrs, field.Required(pp.Child("namespace"), "`parameters.scope` is set to 'Namespace'"))
			} else {
				allErrs = append(allErrs, nameCheck(validateNSName, *p.Namespace, pp.Child("namespace"))...)
			}
		case *p.Scope == networkingv1.IngressClassParametersReferenceScopeCluster:
			if p.Namespace != nil {
				allErrs = append(allErrs, field.Forbidden(pp.Child("namespace"), "`parameters.scope` is set to 'Cluster'"))
			}
		default:
			allErrs = append(allErrs, field.NotSupported(pp.Child("scope"), *p.Scope, []string{
				networkingv1.IngressClassParametersReferenceScopeCluster, networkingv1.IngressClassParametersReferenceScopeNamespace}))
		}
	}
	return allErrs
}

// validateIngressClassUpdate: the controller that implements a class is
// part of its identity.
func validateIngressClassUpdate(ic, old *networkingv1.IngressClass) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&ic.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, immutable(ic.Spec.Controller, old.Spec.Controller, specPath.Child("controller"))...)
	return append(allErrs, validateIngressClass(ic)...)
}
