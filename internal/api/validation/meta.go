package validation

import (
	"strings"

	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Name rules per kind, as in Kubernetes: most objects are DNS subdomains,
// Namespaces are DNS labels because their names become DNS labels in
// service names, Services are DNS-1035 labels because their names become
// environment variable prefixes and DNS labels.
var (
	nameIsDNSSubdomain  = apimachineryvalidation.NameIsDNSSubdomain
	nameIsDNSLabel      = apimachineryvalidation.NameIsDNSLabel
	nameIsDNS1035Label  = apimachineryvalidation.NameIsDNS1035Label
	validateNodeName    = apimachineryvalidation.NameIsDNSSubdomain
	validateSecretName  = apimachineryvalidation.NameIsDNSSubdomain
	validateClassName   = apimachineryvalidation.NameIsDNSSubdomain
	validateNSName      = apimachineryvalidation.ValidateNamespaceName
	validateServiceName = apimachineryvalidation.NameIsDNS1035Label
)

var metadataPath = field.NewPath("metadata")

// standardFinalizers are the finalizer names that need no domain prefix.
var standardFinalizers = sets.New("kubernetes", metav1.FinalizerOrphanDependents, metav1.FinalizerDeleteDependents)

// validateObjectMeta checks metadata on create: name (with the kind's name
// rule), namespace presence for namespaced kinds and absence for cluster
// kinds, labels, annotations, owner references and finalizers.
func validateObjectMeta(m *metav1.ObjectMeta, namespaced bool, nameFn apimachineryvalidation.ValidateNameFunc) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMeta(m, namespaced, nameFn, metadataPath)
	for i, f := range m.Finalizers {
		allErrs = append(allErrs, validateKubeFinalizerName(f, metadataPath.Child("finalizers").Index(i))...)
	}
	return allErrs
}

// validateObjectMetaUpdate checks metadata on update: resourceVersion given,
// name, namespace, uid and timestamps unchanged, no finalizers added while
// deleting, and the same content rules as on create.
func validateObjectMetaUpdate(newM, oldM *metav1.ObjectMeta) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(newM, oldM, metadataPath)
	for i, f := range newM.Finalizers {
		allErrs = append(allErrs, validateKubeFinalizerName(f, metadataPath.Child("finalizers").Index(i))...)
	}
	return allErrs
}

// validateKubeFinalizerName rejects unqualified finalizer names other than
// the standard ones.
func validateKubeFinalizerName(name string, fldPath *field.Path) field.ErrorList {
	if !strings.Contains(name, "/") && !standardFinalizers.Has(name) {
		return field.ErrorList{field.Invalid(fldPath, name, "name is neither a standard finalizer name nor is it fully qualified")}
	}
	return nil
}

// validateFinalizerName is the full check for a Namespace's spec.finalizers.
func validateFinalizerName(name string, fldPath *field.Path) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateFinalizerName(name, fldPath)
	return append(allErrs, validateKubeFinalizerName(name, fldPath)...)
}

func immutable(newVal, oldVal any, fldPath *field.Path) field.ErrorList {
	return apimachineryvalidation.ValidateImmutableField(newVal, oldVal, fldPath)
}

func nonNegative(v int64, fldPath *field.Path) field.ErrorList {
	return apimachineryvalidation.ValidateNonnegativeField(v, fldPath)
}

// invalidEach turns the messages of a string check into Invalid errors.
func invalidEach(fldPath *field.Path, value any, msgs []string) field.ErrorList {
	var allErrs field.ErrorList
	for _, msg := range msgs {
		allErrs = append(allErrs, field.Invalid(fldPath, value, msg))
	}
	return allErrs
}

func dns1123Label(v string, fldPath *field.Path) field.ErrorList {
	return invalidEach(fldPath, v, utilvalidation.IsDNS1123Label(v))
}

func dns1123Subdomain(v string, fldPath *field.Path) field.ErrorList {
	return invalidEach(fldPath, v, utilvalidation.IsDNS1123Subdomain(v))
}

func qualifiedName(v string, fldPath *field.Path) field.ErrorList {
	return invalidEach(fldPath, v, utilvalidation.IsQualifiedName(v))
}

// nameCheck applies a name rule (DNS label, secret name, …) to a reference.
func nameCheck(fn apimachineryvalidation.ValidateNameFunc, v string, fldPath *field.Path) field.ErrorList {
	return invalidEach(fldPath, v, fn(v, false))
}

// legacyIP validates an IP field that predates strict IP validation; values
// already stored on the old object stay acceptable.
func legacyIP(fldPath *field.Path, ip string, oldIPs []string) field.ErrorList {
	return utilvalidation.IsValidIPForLegacyField(fldPath, ip, true, oldIPs)
}

func legacyCIDR(fldPath *field.Path, cidr string) field.ErrorList {
	return utilvalidation.IsValidCIDRForLegacyField(fldPath, cidr, true, nil)
}

var apimachineryServiceAccountName = apimachineryvalidation.ValidateServiceAccountName

func validateAnnotations(a map[string]string, fldPath *field.Path) field.ErrorList {
	return apimachineryvalidation.ValidateAnnotations(a, fldPath)
}

func dnsSubdomainMsgs(v string) []string { return utilvalidation.IsDNS1123Subdomain(v) }

func qualifiedNameMsgs(v string) []string { return utilvalidation.IsQualifiedName(v) }
