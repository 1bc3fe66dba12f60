package validation

import (
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const selectorMismatchMsg = "`selector` does not match template `labels`"

func replicasOf(p *int32) int64 {
	if p == nil {
		return 0
	}
	return int64(*p)
}

// validateWorkloadSelector: a selector is required, must be well formed and
// non-empty (an empty one would adopt every pod in the namespace).
func validateWorkloadSelector(sel *metav1.LabelSelector, kind string, fldPath *field.Path) field.ErrorList {
	if sel == nil {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	allErrs := metav1validation.ValidateLabelSelector(sel, metav1validation.LabelSelectorValidationOptions{}, fldPath)
	if len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
		allErrs = append(allErrs, field.Invalid(fldPath, sel, "empty selector is invalid for "+kind))
	}
	return allErrs
}

// templateMatches reports whether the selector selects the template's
// labels; a nil selector matches nothing.
func templateMatches(sel *metav1.LabelSelector, t *corev1.PodTemplateSpec) (bool, error) {
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false, err
	}
	return s.Matches(labels.Set(t.Labels)), nil
}

// validateTemplateForReplicas is Kubernetes' pod template check for
// Deployments and ReplicaSets: selector match, a valid pod template, pods
// that always restart and never time out.
func validateTemplateForReplicas(t *corev1.PodTemplateSpec, sel *metav1.LabelSelector, kind string, selPath, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if ok, err := templateMatches(sel, t); err != nil {
		return field.ErrorList{field.Invalid(selPath, sel, "invalid label selector")}
	} else if !ok {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("metadata", "labels"), t.Labels, selectorMismatchMsg))
	}
	allErrs = append(allErrs, validatePodTemplateSpec(t, fldPath)...)
	if t.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("spec", "restartPolicy"), t.Spec.RestartPolicy, []corev1.RestartPolicy{corev1.RestartPolicyAlways}))
	}
	if t.Spec.ActiveDeadlineSeconds != nil {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("spec", "activeDeadlineSeconds"), fmt.Sprintf("activeDeadlineSeconds in %s is not Supported", kind)))
	}
	return allErrs
}

func validateDeployment(d *appsv1.Deployment) field.ErrorList {
	allErrs := validateObjectMeta(&d.ObjectMeta, true, nameIsDNSSubdomain)
	return append(allErrs, validateDeploymentSpec(&d.Spec, specPath)...)
}

func validateDeploymentSpec(spec *appsv1.DeploymentSpec, fldPath *field.Path) field.ErrorList {
	allErrs := nonNegative(replicasOf(spec.Replicas), fldPath.Child("replicas"))
	allErrs = append(allErrs, validateWorkloadSelector(spec.Selector, "deployment", fldPath.Child("selector"))...)
	allErrs = append(allErrs, validateTemplateForReplicas(&spec.Template, spec.Selector, "ReplicaSet", fldPath.Child("selector"), fldPath.Child("template"))...)
	allErrs = append(allErrs, validateDeploymentStrategy(&spec.Strategy, fldPath.Child("strategy"))...)
	allErrs = append(allErrs, nonNegative(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	if spec.RevisionHistoryLimit != nil {
		allErrs = append(allErrs, nonNegative(int64(*spec.RevisionHistoryLimit), fldPath.Child("revisionHistoryLimit"))...)
	}
	if pds := spec.ProgressDeadlineSeconds; pds != nil {
		allErrs = append(allErrs, nonNegative(int64(*pds), fldPath.Child("progressDeadlineSeconds"))...)
		if *pds <= spec.MinReadySeconds {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("progressDeadlineSeconds"), pds, "must be greater than minReadySeconds"))
		}
	}
	return allErrs
}

func validateDeploymentStrategy(s *appsv1.DeploymentStrategy, fldPath *field.Path) field.ErrorList {
	switch s.Type {
	case appsv1.RecreateDeploymentStrategyType:
		if s.RollingUpdate != nil {
			return field.ErrorList{field.Forbidden(fldPath.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")}
		}
	case appsv1.RollingUpdateDeploymentStrategyType:
		if s.RollingUpdate == nil {
			return field.ErrorList{field.Required(fldPath.Child("rollingUpdate"), "this should be defaulted and never be nil")}
		}
		p := fldPath.Child("rollingUpdate")
		maxUnavailable, maxSurge := intOrZero(s.RollingUpdate.MaxUnavailable), intOrZero(s.RollingUpdate.MaxSurge)
		allErrs := validatePositiveIntOrPercent(maxUnavailable, p.Child("maxUnavailable"))
		allErrs = append(allErrs, validatePositiveIntOrPercent(maxSurge, p.Child("maxSurge"))...)
		if intOrPercentValue(maxUnavailable) == 0 && intOrPercentValue(maxSurge) == 0 {
			// Neither removing nor adding pods would stall the rollout.
			allErrs = append(allErrs, field.Invalid(p.Child("maxUnavailable"), maxUnavailable, "may not be 0 when `maxSurge` is 0"))
		}
		return append(allErrs, notMoreThan100Percent(maxUnavailable, p.Child("maxUnavailable"))...)
	default:
		return field.ErrorList{field.NotSupported(fldPath, s, []appsv1.DeploymentStrategyType{appsv1.RecreateDeploymentStrategyType, appsv1.RollingUpdateDeploymentStrategyType})}
	}
	return nil
}

func intOrZero(v *intstr.IntOrString) intstr.IntOrString {
	if v == nil {
		return intstr.FromInt32(0)
	}
	return *v
}

func validatePositiveIntOrPercent(v intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	switch v.Type {
	case intstr.String:
		return invalidEach(fldPath, v, utilvalidation.IsValidPercent(v.StrVal))
	case intstr.Int:
		return nonNegative(int64(v.IntValue()), fldPath)
	}
	return field.ErrorList{field.Invalid(fldPath, v, "must be an integer or percentage (e.g '5%')")}
}

// percentValue returns the number of a valid percentage string.
func percentValue(v intstr.IntOrString) (int, bool) {
	if v.Type != intstr.String || len(utilvalidation.IsValidPercent(v.StrVal)) != 0 {
		return 0, false
	}
	n, _ := strconv.Atoi(v.StrVal[:len(v.StrVal)-1])
	return n, true
}

func intOrPercentValue(v intstr.IntOrString) int {
	if n, ok := percentValue(v); ok {
		return n
	}
	return v.IntValue()
}

func notMoreThan100Percent(v intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	if n, ok := percentValue(v); ok && n > 100 {
		return field.ErrorList{field.Invalid(fldPath, v, "must not be greater than 100%")}
	}
	return nil
}

// validateDeploymentUpdate adds the apps/v1 rule that a selector, which
// decides which pods the controller owns, cannot change.
func validateDeploymentUpdate(d, old *appsv1.Deployment) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&d.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, validateDeploymentSpec(&d.Spec, specPath)...)
	return append(allErrs, immutable(d.Spec.Selector, old.Spec.Selector, specPath.Child("selector"))...)
}

func validateDeploymentStatusUpdate(d, old *appsv1.Deployment) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&d.ObjectMeta, &old.ObjectMeta)
	s, p := &d.Status, field.NewPath("status")
	allErrs = append(allErrs, nonNegative(s.ObservedGeneration, p.Child("observedGeneration"))...)
	allErrs = append(allErrs, nonNegativeCounts(p, map[string]int32{"replicas": s.Replicas, "updatedReplicas": s.UpdatedReplicas,
		"readyReplicas": s.ReadyReplicas, "availableReplicas": s.AvailableReplicas, "unavailableReplicas": s.UnavailableReplicas},
		"replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas")...)
	if s.TerminatingReplicas != nil {
		allErrs = append(allErrs, nonNegative(int64(*s.TerminatingReplicas), p.Child("terminatingReplicas"))...)
	}
	allErrs = append(allErrs, notAboveReplicas(p, s.Replicas, map[string]int32{"updatedReplicas": s.UpdatedReplicas,
		"readyReplicas": s.ReadyReplicas, "availableReplicas": s.AvailableReplicas}, "updatedReplicas", "readyReplicas", "availableReplicas")...)
	if s.AvailableReplicas > s.ReadyReplicas {
		allErrs = append(allErrs, field.Invalid(p.Child("availableReplicas"), s.AvailableReplicas, "cannot be greater than readyReplicas"))
	}
	return append(allErrs, validateCollisionCount(s.CollisionCount, old.Status.CollisionCount, p)...)
}

// nonNegativeCounts checks named status counters in a fixed order.
func nonNegativeCounts(p *field.Path, values map[string]int32, order ...string) field.ErrorList {
	var allErrs field.ErrorList
	for _, name := range order {
		allErrs = append(allErrs, nonNegative(int64(values[name]), p.Child(name))...)
	}
	return allErrs
}

// notAboveReplicas: no subset of the pods may outnumber all of them.
func notAboveReplicas(p *field.Path, replicas int32, values map[string]int32, order ...string) field.ErrorList {
	var allErrs field.ErrorList
	for _, name := range order {
		if values[name] > replicas {
			allErrs = append(allErrs, field.Invalid(p.Child(name), values[name], "cannot be greater than status.replicas"))
		}
	}
	return allErrs
}

// validateCollisionCount: the hash-collision counter only grows.
func validateCollisionCount(n, old *int32, p *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if n != nil {
		allErrs = append(allErrs, nonNegative(int64(*n), p.Child("collisionCount"))...)
	}
	if old != nil && (n == nil || *n < *old) {
		v := int32(0)
		if n != nil {
			v = *n
		}
		allErrs = append(allErrs, field.Invalid(p.Child("collisionCount"), v, "cannot be decremented"))
	}
	return allErrs
}

func validateReplicaSet(rs *appsv1.ReplicaSet) field.ErrorList {
	allErrs := validateObjectMeta(&rs.ObjectMeta, true, nameIsDNSSubdomain)
	return append(allErrs, validateReplicaSetSpec(&rs.Spec, specPath)...)
}

func validateReplicaSetSpec(spec *appsv1.ReplicaSetSpec, fldPath *field.Path) field.ErrorList {
	allErrs := nonNegative(replicasOf(spec.Replicas), fldPath.Child("replicas"))
	allErrs = append(allErrs, nonNegative(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	// Kubernetes says "deployment" here too.
	allErrs = append(allErrs, validateWorkloadSelector(spec.Selector, "deployment", fldPath.Child("selector"))...)
	return append(allErrs, validateTemplateForReplicas(&spec.Template, spec.Selector, "ReplicaSet", fldPath.Child("selector"), fldPath.Child("template"))...)
}

func validateReplicaSetUpdate(rs, old *appsv1.ReplicaSet) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&rs.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, validateReplicaSetSpec(&rs.Spec, specPath)...)
	return append(allErrs, immutable(rs.Spec.Selector, old.Spec.Selector, specPath.Child("selector"))...)
}

func validateReplicaSetStatusUpdate(rs, old *appsv1.ReplicaSet) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&rs.ObjectMeta, &old.ObjectMeta)
	s, p := &rs.Status, field.NewPath("status")
	allErrs = append(allErrs, nonNegativeCounts(p, map[string]int32{"replicas": s.Replicas, "fullyLabeledReplicas": s.FullyLabeledReplicas,
		"readyReplicas": s.ReadyReplicas, "availableReplicas": s.AvailableReplicas}, "replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas")...)
	allErrs = append(allErrs, nonNegative(s.ObservedGeneration, p.Child("observedGeneration"))...)
	allErrs = append(allErrs, notAboveReplicas(p, s.Replicas, map[string]int32{"fullyLabeledReplicas": s.FullyLabeledReplicas,
		"readyReplicas": s.ReadyReplicas, "availableReplicas": s.AvailableReplicas}, "fullyLabeledReplicas", "readyReplicas", "availableReplicas")...)
	if s.AvailableReplicas > s.ReadyReplicas {
		allErrs = append(allErrs, field.Invalid(p.Child("availableReplicas"), s.AvailableReplicas, "cannot be greater than readyReplicas"))
	}
	return allErrs
}

func validateStatefulSet(ss *appsv1.StatefulSet) field.ErrorList {
	// Pod names are <set>-<ordinal> and used as hostnames, hence DNS labels.
	allErrs := validateObjectMeta(&ss.ObjectMeta, true, nameIsDNSLabel)
	return append(allErrs, validateStatefulSetSpec(&ss.Spec, specPath)...)
}

// validateStatefulSetSpec follows Kubernetes, which checks the template's
// labels, annotations and restart rules but not its pod spec (container
// mounts may name claim templates rather than volumes).
func validateStatefulSetSpec(spec *appsv1.StatefulSetSpec, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	switch spec.PodManagementPolicy {
	case appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement:
	case "":
		allErrs = append(allErrs, field.Required(fldPath.Child("podManagementPolicy"), ""))
	default:
		allErrs = append(allErrs, field.Invalid(fldPath.Child("podManagementPolicy"), spec.PodManagementPolicy,
			fmt.Sprintf("must be '%s' or '%s'", appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement)))
	}
	us := fldPath.Child("updateStrategy")
	switch spec.UpdateStrategy.Type {
	case "":
		allErrs = append(allErrs, field.Required(us, ""))
	case appsv1.OnDeleteStatefulSetStrategyType:
		if spec.UpdateStrategy.RollingUpdate != nil {
			allErrs = append(allErrs, field.Invalid(us.Child("rollingUpdate"), spec.UpdateStrategy.RollingUpdate,
				fmt.Sprintf("only allowed for updateStrategy '%s'", appsv1.RollingUpdateStatefulSetStrategyType)))
		}
	case appsv1.RollingUpdateStatefulSetStrategyType:
		if ru := spec.UpdateStrategy.RollingUpdate; ru != nil {
			rp := us.Child("rollingUpdate")
			if ru.Partition != nil {
				allErrs = append(allErrs, nonNegative(int64(*ru.Partition), rp.Child("partition"))...)
			}
			if ru.MaxUnavailable != nil {
				mp := rp.Child("maxUnavailable")
				allErrs = append(allErrs, validatePositiveIntOrPercent(*ru.MaxUnavailable, mp)...)
				if intOrPercentValue(*ru.MaxUnavailable) == 0 {
					allErrs = append(allErrs, field.Invalid(mp, *ru.MaxUnavailable, "cannot be 0"))
				}
				allErrs = append(allErrs, notMoreThan100Percent(*ru.MaxUnavailable, mp)...)
			}
		}
	default:
		allErrs = append(allErrs, field.Invalid(us, spec.UpdateStrategy,
			fmt.Sprintf("must be '%s' or '%s'", appsv1.RollingUpdateStatefulSetStrategyType, appsv1.OnDeleteStatefulSetStrategyType)))
	}
	if rp := spec.PersistentVolumeClaimRetentionPolicy; rp != nil {
		p := fldPath.Child("persistentVolumeClaimRetentionPolicy")
		for _, f := range []struct {
			name string
			v    appsv1.PersistentVolumeClaimRetentionPolicyType
		}{{"whenDeleted", rp.WhenDeleted}, {"whenScaled", rp.WhenScaled}} {
			if f.v != appsv1.RetainPersistentVolumeClaimRetentionPolicyType && f.v != appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
				allErrs = append(allErrs, field.NotSupported(p.Child(f.name), f.v, []appsv1.PersistentVolumeClaimRetentionPolicyType{
					appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.DeletePersistentVolumeClaimRetentionPolicyType}))
			}
		}
	}
	allErrs = append(allErrs, nonNegative(replicasOf(spec.Replicas), fldPath.Child("replicas"))...)
	allErrs = append(allErrs, nonNegative(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	if spec.Ordinals != nil {
		allErrs = append(allErrs, nonNegative(int64(spec.Ordinals.Start), fldPath.Child("ordinals.start"))...)
	}
	allErrs = append(allErrs, validateWorkloadSelector(spec.Selector, "statefulset", fldPath.Child("selector"))...)
	tp := fldPath.Child("template")
	if ok, err := templateMatches(spec.Selector, &spec.Template); err != nil {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("selector"), spec.Selector, ""))
	} else {
		if !ok {
			allErrs = append(allErrs, field.Invalid(tp.Child("metadata", "labels"), spec.Template.Labels, selectorMismatchMsg))
		}
		allErrs = append(allErrs, metav1validation.ValidateLabels(spec.Template.Labels, tp.Child("labels"))...)
		allErrs = append(allErrs, validateAnnotations(spec.Template.Annotations, tp.Child("annotations"))...)
		allErrs = append(allErrs, validatePodAnnotations(spec.Template.Annotations, &spec.Template.Spec, tp.Child("annotations"))...)
	}
	if spec.Template.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		allErrs = append(allErrs, field.NotSupported(tp.Child("spec", "restartPolicy"), spec.Template.Spec.RestartPolicy, []corev1.RestartPolicy{corev1.RestartPolicyAlways}))
	}
	if spec.Template.Spec.ActiveDeadlineSeconds != nil {
		allErrs = append(allErrs, field.Forbidden(tp.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in StatefulSet is not Supported"))
	}
	if spec.RevisionHistoryLimit != nil {
		allErrs = append(allErrs, nonNegative(int64(*spec.RevisionHistoryLimit), fldPath.Child("revisionHistoryLimit"))...)
	}
	return allErrs
}

// validateStatefulSetUpdate: only the fields a rolling StatefulSet can act
// on may change; identity (selector, serviceName, claim templates) is fixed.
func validateStatefulSetUpdate(ss, old *appsv1.StatefulSet) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&ss.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, validateStatefulSetSpec(&ss.Spec, specPath)...)
	c := ss.Spec.DeepCopy()
	c.Replicas = old.Spec.Replicas
	c.Template = old.Spec.Template
	c.UpdateStrategy = old.Spec.UpdateStrategy
	c.MinReadySeconds = old.Spec.MinReadySeconds
	c.Ordinals = old.Spec.Ordinals
	c.RevisionHistoryLimit = old.Spec.RevisionHistoryLimit
	c.PersistentVolumeClaimRetentionPolicy = old.Spec.PersistentVolumeClaimRetentionPolicy
	if !equality.Semantic.DeepEqual(*c, old.Spec) {
		allErrs = append(allErrs, field.Forbidden(specPath, "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
	}
	return allErrs
}

func validateStatefulSetStatusUpdate(ss, old *appsv1.StatefulSet) field.ErrorList {
	s, p := &ss.Status, field.NewPath("status")
	allErrs := nonNegativeCounts(p, map[string]int32{"replicas": s.Replicas, "readyReplicas": s.ReadyReplicas,
		"currentReplicas": s.CurrentReplicas, "updatedReplicas": s.UpdatedReplicas, "availableReplicas": s.AvailableReplicas},
		"replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas")
	allErrs = append(allErrs, nonNegative(s.ObservedGeneration, p.Child("observedGeneration"))...)
	allErrs = append(allErrs, notAboveReplicas(p, s.Replicas, map[string]int32{"readyReplicas": s.ReadyReplicas,
		"currentReplicas": s.CurrentReplicas, "updatedReplicas": s.UpdatedReplicas, "availableReplicas": s.AvailableReplicas},
		"readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas")...)
	if s.AvailableReplicas > s.ReadyReplicas {
		allErrs = append(allErrs, field.Invalid(p.Child("availableReplicas"), s.AvailableReplicas, "cannot be greater than status.readyReplicas"))
	}
	allErrs = append(allErrs, validateObjectMetaUpdate(&ss.ObjectMeta, &old.ObjectMeta)...)
	return append(allErrs, validateCollisionCount(s.CollisionCount, old.Status.CollisionCount, p)...)
}

func validateDaemonSet(ds *appsv1.DaemonSet) field.ErrorList {
	allErrs := validateObjectMeta(&ds.ObjectMeta, true, nameIsDNSSubdomain)
	return append(allErrs, validateDaemonSetSpec(&ds.Spec, specPath)...)
}

func validateDaemonSetSpec(spec *appsv1.DaemonSetSpec, fldPath *field.Path) field.ErrorList {
	// Unlike the other workloads, Kubernetes reports a missing DaemonSet
	// selector only through the template mismatch below.
	var allErrs field.ErrorList
	if spec.Selector != nil {
		allErrs = validateWorkloadSelector(spec.Selector, "daemonset", fldPath.Child("selector"))
	}
	if ok, err := templateMatches(spec.Selector, &spec.Template); err == nil && !ok {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("template", "metadata", "labels"), spec.Template.Labels, selectorMismatchMsg))
	}
	allErrs = append(allErrs, validatePodTemplateSpec(&spec.Template, fldPath.Child("template"))...)
	if spec.Template.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("template", "spec", "restartPolicy"), spec.Template.Spec.RestartPolicy, []corev1.RestartPolicy{corev1.RestartPolicyAlways}))
	}
	if spec.Template.Spec.ActiveDeadlineSeconds != nil {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("template", "spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in DaemonSet is not Supported"))
	}
	allErrs = append(allErrs, nonNegative(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	allErrs = append(allErrs, validateDaemonSetUpdateStrategy(&spec.UpdateStrategy, fldPath.Child("updateStrategy"))...)
	if spec.RevisionHistoryLimit != nil {
		allErrs = append(allErrs, nonNegative(int64(*spec.RevisionHistoryLimit), fldPath.Child("revisionHistoryLimit"))...)
	}
	return allErrs
}

func validateDaemonSetUpdateStrategy(s *appsv1.DaemonSetUpdateStrategy, fldPath *field.Path) field.ErrorList {
	switch s.Type {
	case appsv1.OnDeleteDaemonSetStrategyType:
		return nil
	case appsv1.RollingUpdateDaemonSetStrategyType:
	default:
		return field.ErrorList{field.NotSupported(fldPath, s, []appsv1.DaemonSetUpdateStrategyType{appsv1.RollingUpdateDaemonSetStrategyType, appsv1.OnDeleteDaemonSetStrategyType})}
	}
	if s.RollingUpdate == nil {
		return field.ErrorList{field.Required(fldPath.Child("rollingUpdate"), "")}
	}
	p := fldPath.Child("rollingUpdate")
	mu, ms := intOrZero(s.RollingUpdate.MaxUnavailable), intOrZero(s.RollingUpdate.MaxSurge)
	allErrs := validatePositiveIntOrPercent(mu, p.Child("maxUnavailable"))
	allErrs = append(allErrs, validatePositiveIntOrPercent(ms, p.Child("maxSurge"))...)
	allErrs = append(allErrs, notMoreThan100Percent(mu, p.Child("maxUnavailable"))...)
	allErrs = append(allErrs, notMoreThan100Percent(ms, p.Child("maxSurge"))...)
	// A node's daemon pod is either replaced in place (unavailable) or
	// surged, never both.
	hasU, hasS := intOrPercentValue(mu) != 0, intOrPercentValue(ms) != 0
	switch {
	case hasU && hasS:
		allErrs = append(allErrs, field.Invalid(p.Child("maxSurge"), s.RollingUpdate.MaxSurge, "may not be set when maxUnavailable is non-zero"))
	case !hasU && !hasS:
		allErrs = append(allErrs, field.Required(p.Child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
	}
	return allErrs
}

func validateDaemonSetUpdate(ds, old *appsv1.DaemonSet) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&ds.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, validateDaemonSetSpec(&ds.Spec, specPath)...)
	return append(allErrs, immutable(ds.Spec.Selector, old.Spec.Selector, specPath.Child("selector"))...)
}

func validateDaemonSetStatusUpdate(ds, old *appsv1.DaemonSet) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&ds.ObjectMeta, &old.ObjectMeta)
	s, p := &ds.Status, field.NewPath("status")
	allErrs = append(allErrs, nonNegativeCounts(p, map[string]int32{"currentNumberScheduled": s.CurrentNumberScheduled,
		"numberMisscheduled": s.NumberMisscheduled, "desiredNumberScheduled": s.DesiredNumberScheduled, "numberReady": s.NumberReady},
		"currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady")...)
	allErrs = append(allErrs, nonNegative(s.ObservedGeneration, p.Child("observedGeneration"))...)
	allErrs = append(allErrs, nonNegativeCounts(p, map[string]int32{"updatedNumberScheduled": s.UpdatedNumberScheduled,
		"numberAvailable": s.NumberAvailable, "numberUnavailable": s.NumberUnavailable},
		"updatedNumberScheduled", "numberAvailable", "numberUnavailable")...)
	return append(allErrs, validateCollisionCount(s.CollisionCount, old.Status.CollisionCount, p)...)
}

func validateControllerRevision(cr *appsv1.ControllerRevision) field.ErrorList {
	allErrs := validateObjectMeta(&cr.ObjectMeta, true, nameIsDNSSubdomain)
	if cr.Data.Raw == nil && cr.Data.Object == nil {
		allErrs = append(allErrs, field.Required(field.NewPath("data"), "data is mandatory"))
	}
	return append(allErrs, nonNegative(cr.Revision, field.NewPath("revision"))...)
}

// validateControllerRevisionUpdate: a revision is a snapshot; its data never
// changes.
func validateControllerRevisionUpdate(cr, old *appsv1.ControllerRevision) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&cr.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, validateControllerRevision(cr)...)
	return append(allErrs, immutable(cr.Data, old.Data, field.NewPath("data"))...)
}
