package namespace

import (
	"context"
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
)

// deleteContent runs one pass over the namespace: each phase's resources are
// asked to delete their objects and counted again; a later phase only starts
// once an earlier one is empty.
func (c *Controller) deleteContent(ctx context.Context, namespace string) []resourceResult {
	var results []resourceResult
	for _, phase := range deletionPhases(c.resources) {
		done := true
		for _, gvr := range phase {
			r := c.purge(ctx, gvr, namespace)
			results = append(results, r)
			if r.Remaining > 0 || r.Err != nil {
				done = false
			}
		}
		if !done {
			break
		}
	}
	return results
}

// purge deletes every object of one resource in the namespace and reports
// what is left. Background propagation lets the garbage collector take care
// of dependents without holding anything up here.
func (c *Controller) purge(ctx context.Context, gvr schema.GroupVersionResource, namespace string) resourceResult {
	res := resourceResult{Resource: gvr.GroupResource()}
	client := c.meta.Resource(gvr).Namespace(namespace)
	background := metav1.DeletePropagationBackground
	opts := metav1.DeleteOptions{PropagationPolicy: &background}

	err := client.DeleteCollection(ctx, opts, metav1.ListOptions{})
	if apierrors.IsMethodNotSupported(err) || apierrors.IsNotFound(err) {
		err = c.deleteEach(ctx, client, opts)
	}
	res.Err = err

	// Count what is left, the way a client would see it now.
	list, err := client.List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
		// Not served (or not listable): nothing of it can be in the
		// namespace.
		return resourceResult{Resource: res.Resource}
	}
	if err != nil {
		res.Err = errors.Join(res.Err, err)
		return res
	}
	for _, item := range list.Items {
		res.Remaining++
		for _, f := range item.Finalizers {
			if res.Finalizers == nil {
				res.Finalizers = map[string]int{}
			}
			res.Finalizers[f]++
		}
	}
	return res
}

// deleteEach is the fallback for resources without DeleteCollection: one
// DELETE per object not yet terminating, each guarded by its UID so a new
// object that took the name meanwhile is spared.
func (c *Controller) deleteEach(ctx context.Context, client metadata.ResourceInterface, opts metav1.DeleteOptions) error {
	list, err := client.List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, item := range list.Items {
		if item.DeletionTimestamp != nil {
			continue
		}
		uid := item.UID
		o := opts
		o.Preconditions = &metav1.Preconditions{UID: &uid}
		err := client.Delete(ctx, item.Name, o)
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
