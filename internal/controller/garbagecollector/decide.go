package garbagecollector

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// ownerState is what one ownerReference means for its dependent.
type ownerState int

const (
	// ownerSolid: the owner exists (or cannot be resolved, which must never
	// lead to a deletion) and keeps the dependent alive.
	ownerSolid ownerState = iota
	// ownerDangling: the owner was verified absent, or a different object
	// now carries its name.
	ownerDangling
	// ownerWaiting: the owner exists but is being deleted in the foreground,
	// so it is waiting for its dependents to go.
	ownerWaiting
)

func (s ownerState) String() string {
	switch s {
	case ownerSolid:
		return "solid"
	case ownerDangling:
		return "dangling"
	case ownerWaiting:
		return "waitingForDependentsDeletion"
	}
	return "unknown"
}

// liveOwnerState classifies an owner from a live GET of its name; live is nil
// when the GET answered NotFound. The UID comparison matters: a new object
// created under the old owner's name is not the owner.
func liveOwnerState(ref metav1.OwnerReference, live *metav1.PartialObjectMetadata) ownerState {
	if live == nil || live.UID != ref.UID {
		return ownerDangling
	}
	return existingOwnerState(live.DeletionTimestamp != nil, live.Finalizers)
}

// existingOwnerState classifies an owner known to exist.
func existingOwnerState(deleting bool, finalizers []string) ownerState {
	if deleting && hasFinalizer(finalizers, metav1.FinalizerDeleteDependents) {
		return ownerWaiting
	}
	return ownerSolid
}

// ownerLookupNamespace says in which namespace to look for the owner of a
// dependent living in depNamespace. ok is false when the reference cannot be
// resolved: a cluster-scoped dependent naming a namespaced owner kind.
func ownerLookupNamespace(owner Resource, depNamespace string) (ns string, ok bool) {
	if !owner.Namespaced {
		return "", true
	}
	if depNamespace == "" {
		return "", false
	}
	return depNamespace, true
}

// actionKind is what to do with a dependent.
type actionKind int

const (
	actNone actionKind = iota
	actRemoveRefs
	actDelete
)

// dependentAction is the decision for one dependent.
type dependentAction struct {
	Kind actionKind
	// RemoveUIDs are the owners whose references are stripped (actRemoveRefs).
	RemoveUIDs []types.UID
	// Policy is the propagation policy of the DELETE (actDelete).
	Policy metav1.DeletionPropagation
	// Unblock asks to clear blockOwnerDeletion on the dependent's references
	// before deleting it; it breaks a cycle of foreground deletions that would
	// otherwise wait on each other forever.
	Unblock bool
}

// dependentInput is the observed state decideDependent works from.
type dependentInput struct {
	Owners []metav1.OwnerReference
	// States classifies each owner by UID; an owner missing here is solid.
	States     map[types.UID]ownerState
	Finalizers []string
	// HasDependents: the dependent owns objects itself.
	HasDependents bool
	// DependentDeletingDependents: one of those objects is itself waiting
	// for its dependents (a foreground chain that loops back).
	DependentDeletingDependents bool
}

// decideDependent decides what to do with a live, not-yet-deleting object that
// has ownerReferences, following the Kubernetes garbage collector:
//   - an object with at least one solid owner stays; references to absent
//     owners and to owners deleting in the foreground are removed so they
//     neither dangle nor block;
//   - an object whose owners are all absent or foreground-deleting is deleted.
//     When an owner waits on it and it has dependents of its own it is deleted
//     in the foreground, so the wait extends down the whole chain; otherwise
//     with the policy its own finalizers ask for, background by default.
func decideDependent(in dependentInput) dependentAction {
	if len(in.Owners) == 0 {
		return dependentAction{Kind: actNone}
	}
	var solid, dangling, waiting []types.UID
	for _, ref := range in.Owners {
		switch in.States[ref.UID] {
		case ownerDangling:
			dangling = append(dangling, ref.UID)
		case ownerWaiting:
			waiting = append(waiting, ref.UID)
		default:
			solid = append(solid, ref.UID)
		}
	}
	switch {
	case len(solid) > 0:
		if len(dangling) == 0 && len(waiting) == 0 {
			return dependentAction{Kind: actNone}
		}
		return dependentAction{Kind: actRemoveRefs, RemoveUIDs: append(dangling, waiting...)}
	case len(waiting) > 0 && in.HasDependents:
		return dependentAction{
			Kind:    actDelete,
			Policy:  metav1.DeletePropagationForeground,
			Unblock: in.DependentDeletingDependents,
		}
	default:
		return dependentAction{Kind: actDelete, Policy: policyFromFinalizers(in.Finalizers)}
	}
}

// policyFromFinalizers keeps the propagation an object already asked for.
func policyFromFinalizers(finalizers []string) metav1.DeletionPropagation {
	switch {
	case hasFinalizer(finalizers, metav1.FinalizerOrphanDependents):
		return metav1.DeletePropagationOrphan
	case hasFinalizer(finalizers, metav1.FinalizerDeleteDependents):
		return metav1.DeletePropagationForeground
	default:
		return metav1.DeletePropagationBackground
	}
}

// dependentView is what an owner's decision needs to know of one dependent.
type dependentView struct {
	UID types.UID
	// Ref is the dependent's reference to the owner being decided.
	Ref metav1.OwnerReference
	// Deleting: the dependent has a deletionTimestamp.
	Deleting bool
	// WaitsForDependents: the dependent is itself deleting in the foreground.
	WaitsForDependents bool
	// InScope is false for a dependent in another namespace than its
	// namespaced owner: such a reference does not count as ownership.
	InScope bool
}

// ownerInput is the observed state decideOwner works from.
type ownerInput struct {
	Deleting   bool
	Finalizers []string
	Dependents []dependentView
}

// ownerAction is the decision for an owner that is being deleted.
type ownerAction struct {
	// Orphan lists dependents whose reference to the owner is removed.
	Orphan []types.UID
	// RemoveOrphanFinalizer: drop "orphan" once every Orphan patch succeeded.
	RemoveOrphanFinalizer bool
	// Collect lists dependents to process now: the owner waits on them, so
	// they are to be deleted.
	Collect []types.UID
	// RemoveForegroundFinalizer: no blocking dependent is left, the owner
	// may go.
	RemoveForegroundFinalizer bool
}

// decideOwner decides the work an owner's own deletion requires.
func decideOwner(in ownerInput) ownerAction {
	var act ownerAction
	if !in.Deleting {
		return act
	}
	if hasFinalizer(in.Finalizers, metav1.FinalizerOrphanDependents) {
		// A dependent in another namespace never was owned; its reference
		// is left to dangle (and be collected) as any invalid one.
		for _, d := range in.Dependents {
			if d.InScope {
				act.Orphan = append(act.Orphan, d.UID)
			}
		}
		act.RemoveOrphanFinalizer = true
	}
	if hasFinalizer(in.Finalizers, metav1.FinalizerDeleteDependents) {
		blocking := 0
		for _, d := range in.Dependents {
			if !d.InScope {
				continue
			}
			if d.Ref.BlockOwnerDeletion != nil && *d.Ref.BlockOwnerDeletion {
				blocking++
			}
			if !d.Deleting {
				act.Collect = append(act.Collect, d.UID)
			}
		}
		act.RemoveForegroundFinalizer = blocking == 0
	}
	return act
}
