package podutil

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// ClaimAction is what a controller does with an object its selector may
// cover (Kubernetes' ControllerRefManager rule).
type ClaimAction int

const (
	// Ignore: controlled by someone else, or an orphan the controller may
	// not take (not matching, terminating, or the controller is being
	// deleted), or an owned object it may not release right now.
	Ignore ClaimAction = iota
	// Keep: already controlled by this owner and still matching.
	Keep
	// Adopt: a matching orphan; patch in a controller reference.
	Adopt
	// Release: controlled by this owner but no longer matching; patch the
	// reference out.
	Release
)

func (a ClaimAction) String() string {
	return [...]string{"Ignore", "Keep", "Adopt", "Release"}[a]
}

// Claim decides what owner does with obj, given whether owner's selector
// matches obj. An owned object that matches is kept even while terminating;
// a controller being deleted neither adopts nor releases.
func Claim(owner, obj metav1.Object, matches bool) ClaimAction {
	if ref := metav1.GetControllerOfNoCopy(obj); ref != nil {
		switch {
		case ref.UID != owner.GetUID():
			return Ignore
		case matches:
			return Keep
		case owner.GetDeletionTimestamp() != nil:
			return Ignore
		default:
			return Release
		}
	}
	if !matches || owner.GetDeletionTimestamp() != nil || obj.GetDeletionTimestamp() != nil ||
		owner.GetNamespace() != obj.GetNamespace() {
		return Ignore
	}
	return Adopt
}

// NewControllerRef is the reference a controller puts on what it creates or
// adopts: controller and blockOwnerDeletion both true, so foreground
// deletion of the owner waits for it.
func NewControllerRef(owner metav1.Object, gvk schema.GroupVersionKind) metav1.OwnerReference {
	yes := true
	return metav1.OwnerReference{
		APIVersion:         gvk.GroupVersion().String(),
		Kind:               gvk.Kind,
		Name:               owner.GetName(),
		UID:                owner.GetUID(),
		Controller:         &yes,
		BlockOwnerDeletion: &yes,
	}
}

// AdoptPatch is the JSON merge patch that adds ref to obj's
// ownerReferences. Merge patches replace lists whole, so the patch carries
// the full list, the object's UID (it must not land on a re-created object
// of the same name) and, when known, its resourceVersion (a concurrent
// change of the list makes it fail with a conflict instead of being lost).
func AdoptPatch(obj metav1.Object, ref metav1.OwnerReference) ([]byte, error) {
	refs := append(append([]metav1.OwnerReference(nil), obj.GetOwnerReferences()...), ref)
	return ownerRefsPatch(obj, refs)
}

// ReleasePatch is the JSON merge patch that removes the references to
// ownerUID from obj's ownerReferences (see AdoptPatch for its guards).
func ReleasePatch(obj metav1.Object, ownerUID types.UID) ([]byte, error) {
	var refs []metav1.OwnerReference
	for _, r := range obj.GetOwnerReferences() {
		if r.UID != ownerUID {
			refs = append(refs, r)
		}
	}
	return ownerRefsPatch(obj, refs)
}

func ownerRefsPatch(obj metav1.Object, refs []metav1.OwnerReference) ([]byte, error) {
	md := map[string]any{"uid": obj.GetUID()}
	if refs == nil {
		md["ownerReferences"] = nil // merge patch: null removes the field
	} else {
		md["ownerReferences"] = refs
	}
	if rv := obj.GetResourceVersion(); rv != "" {
		md["resourceVersion"] = rv
	}
	return json.Marshal(map[string]any{"metadata": md})
}

// IsControlledBy: obj's controller reference points at the object with uid.
func IsControlledBy(obj metav1.Object, uid types.UID) bool {
	ref := metav1.GetControllerOfNoCopy(obj)
	return ref != nil && ref.UID == uid
}
