package garbagecollector

import (
	"context"
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// sync handles one object: the owner work its own deletion needs, or the
// dependent work its ownerReferences need.
func (c *Controller) sync(ctx context.Context, uid types.UID) error {
	n, ok := c.graph.get(uid)
	if !ok {
		return nil
	}
	if n.deleting {
		if n.hasOwnerWork() {
			return c.syncOwner(ctx, n)
		}
		// Already on its way out; nothing for the collector to add.
		return nil
	}
	if len(n.owners) == 0 {
		return nil
	}
	return c.syncDependent(ctx, n)
}

// syncOwner carries out orphan and foreground deletion for an owner.
func (c *Controller) syncOwner(ctx context.Context, n node) error {
	act := decideOwner(ownerInput{
		Deleting:   n.deleting,
		Finalizers: n.finalizers,
		Dependents: c.graph.dependentViews(n.ref.UID, n.ref.Namespace),
	})
	var errs []error
	if act.RemoveOrphanFinalizer {
		failed := false
		for _, dep := range act.Orphan {
			if err := c.removeRefsFrom(ctx, dep, []types.UID{n.ref.UID}); err != nil {
				errs = append(errs, err)
				failed = true
			}
		}
		// The finalizer only goes once no dependent points at the owner any
		// more; otherwise the owner's removal would make them dangle and the
		// collector would delete what the user asked to keep.
		if !failed {
			errs = append(errs, c.removeFinalizer(ctx, n.ref, metav1.FinalizerOrphanDependents))
		}
	}
	for _, dep := range act.Collect {
		c.queue.Add(dep)
	}
	if act.RemoveForegroundFinalizer {
		errs = append(errs, c.removeFinalizer(ctx, n.ref, metav1.FinalizerDeleteDependents))
	}
	return errors.Join(errs...)
}

// syncDependent deletes the object or trims its ownerReferences when owners
// are gone or deleting in the foreground.
func (c *Controller) syncDependent(ctx context.Context, n node) error {
	// While the graph vouches for every owner there is nothing to do and no
	// reason to call the API.
	attention := false
	for _, r := range n.owners {
		if s, known := c.graph.ownerState(r, n.ref.Namespace); !known || s != ownerSolid {
			attention = true
			break
		}
	}
	if !attention {
		return nil
	}
	// Decide on the live object: the informer copy may be stale.
	live, err := c.getLive(ctx, n.ref.Resource.GVR, n.ref.Namespace, n.ref.Name)
	if err != nil {
		return err
	}
	if live == nil || live.UID != n.ref.UID || live.DeletionTimestamp != nil || len(live.OwnerReferences) == 0 {
		return nil
	}
	states := make(map[types.UID]ownerState, len(live.OwnerReferences))
	for _, r := range live.OwnerReferences {
		s, err := c.ownerState(ctx, r, n.ref.Namespace)
		if err != nil {
			return err
		}
		states[r.UID] = s
	}
	hasDeps, depWaiting := c.graph.dependentsSummary(n.ref.UID, n.ref.Namespace)
	act := decideDependent(dependentInput{
		Owners:                      live.OwnerReferences,
		States:                      states,
		Finalizers:                  live.Finalizers,
		HasDependents:               hasDeps,
		DependentDeletingDependents: depWaiting,
	})
	log := c.log.With("resource", n.ref.Resource.GVR.Resource, "namespace", n.ref.Namespace, "name", n.ref.Name, "uid", n.ref.UID)
	switch act.Kind {
	case actRemoveRefs:
		refs, _ := removeOwnerRefs(live.OwnerReferences, act.RemoveUIDs)
		log.Info("removing references to absent or deleting owners", "owners", act.RemoveUIDs)
		return c.patchOwnerRefs(ctx, n.ref, live, refs)
	case actDelete:
		if act.Unblock {
			if refs, changed := unblockOwnerRefs(live.OwnerReferences); changed {
				if err := c.patchOwnerRefs(ctx, n.ref, live, refs); err != nil {
					return err
				}
			}
		}
		log.Info("deleting object whose owners are gone or deleting", "propagationPolicy", act.Policy)
		return c.deleteObject(ctx, n.ref, act.Policy)
	}
	return nil
}

// ownerState classifies one reference of a dependent in depNamespace. The
// graph may vouch that an owner exists; absence is only ever concluded from a
// live GET, because informers lag behind the API.
func (c *Controller) ownerState(ctx context.Context, ref metav1.OwnerReference, depNamespace string) (ownerState, error) {
	if s, known := c.graph.ownerState(ref, depNamespace); known && s == ownerSolid {
		return ownerSolid, nil
	}
	res, ok := c.kinds.lookup(ref.APIVersion, ref.Kind)
	if !ok {
		c.log.Debug("owner kind not watched; reference treated as unresolvable", "apiVersion", ref.APIVersion, "kind", ref.Kind)
		return ownerSolid, nil
	}
	ns, ok := ownerLookupNamespace(res, depNamespace)
	if !ok {
		c.log.Debug("cluster-scoped dependent names namespaced owner; unresolvable", "kind", ref.Kind, "name", ref.Name)
		return ownerSolid, nil
	}
	if c.absent.has(ref.UID, ns) {
		return ownerDangling, nil
	}
	live, err := c.getLive(ctx, res.GVR, ns, ref.Name)
	if err != nil {
		return ownerSolid, err
	}
	s := liveOwnerState(ref, live)
	if s == ownerDangling {
		c.absent.add(ref.UID, ns)
	}
	return s, nil
}

// getLive GETs an object's metadata; nil (and no error) means NotFound.
func (c *Controller) getLive(ctx context.Context, gvr schema.GroupVersionResource, ns, name string) (*metav1.PartialObjectMetadata, error) {
	m, err := c.client.Resource(gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return m, err
}

// removeRefsFrom strips the references to owners from the dependent depUID.
func (c *Controller) removeRefsFrom(ctx context.Context, depUID types.UID, owners []types.UID) error {
	d, ok := c.graph.get(depUID)
	if !ok {
		return nil
	}
	live, err := c.getLive(ctx, d.ref.Resource.GVR, d.ref.Namespace, d.ref.Name)
	if err != nil || live == nil || live.UID != depUID {
		return err
	}
	refs, changed := removeOwnerRefs(live.OwnerReferences, owners)
	if !changed {
		return nil
	}
	c.log.Info("orphaning dependent", "resource", d.ref.Resource.GVR.Resource, "namespace", d.ref.Namespace, "name", d.ref.Name, "owners", owners)
	return c.patchOwnerRefs(ctx, d.ref, live, refs)
}

// patchOwnerRefs writes refs as the object's ownerReferences, conditional on
// the live copy they were computed from.
func (c *Controller) patchOwnerRefs(ctx context.Context, ref objectRef, live *metav1.PartialObjectMetadata, refs []metav1.OwnerReference) error {
	data, err := ownerRefsPatch(live.UID, live.ResourceVersion, refs)
	if err != nil {
		return err
	}
	_, err = c.client.Resource(ref.Resource.GVR).Namespace(ref.Namespace).Patch(ctx, ref.Name, types.MergePatchType, data, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// removeFinalizer drops one of the collector's finalizers from an owner,
// conditional on the live copy it read.
func (c *Controller) removeFinalizer(ctx context.Context, ref objectRef, finalizer string) error {
	live, err := c.getLive(ctx, ref.Resource.GVR, ref.Namespace, ref.Name)
	if err != nil || live == nil || live.UID != ref.UID {
		return err
	}
	fins, changed := withoutFinalizer(live.Finalizers, finalizer)
	if !changed {
		return nil
	}
	data, err := finalizersPatch(live.UID, live.ResourceVersion, fins)
	if err != nil {
		return err
	}
	c.log.Info("removing finalizer", "finalizer", finalizer, "resource", ref.Resource.GVR.Resource, "namespace", ref.Namespace, "name", ref.Name)
	_, err = c.client.Resource(ref.Resource.GVR).Namespace(ref.Namespace).Patch(ctx, ref.Name, types.MergePatchType, data, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// deleteObject deletes the object with the given propagation, only if it is
// still the object (by UID) that was decided on.
func (c *Controller) deleteObject(ctx context.Context, ref objectRef, policy metav1.DeletionPropagation) error {
	uid := ref.UID
	err := c.client.Resource(ref.Resource.GVR).Namespace(ref.Namespace).Delete(ctx, ref.Name, metav1.DeleteOptions{
		PropagationPolicy: &policy,
		Preconditions:     &metav1.Preconditions{UID: &uid},
	})
	// NotFound: already gone. Conflict: the UID precondition failed, a new
	// object took the name; it is not ours to delete.
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}
