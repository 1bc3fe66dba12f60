package validation

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	mirrorPodAnnotation    = "kubernetes.io/config.mirror"
	deletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"
)

var specPath = field.NewPath("spec")

// updatablePodSpecFields is the list Kubernetes prints when a pod update
// touches anything else.
var updatablePodSpecFields = []string{
	"`spec.containers[*].image`",
	"`spec.initContainers[*].image`",
	"`spec.activeDeadlineSeconds`",
	"`spec.tolerations` (only additions to existing tolerations)",
	"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
}

// validatePodMetadataAndSpec holds the checks shared by create and update.
func validatePodMetadataAndSpec(pod *corev1.Pod) field.ErrorList {
	allErrs := validateObjectMeta(&pod.ObjectMeta, true, nameIsDNSSubdomain)
	allErrs = append(allErrs, validatePodAnnotations(pod.Annotations, &pod.Spec, metadataPath.Child("annotations"))...)
	allErrs = append(allErrs, validatePodSpec(&pod.Spec, &pod.ObjectMeta, specPath, podSpecOptions{resourceIsPod: true})...)
	if pod.Spec.ServiceAccountName == "" {
		for vi, v := range pod.Spec.Volumes {
			if v.Projected == nil {
				continue
			}
			for si, s := range v.Projected.Sources {
				if s.ServiceAccountToken != nil {
					allErrs = append(allErrs, field.Forbidden(specPath.Child("volumes").Index(vi).Child("projected", "sources").Index(si).Child("serviceAccountToken"),
						"must not be specified when serviceAccountName is not set"))
				}
			}
		}
	}
	// Only Pods reject images with surrounding whitespace; templates keep
	// accepting them for compatibility.
	for _, list := range []struct {
		name       string
		containers []corev1.Container
	}{{"containers", pod.Spec.Containers}, {"initContainers", pod.Spec.InitContainers}} {
		for i, c := range list.containers {
			if strings.TrimSpace(c.Image) != c.Image {
				allErrs = append(allErrs, field.Invalid(specPath.Child(list.name).Index(i).Child("image"), c.Image, "must not have leading or trailing whitespace"))
			}
		}
	}
	return allErrs
}

// validatePodAnnotations checks the annotations with meaning for pods.
func validatePodAnnotations(annotations map[string]string, spec *corev1.PodSpec, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if v, ok := annotations[mirrorPodAnnotation]; ok && spec.NodeName == "" {
		allErrs = append(allErrs, field.Invalid(fldPath.Key(mirrorPodAnnotation), v, "must set spec.nodeName if mirror pod annotation is set"))
	}
	if v, ok := annotations[deletionCostAnnotation]; ok && !validDeletionCost(v) {
		allErrs = append(allErrs, field.Invalid(fldPath.Key(deletionCostAnnotation), v, "must be a 32bit integer"))
	}
	return allErrs
}

// validDeletionCost accepts a plain 32-bit decimal: no sign "+", no leading
// zeros, no spaces.
func validDeletionCost(v string) bool {
	if v == "" || !(v[0] == '-' || v == "0" || (v[0] >= '1' && v[0] <= '9')) {
		return false
	}
	_, err := strconv.ParseInt(v, 10, 32)
	return err == nil
}

func validatePodCreate(pod *corev1.Pod) field.ErrorList {
	allErrs := validatePodMetadataAndSpec(pod)
	if len(pod.Spec.EphemeralContainers) > 0 {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("ephemeralContainers"), "cannot be set on create"))
	}
	if pod.Spec.NodeName != "" && len(pod.Spec.SchedulingGates) != 0 {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("nodeName"), "cannot be set until all schedulingGates have been cleared"))
	}
	return allErrs
}

// validatePodUpdate allows only the few mutable pod spec fields to change:
// container images, a shrinking activeDeadlineSeconds, added tolerations,
// removed scheduling gates, and a negative grace period becoming 1.
func validatePodUpdate(pod, old *corev1.Pod) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&pod.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, validatePodMetadataAndSpec(pod)...)
	allErrs = append(allErrs, validatePodAnnotationUpdates(pod, old)...)

	for _, list := range []struct {
		name     string
		new, old []corev1.Container
	}{{"containers", pod.Spec.Containers, old.Spec.Containers}, {"initContainers", pod.Spec.InitContainers, old.Spec.InitContainers}} {
		p := specPath.Child(list.name)
		if len(list.new) != len(list.old) {
			return append(allErrs, field.Forbidden(p, "pod updates may not add or remove containers"))
		}
		for i, c := range list.new {
			if c.Image == "" {
				allErrs = append(allErrs, field.Required(p.Index(i).Child("image"), ""))
			}
		}
	}

	adsPath := specPath.Child("activeDeadlineSeconds")
	if pod.Spec.ActiveDeadlineSeconds != nil {
		v := *pod.Spec.ActiveDeadlineSeconds
		if v < 0 || v > math.MaxInt32 {
			return append(allErrs, field.Invalid(adsPath, v, utilvalidation.InclusiveRangeError(0, math.MaxInt32)))
		}
		if old.Spec.ActiveDeadlineSeconds != nil && *old.Spec.ActiveDeadlineSeconds < v {
			return append(allErrs, field.Invalid(adsPath, v, "must be less than or equal to previous value"))
		}
	} else if old.Spec.ActiveDeadlineSeconds != nil {
		allErrs = append(allErrs, field.Invalid(adsPath, pod.Spec.ActiveDeadlineSeconds, "must not update from a positive integer to nil value"))
	}
	allErrs = append(allErrs, validateOnlyAddedTolerations(pod.Spec.Tolerations, old.Spec.Tolerations, specPath.Child("tolerations"))...)
	allErrs = append(allErrs, validateOnlyDeletedSchedulingGates(pod.Spec.SchedulingGates, old.Spec.SchedulingGates, specPath.Child("schedulingGates"))...)

	if equality.Semantic.DeepEqual(pod.Spec, old.Spec) {
		return allErrs
	}
	munged := mungePodSpec(&pod.Spec, &old.Spec)
	if len(old.Spec.SchedulingGates) > 0 {
		// A gated pod is not scheduled yet, so its placement constraints may
		// still be narrowed by additions.
		allErrs = append(allErrs, validateGatedNodeSelector(munged, &old.Spec)...)
	}
	if !equality.Semantic.DeepEqual(*munged, old.Spec) {
		diff := cmp.Diff(old.Spec, *munged)
		allErrs = append(allErrs, field.Forbidden(specPath, fmt.Sprintf("pod updates may not change fields other than %s\n%v", strings.Join(updatablePodSpecFields, ","), diff)))
	}
	return allErrs
}

// mungePodSpec returns a copy of the new spec with every field that may
// change set back to its old value, so what remains different is forbidden.
func mungePodSpec(spec, old *corev1.PodSpec) *corev1.PodSpec {
	m := spec.DeepCopy()
	for i := range m.Containers {
		m.Containers[i].Image = old.Containers[i].Image
	}
	for i := range m.InitContainers {
		m.InitContainers[i].Image = old.InitContainers[i].Image
	}
	m.ActiveDeadlineSeconds = nil
	if old.ActiveDeadlineSeconds != nil {
		v := *old.ActiveDeadlineSeconds
		m.ActiveDeadlineSeconds = &v
	}
	m.SchedulingGates = old.SchedulingGates
	m.Tolerations = old.Tolerations
	if old.TerminationGracePeriodSeconds != nil && *old.TerminationGracePeriodSeconds < 0 &&
		m.TerminationGracePeriodSeconds != nil && *m.TerminationGracePeriodSeconds == 1 {
		m.TerminationGracePeriodSeconds = old.TerminationGracePeriodSeconds
	}
	return m
}

// validateGatedNodeSelector lets a scheduling-gated pod add (never change or
// remove) nodeSelector entries; it resets the munged selector so the spec
// comparison ignores accepted additions.
func validateGatedNodeSelector(munged, old *corev1.PodSpec) field.ErrorList {
	if equality.Semantic.DeepEqual(munged.NodeSelector, old.NodeSelector) {
		return nil
	}
	for k, v := range old.NodeSelector {
		if nv, ok := munged.NodeSelector[k]; !ok || nv != v {
			return field.ErrorList{field.Invalid(specPath.Child("nodeSelector"), munged.NodeSelector, "only additions to spec.nodeSelector are allowed (no mutations or deletions)")}
		}
	}
	munged.NodeSelector = old.NodeSelector
	return nil
}

func validateOnlyAddedTolerations(newT, oldT []corev1.Toleration, fldPath *field.Path) field.ErrorList {
	for _, o := range oldT {
		found := false
		for _, n := range newT {
			// tolerationSeconds may change (e.g. by eviction logic).
			oc := o
			oc.TolerationSeconds = n.TolerationSeconds
			if reflect.DeepEqual(oc, n) {
				found = true
				break
			}
		}
		if !found {
			return field.ErrorList{field.Forbidden(fldPath, "existing toleration can not be modified except its tolerationSeconds")}
		}
	}
	return validateTolerations(newT, fldPath)
}

func validateOnlyDeletedSchedulingGates(newG, oldG []corev1.PodSchedulingGate, fldPath *field.Path) field.ErrorList {
	old := sets.New[string]()
	for _, g := range oldG {
		old.Insert(g.Name)
	}
	var allErrs field.ErrorList
	for i, g := range newG {
		if !old.Has(g.Name) {
			allErrs = append(allErrs, field.Forbidden(fldPath.Index(i).Child("name"), fmt.Sprintf("only deletion is allowed, but found new scheduling gate '%s'", g.Name)))
		}
	}
	return allErrs
}

func validatePodAnnotationUpdates(pod, old *corev1.Pod) field.ErrorList {
	fldPath := metadataPath.Child("annotations")
	var allErrs field.ErrorList
	ov, oldHas := old.Annotations[mirrorPodAnnotation]
	nv, newHas := pod.Annotations[mirrorPodAnnotation]
	switch {
	case oldHas && (!newHas || nv != ov):
		allErrs = append(allErrs, field.Forbidden(fldPath.Key(mirrorPodAnnotation), "may not remove or update mirror pod annotation"))
	case !oldHas && newHas:
		allErrs = append(allErrs, field.Forbidden(fldPath.Key(mirrorPodAnnotation), "may not add mirror pod annotation"))
	}
	return allErrs
}

// validatePodStatusUpdate: the node binding cannot move through status,
// terminated containers of pods that do not restart stay terminated, and
// reported IPs must be well formed.
func validatePodStatusUpdate(pod, old *corev1.Pod) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&pod.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, validatePodAnnotationUpdates(pod, old)...)
	allErrs = append(allErrs, validatePodAnnotations(pod.Annotations, &pod.Spec, metadataPath.Child("annotations"))...)
	statusPath := field.NewPath("status")
	for i, c := range pod.Status.Conditions {
		switch c.Type {
		case corev1.PodScheduled, corev1.PodReady, corev1.PodInitialized, corev1.ContainersReady:
		default:
			// Kubernetes reports custom condition types under metadata.
			allErrs = append(allErrs, qualifiedName(string(c.Type), metadataPath.Child("conditions").Index(i).Child("Type"))...)
		}
	}
	if pod.Spec.NodeName != old.Spec.NodeName {
		allErrs = append(allErrs, field.Forbidden(statusPath.Child("nodeName"), "may not be changed directly"))
	}
	if n := pod.Status.NominatedNodeName; n != old.Status.NominatedNodeName && n != "" {
		allErrs = append(allErrs, nameCheck(validateNodeName, n, statusPath.Child("nominatedNodeName"))...)
	}
	allErrs = append(allErrs, immutable(pod.Status.QOSClass, old.Status.QOSClass, statusPath.Child("qosClass"))...)
	allErrs = append(allErrs, validateContainerStateTransition(pod.Status.ContainerStatuses, old.Status.ContainerStatuses, old.Spec.RestartPolicy, nil, statusPath.Child("containerStatuses"))...)
	allErrs = append(allErrs, validateContainerStateTransition(pod.Status.InitContainerStatuses, old.Status.InitContainerStatuses, old.Spec.RestartPolicy, old.Spec.InitContainers, statusPath.Child("initContainerStatuses"))...)
	allErrs = append(allErrs, validateContainerStateTransition(pod.Status.EphemeralContainerStatuses, old.Status.EphemeralContainerStatuses, corev1.RestartPolicyNever, nil, statusPath.Child("ephemeralContainerStatuses"))...)
	allErrs = append(allErrs, validateIPList(pod.Status.PodIPs, func(p corev1.PodIP) string { return p.IP }, false, "", statusPath.Child("podIPs"))...)
	allErrs = append(allErrs, validateIPList(pod.Status.HostIPs, func(p corev1.HostIP) string { return p.IP }, true, pod.Status.HostIP, statusPath.Child("hostIPs"))...)
	return allErrs
}

// validateContainerStateTransition forbids a terminated container to run
// again when the restart policy says it never will (sidecars excepted).
func validateContainerStateTransition(newS, oldS []corev1.ContainerStatus, policy corev1.RestartPolicy, inits []corev1.Container, fldPath *field.Path) field.ErrorList {
	if policy == corev1.RestartPolicyAlways {
		return nil
	}
	sidecars := sets.New[string]()
	for _, c := range inits {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sidecars.Insert(c.Name)
		}
	}
	var allErrs field.ErrorList
	for i, o := range oldS {
		if o.State.Terminated == nil || sidecars.Has(o.Name) ||
			(o.State.Terminated.ExitCode != 0 && policy == corev1.RestartPolicyOnFailure) {
			continue
		}
		for _, n := range newS {
			if n.Name == o.Name && n.State.Terminated == nil {
				allErrs = append(allErrs, field.Forbidden(fldPath.Index(i).Child("state"), "may not be transitioned to non-terminated state"))
			}
		}
	}
	return allErrs
}

// validateIPList checks podIPs/hostIPs: valid, at most one per family, no
// duplicates, and (for hostIPs) the first equal to the singular field.
func validateIPList[T any](items []T, ipOf func(T) string, checkPrimary bool, primary string, fldPath *field.Path) field.ErrorList {
	if len(items) == 0 {
		return nil
	}
	var allErrs field.ErrorList
	if checkPrimary {
		if ipOf(items[0]) != primary {
			allErrs = append(allErrs, field.Invalid(fldPath.Index(0).Child("ip"), ipOf(items[0]), "must be equal to `hostIP`"))
		}
	}
	ips := make([]string, 0, len(items))
	seen := sets.New[string]()
	for i, it := range items {
		ip := ipOf(it)
		allErrs = append(allErrs, utilvalidation.IsValidIP(fldPath.Index(i), ip)...)
		if seen.Has(ip) {
			allErrs = append(allErrs, field.Duplicate(fldPath.Index(i), it))
		}
		seen.Insert(ip)
		ips = append(ips, ip)
	}
	if len(ips) > 1 && !isDualStack(ips) {
		allErrs = append(allErrs, field.Invalid(fldPath, items, "may specify no more than one IP for each IP family"))
	}
	return allErrs
}

func validatePodTemplate(t *corev1.PodTemplate) field.ErrorList {
	allErrs := validateObjectMeta(&t.ObjectMeta, true, nameIsDNSSubdomain)
	return append(allErrs, validatePodTemplateSpec(&t.Template, field.NewPath("template"))...)
}

func validatePodTemplateUpdate(t, old *corev1.PodTemplate) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&t.ObjectMeta, &old.ObjectMeta)
	return append(allErrs, validatePodTemplateSpec(&t.Template, field.NewPath("template"))...)
}

// validatePodTemplateSpec checks a pod template inside a workload. Kubernetes
// reports template label errors under "<template>.labels", not
// "<template>.metadata.labels".
func validatePodTemplateSpec(t *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	allErrs := metav1validation.ValidateLabels(t.Labels, fldPath.Child("labels"))
	allErrs = append(allErrs, validateAnnotations(t.Annotations, fldPath.Child("annotations"))...)
	allErrs = append(allErrs, validatePodAnnotations(t.Annotations, &t.Spec, fldPath.Child("annotations"))...)
	allErrs = append(allErrs, validatePodSpec(&t.Spec, nil, fldPath.Child("spec"), podSpecOptions{})...)
	if len(t.Spec.EphemeralContainers) > 0 {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
	}
	return allErrs
}
