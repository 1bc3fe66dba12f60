package statefulset

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// retentionPolicy is the set's persistentVolumeClaimRetentionPolicy, Retain
// for whatever is unset.
func retentionPolicy(set *appsv1.StatefulSet) (whenDeleted, whenScaled appsv1.PersistentVolumeClaimRetentionPolicyType) {
	whenDeleted, whenScaled = appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	if p := set.Spec.PersistentVolumeClaimRetentionPolicy; p != nil {
		if p.WhenDeleted != "" {
			whenDeleted = p.WhenDeleted
		}
		if p.WhenScaled != "" {
			whenScaled = p.WhenScaled
		}
	}
	return whenDeleted, whenScaled
}

// claimOwnerRefs returns the ownerReferences a claim of the pod of ordinal
// should carry under the set's retention policy, starting from refs (others'
// references stay). As in Kubernetes:
//
//   - whenDeleted Delete: a reference to the set, so the garbage collector
//     deletes the claim with it — except for a condemned ordinal under
//     whenScaled Delete, whose claim goes with its pod instead;
//   - whenScaled Delete: a condemned ordinal's claim gets a reference to its
//     pod (pod non-nil), which the controller then deletes;
//   - otherwise neither reference.
//
// References are plain (not controller) ones: the claim outlives a pod that
// is merely recreated.
func claimOwnerRefs(set *appsv1.StatefulSet, refs []metav1.OwnerReference, ordinal int, pod *corev1.Pod) []metav1.OwnerReference {
	whenDeleted, whenScaled := retentionPolicy(set)
	condemned := !inRange(set, ordinal)
	scaleDelete := whenScaled == appsv1.DeletePersistentVolumeClaimRetentionPolicyType && condemned
	wantSet := whenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType && !scaleDelete
	wantPod := scaleDelete && pod != nil && pod.UID != ""

	out := slices.DeleteFunc(slices.Clone(refs), func(r metav1.OwnerReference) bool {
		return r.UID == set.UID || (pod != nil && pod.UID != "" && r.UID == pod.UID)
	})
	if wantSet {
		out = append(out, metav1.OwnerReference{APIVersion: controllerKind.GroupVersion().String(), Kind: controllerKind.Kind, Name: set.Name, UID: set.UID})
	}
	if wantPod {
		out = append(out, metav1.OwnerReference{APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID})
	}
	return out
}

// sameRefs: two reference lists name the same owners (order aside).
func sameRefs(a, b []metav1.OwnerReference) bool {
	if len(a) != len(b) {
		return false
	}
	for _, r := range a {
		if !slices.ContainsFunc(b, func(o metav1.OwnerReference) bool { return o.UID == r.UID }) {
			return false
		}
	}
	return true
}

// staleClaim: the claim is owned by a pod (a scaled-down one under
// whenScaled Delete) other than p, so the garbage collector is about to
// delete it; the pod must wait for it to go and get a fresh claim, as
// Kubernetes does, rather than be started on a volume being deleted.
func staleClaim(claim *corev1.PersistentVolumeClaim, p *corev1.Pod) bool {
	for _, r := range claim.OwnerReferences {
		if r.Kind == "Pod" && r.APIVersion == "v1" && (p == nil || r.UID != p.UID) {
			return true
		}
	}
	return false
}
