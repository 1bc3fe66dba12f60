package garbagecollector

import (
	"encoding/json"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// hasFinalizer reports whether name is among finalizers.
func hasFinalizer(finalizers []string, name string) bool {
	return slices.Contains(finalizers, name)
}

// withoutFinalizer returns finalizers minus name, and whether it was there.
func withoutFinalizer(finalizers []string, name string) ([]string, bool) {
	out := make([]string, 0, len(finalizers))
	for _, f := range finalizers {
		if f != name {
			out = append(out, f)
		}
	}
	return out, len(out) != len(finalizers)
}

// removeOwnerRefs returns refs without the ones pointing at uids, and whether
// anything was removed.
func removeOwnerRefs(refs []metav1.OwnerReference, uids []types.UID) ([]metav1.OwnerReference, bool) {
	out := make([]metav1.OwnerReference, 0, len(refs))
	for _, r := range refs {
		if !slices.Contains(uids, r.UID) {
			out = append(out, r)
		}
	}
	return out, len(out) != len(refs)
}

// unblockOwnerRefs returns refs with every blockOwnerDeletion=true turned to
// false, and whether anything changed.
func unblockOwnerRefs(refs []metav1.OwnerReference) ([]metav1.OwnerReference, bool) {
	out := make([]metav1.OwnerReference, len(refs))
	changed := false
	for i, r := range refs {
		if r.BlockOwnerDeletion != nil && *r.BlockOwnerDeletion {
			f := false
			r.BlockOwnerDeletion = &f
			changed = true
		}
		out[i] = r
	}
	return out, changed
}

// metadataMergePatch builds a JSON merge patch that sets one metadata list
// field. The uid and resourceVersion ride along as preconditions: the API
// server refuses the patch with a conflict if the object was replaced or
// changed since it was read, so a list computed from a stale read never
// overwrites newer data. An empty list is sent as null, which removes the
// field.
func metadataMergePatch(uid types.UID, resourceVersion, field string, value any, empty bool) ([]byte, error) {
	meta := map[string]any{"uid": uid}
	if resourceVersion != "" {
		meta["resourceVersion"] = resourceVersion
	}
	if empty {
		meta[field] = nil
	} else {
		meta[field] = value
	}
	return json.Marshal(map[string]any{"metadata": meta})
}

// ownerRefsPatch replaces metadata.ownerReferences.
func ownerRefsPatch(uid types.UID, resourceVersion string, refs []metav1.OwnerReference) ([]byte, error) {
	return metadataMergePatch(uid, resourceVersion, "ownerReferences", refs, len(refs) == 0)
}

// finalizersPatch replaces metadata.finalizers.
func finalizersPatch(uid types.UID, resourceVersion string, finalizers []string) ([]byte, error) {
	return metadataMergePatch(uid, resourceVersion, "finalizers", finalizers, len(finalizers) == 0)
}
