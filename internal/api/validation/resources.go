package validation

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	isNegativeErrorMsg    = "must be greater than or equal to 0"
	isNotIntegerErrorMsg  = "must be an integer"
	isNotPositiveErrorMsg = "must be greater than zero"
	hugePagesPrefix       = "hugepages-"
	nativePrefix          = "kubernetes.io/"
	requestsPrefix        = "requests."
)

// standardResources are the unprefixed resource names Kubernetes knows
// (compute, storage and quota names); anything else must be qualified.
var standardResources = sets.New(
	"cpu", "memory", "ephemeral-storage", "storage",
	"requests.cpu", "requests.memory", "requests.storage", "requests.ephemeral-storage",
	"limits.cpu", "limits.memory", "limits.ephemeral-storage",
	"pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
	"persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
)

// containerResources are the unprefixed names a container may request.
var containerResources = sets.New("cpu", "memory", "ephemeral-storage")

// integerResources are counted, never fractional.
var integerResources = sets.New("pods", "services", "replicationcontrollers", "resourcequotas", "secrets",
	"configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers")

func isHugePage(name corev1.ResourceName) bool {
	return strings.HasPrefix(string(name), hugePagesPrefix)
}

// isNativeResource: unprefixed or in the kubernetes.io domain.
func isNativeResource(name corev1.ResourceName) bool {
	return !strings.Contains(string(name), "/") || strings.Contains(string(name), nativePrefix)
}

// isExtendedResource: a device-plugin style resource such as example.com/gpu.
func isExtendedResource(name corev1.ResourceName) bool {
	if isNativeResource(name) || strings.HasPrefix(string(name), requestsPrefix) {
		return false
	}
	return len(utilvalidation.IsQualifiedName(requestsPrefix+string(name))) == 0
}

// overcommitAllowed: requests may be below limits only for native, non
// hugepage resources; devices and hugepages are all-or-nothing.
func overcommitAllowed(name corev1.ResourceName) bool {
	return isNativeResource(name) && !isHugePage(name)
}

func isIntegerResource(name corev1.ResourceName) bool {
	return integerResources.Has(string(name)) || isExtendedResource(name)
}

func validateResourceName(name corev1.ResourceName, fldPath *field.Path) field.ErrorList {
	allErrs := qualifiedName(string(name), fldPath)
	if len(allErrs) != 0 {
		return allErrs
	}
	if !strings.Contains(string(name), "/") && !standardResources.Has(string(name)) && !isHugePage(name) &&
		!strings.HasPrefix(string(name), "requests.hugepages-") {
		allErrs = append(allErrs, field.Invalid(fldPath, name, "must be a standard resource type or fully qualified"))
	}
	return allErrs
}

func validateContainerResourceName(name corev1.ResourceName, fldPath *field.Path) field.ErrorList {
	allErrs := validateResourceName(name, fldPath)
	if !strings.Contains(string(name), "/") {
		if !containerResources.Has(string(name)) && !isHugePage(name) {
			return append(allErrs, field.Invalid(fldPath, name, "must be a standard resource for containers"))
		}
	} else if !isNativeResource(name) && !isExtendedResource(name) {
		return append(allErrs, field.Invalid(fldPath, name, "doesn't follow extended resource name standard"))
	}
	return allErrs
}

func validateNonNegativeQuantity(q resource.Quantity, fldPath *field.Path) field.ErrorList {
	if q.Cmp(resource.Quantity{}) < 0 {
		return field.ErrorList{field.Invalid(fldPath, q.String(), isNegativeErrorMsg)}
	}
	return nil
}

func validatePositiveQuantity(q resource.Quantity, fldPath *field.Path) field.ErrorList {
	if q.Cmp(resource.Quantity{}) <= 0 {
		return field.ErrorList{field.Invalid(fldPath, q.String(), isNotPositiveErrorMsg)}
	}
	return nil
}

func validateResourceQuantity(name corev1.ResourceName, q resource.Quantity, fldPath *field.Path) field.ErrorList {
	allErrs := validateNonNegativeQuantity(q, fldPath)
	if isIntegerResource(name) && q.MilliValue()%1000 != 0 {
		allErrs = append(allErrs, field.Invalid(fldPath, q, isNotIntegerErrorMsg))
	}
	return allErrs
}

// validateContainerResources checks names and quantities, and that each
// request fits under its limit (or equals it for resources that cannot be
// overcommitted). Note that Kubernetes reports request/limit mismatches on
// the "requests" path itself, not the keyed entry.
func validateContainerResources(req *corev1.ResourceRequirements, podClaims sets.Set[string], fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	limPath, reqPath := fldPath.Child("limits"), fldPath.Child("requests")
	cpuOrMem, hugePages := false, false
	for name, q := range req.Limits {
		p := limPath.Key(string(name))
		allErrs = append(allErrs, validateContainerResourceName(name, p)...)
		allErrs = append(allErrs, validateResourceQuantity(name, q, p)...)
		hugePages = hugePages || isHugePage(name)
		cpuOrMem = cpuOrMem || name == corev1.ResourceCPU || name == corev1.ResourceMemory
	}
	for name, q := range req.Requests {
		p := reqPath.Key(string(name))
		allErrs = append(allErrs, validateContainerResourceName(name, p)...)
		allErrs = append(allErrs, validateResourceQuantity(name, q, p)...)
		if limit, ok := req.Limits[name]; ok {
			if q.Cmp(limit) != 0 && !overcommitAllowed(name) {
				allErrs = append(allErrs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be equal to %s limit of %s", name, limit.String())))
			} else if q.Cmp(limit) > 0 {
				allErrs = append(allErrs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String())))
			}
		} else if !overcommitAllowed(name) {
			allErrs = append(allErrs, field.Required(limPath, "Limit must be set for non overcommitable resources"))
		}
		hugePages = hugePages || isHugePage(name)
		cpuOrMem = cpuOrMem || name == corev1.ResourceCPU || name == corev1.ResourceMemory
	}
	if hugePages && !cpuOrMem {
		allErrs = append(allErrs, field.Forbidden(fldPath, "HugePages require cpu or memory"))
	}
	claimsPath := fldPath.Child("claims")
	seen := sets.New[string]()
	for i, c := range req.Claims {
		switch {
		case c.Name == "":
			allErrs = append(allErrs, field.Required(claimsPath.Index(i), ""))
		case seen.Has(c.Name + "/" + c.Request):
			allErrs = append(allErrs, field.Duplicate(claimsPath.Index(i), c.Name))
		default:
			seen.Insert(c.Name + "/" + c.Request)
			if !podClaims.Has(c.Name) {
				e := field.NotFound(claimsPath.Index(i), c.Name)
				e.Detail = "must be one of the names in pod.spec.resourceClaims"
				if podClaims.Len() == 0 {
					e.Detail += " which is empty"
				} else {
					e.Detail += ": " + strings.Join(sets.List(podClaims), ", ")
				}
				allErrs = append(allErrs, e)
			}
		}
	}
	return allErrs
}
