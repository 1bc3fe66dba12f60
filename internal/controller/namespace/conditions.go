package namespace

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// resourceResult is what one pass over one resource found.
type resourceResult struct {
	Resource schema.GroupResource
	// Remaining objects after the deletion request (terminating ones count).
	Remaining int
	// Finalizers counts, per finalizer, the remaining objects carrying it.
	Finalizers map[string]int
	// Err is a failure to list or delete.
	Err error
}

// contentSummary folds the results of a pass.
type contentSummary struct {
	Remaining  map[string]int // group-resource → remaining objects
	Finalizers map[string]int // finalizer → remaining objects carrying it
	Failures   []string
}

func summarize(results []resourceResult) contentSummary {
	s := contentSummary{Remaining: map[string]int{}, Finalizers: map[string]int{}}
	for _, r := range results {
		if r.Err != nil {
			s.Failures = append(s.Failures, fmt.Sprintf("%s: %v", r.Resource, r.Err))
		}
		if r.Remaining > 0 {
			s.Remaining[r.Resource.String()] += r.Remaining
		}
		for f, n := range r.Finalizers {
			s.Finalizers[f] += n
		}
	}
	return s
}

// empty: nothing is left and nothing failed, the namespace may be finalized.
func (s contentSummary) empty() bool {
	return len(s.Remaining) == 0 && len(s.Failures) == 0
}

// Condition reasons, as Kubernetes reports them.
const (
	reasonResourcesDiscovered    = "ResourcesDiscovered"
	reasonParsedGroupVersions    = "ParsedGroupVersions"
	reasonContentDeleted         = "ContentDeleted"
	reasonContentDeletionFailed  = "ContentDeletionFailed"
	reasonContentRemoved         = "ContentRemoved"
	reasonSomeResourcesRemain    = "SomeResourcesRemain"
	reasonContentHasNoFinalizers = "ContentHasNoFinalizers"
	reasonSomeFinalizersRemain   = "SomeFinalizersRemain"
)

// desiredConditions are the deletion conditions a pass with summary s
// should leave on the namespace. All five types are always present, False
// when all is well, as in Kubernetes. Transition times are left zero.
func desiredConditions(s contentSummary) []corev1.NamespaceCondition {
	cond := func(t corev1.NamespaceConditionType, bad bool, badReason, badMsg, okReason, okMsg string) corev1.NamespaceCondition {
		if bad {
			return corev1.NamespaceCondition{Type: t, Status: corev1.ConditionTrue, Reason: badReason, Message: badMsg}
		}
		return corev1.NamespaceCondition{Type: t, Status: corev1.ConditionFalse, Reason: okReason, Message: okMsg}
	}
	return []corev1.NamespaceCondition{
		cond(corev1.NamespaceDeletionDiscoveryFailure, false, "", "",
			reasonResourcesDiscovered, "All resources successfully discovered"),
		cond(corev1.NamespaceDeletionGVParsingFailure, false, "", "",
			reasonParsedGroupVersions, "All legacy kube types successfully parsed"),
		cond(corev1.NamespaceDeletionContentFailure, len(s.Failures) > 0,
			reasonContentDeletionFailed,
			fmt.Sprintf("Failed to delete all resource types, %d remaining: %s", len(s.Failures), strings.Join(s.Failures, ", ")),
			reasonContentDeleted, "All content successfully deleted, may be waiting on finalization"),
		cond(corev1.NamespaceContentRemaining, len(s.Remaining) > 0,
			reasonSomeResourcesRemain, "Some resources are remaining: "+countList(s.Remaining, "has %d resource instances"),
			reasonContentRemoved, "All content successfully removed"),
		cond(corev1.NamespaceFinalizersRemaining, len(s.Finalizers) > 0,
			reasonSomeFinalizersRemain, "Some content in the namespace has finalizers remaining: "+countList(s.Finalizers, "in %d resource instances"),
			reasonContentHasNoFinalizers, "All content-preserving finalizers finished"),
	}
}

// countList renders "a has 2 resource instances, b has 1 …", sorted by key so
// the message (and thus the status) is stable from pass to pass.
func countList(counts map[string]int, format string) string {
	keys := slices.Sorted(maps.Keys(counts))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + fmt.Sprintf(format, counts[k])
	}
	return strings.Join(parts, ", ")
}

// mergeConditions lays desired over existing. A condition keeps its
// lastTransitionTime while its status does not change; conditions of other
// types are kept as they are. changed reports whether anything differs.
func mergeConditions(existing, desired []corev1.NamespaceCondition, now metav1.Time) ([]corev1.NamespaceCondition, bool) {
	out := make([]corev1.NamespaceCondition, 0, len(existing)+len(desired))
	changed := false
	for _, d := range desired {
		i := slices.IndexFunc(existing, func(c corev1.NamespaceCondition) bool { return c.Type == d.Type })
		switch {
		case i < 0:
			d.LastTransitionTime = now
			changed = true
		case existing[i].Status != d.Status:
			d.LastTransitionTime = now
			changed = true
		default:
			d.LastTransitionTime = existing[i].LastTransitionTime
			if existing[i].Reason != d.Reason || existing[i].Message != d.Message {
				changed = true
			}
		}
		out = append(out, d)
	}
	for _, e := range existing {
		if !slices.ContainsFunc(desired, func(d corev1.NamespaceCondition) bool { return d.Type == e.Type }) {
			out = append(out, e)
		}
	}
	return out, changed
}

// desiredStatus is the status a terminating namespace should have after a
// pass with summary s; changed is false when the current one already says so.
func desiredStatus(current corev1.NamespaceStatus, s contentSummary, now metav1.Time) (corev1.NamespaceStatus, bool) {
	conds, changed := mergeConditions(current.Conditions, desiredConditions(s), now)
	if current.Phase != corev1.NamespaceTerminating {
		changed = true
	}
	return corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating, Conditions: conds}, changed
}
