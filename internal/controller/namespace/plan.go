package namespace

import (
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// podsResource is deleted before everything else.
var podsResource = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// deletionPhases splits the resources into the order they are emptied in:
// pods first, then the rest once no pod is left. A phase is never empty; the
// input order is kept within the second phase.
func deletionPhases(resources []schema.GroupVersionResource) [][]schema.GroupVersionResource {
	var first, rest []schema.GroupVersionResource
	for _, r := range resources {
		if r.GroupResource() == podsResource.GroupResource() {
			first = append(first, r)
		} else {
			rest = append(rest, r)
		}
	}
	var phases [][]schema.GroupVersionResource
	for _, p := range [][]schema.GroupVersionResource{first, rest} {
		if len(p) > 0 {
			phases = append(phases, p)
		}
	}
	return phases
}

// needsFinalizing: the namespace is being deleted and still carries this
// controller's finalizer.
func needsFinalizing(ns *corev1.Namespace) bool {
	return ns.DeletionTimestamp != nil && slices.Contains(ns.Spec.Finalizers, corev1.FinalizerKubernetes)
}

// withoutKubernetesFinalizer returns spec.finalizers minus "kubernetes".
func withoutKubernetesFinalizer(finalizers []corev1.FinalizerName) []corev1.FinalizerName {
	out := make([]corev1.FinalizerName, 0, len(finalizers))
	for _, f := range finalizers {
		if f != corev1.FinalizerKubernetes {
			out = append(out, f)
		}
	}
	return out
}

// Re-check delays while content remains: start quickly (most objects go at
// once, pods within their grace period), then back off to a steady poll.
const (
	recheckMin = 250 * time.Millisecond
	recheckMax = 5 * time.Second
)
