package endpointslice

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"
)

// errStaleCache: the informer has not yet shown this controller's own
// writes; acting now could duplicate a slice.
var errStaleCache = errors.New("endpointslice informer cache is behind")

// leaderAnnotation marks Endpoints used as a leader-election lock, which
// have no Service and must not be removed.
const leaderAnnotation = "control-plane.alpha.kubernetes.io/leader"

// sync brings the EndpointSlices and the Endpoints of one Service in line
// with the pods it selects.
func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // not a key we made; nothing to retry
	}
	svc, err := c.services.Services(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return c.cleanup(ctx, key, ns, name)
	}
	if err != nil {
		return err
	}
	if !managed(svc) {
		return nil
	}
	pods, err := c.pods.Pods(ns).List(labels.SelectorFromValidatedSet(svc.Spec.Selector))
	if err != nil {
		return err
	}
	existing, err := c.managedSlices(ns, name)
	if err != nil {
		return err
	}
	if c.tracker.stale(key, existing, c.now()) {
		return errStaleCache
	}
	plan := planSlices(svc, pods, existing, c.zoneOf, c.opts.MaxEndpointsPerSlice)
	errs := []error{c.apply(ctx, key, plan)}
	errs = append(errs, c.syncEndpoints(ctx, svc, pods))
	return errors.Join(errs...)
}

// managedSlices are the cached slices of a Service made by this controller.
func (c *Controller) managedSlices(ns, name string) ([]*discoveryv1.EndpointSlice, error) {
	sel := labels.SelectorFromValidatedSet(labels.Set{
		discoveryv1.LabelServiceName: name,
		discoveryv1.LabelManagedBy:   ControllerName,
	})
	return c.slices.EndpointSlices(ns).List(sel)
}

// zoneOf is the topology zone of a node, "" when unknown.
func (c *Controller) zoneOf(node string) string {
	n, err := c.nodes.Get(node)
	if err != nil {
		return ""
	}
	return n.Labels[corev1.LabelTopologyZone]
}

// apply writes a slice plan: creates and updates before deletes, so that
// consumers never see fewer endpoints than before in between.
func (c *Controller) apply(ctx context.Context, key string, plan slicePlan) error {
	if plan.empty() {
		return nil
	}
	api := c.client.DiscoveryV1()
	var errs []error
	for _, s := range plan.create {
		got, err := api.EndpointSlices(s.Namespace).Create(ctx, s, metav1.CreateOptions{})
		if err != nil {
			if apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
				return nil // nothing can be created there any more
			}
			errs = append(errs, fmt.Errorf("creating slice: %w", err))
			continue
		}
		c.tracker.wrote(key, got, c.now())
	}
	for _, s := range plan.update {
		got, err := api.EndpointSlices(s.Namespace).Update(ctx, s, metav1.UpdateOptions{})
		if err != nil {
			errs = append(errs, fmt.Errorf("updating slice %s: %w", s.Name, err))
			continue
		}
		c.tracker.wrote(key, got, c.now())
	}
	for _, s := range plan.delete {
		err := api.EndpointSlices(s.Namespace).Delete(ctx, s.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting slice %s: %w", s.Name, err))
			continue
		}
		c.tracker.removed(key, s, c.now())
	}
	c.log.Debug("slices written", "service", key, "created", len(plan.create), "updated", len(plan.update), "deleted", len(plan.delete))
	return errors.Join(errs...)
}

// syncEndpoints keeps the legacy Endpoints object of svc.
func (c *Controller) syncEndpoints(ctx context.Context, svc *corev1.Service, pods []*corev1.Pod) error {
	current, err := c.endpoints.Endpoints(svc.Namespace).Get(svc.Name)
	if apierrors.IsNotFound(err) {
		current = nil
	} else if err != nil {
		return err
	}
	want, write := desiredEndpoints(svc, pods, current)
	if !write {
		return nil
	}
	api := c.client.CoreV1().Endpoints(svc.Namespace)
	if current == nil {
		_, err = api.Create(ctx, want, metav1.CreateOptions{})
		if apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			return nil
		}
	} else {
		_, err = api.Update(ctx, want, metav1.UpdateOptions{})
	}
	if err != nil {
		// AlreadyExists and Conflict mean the cache is behind: retried.
		return fmt.Errorf("writing endpoints: %w", err)
	}
	return nil
}

// cleanup removes what a deleted Service leaves: its Endpoints object and
// the slices made for it (the garbage collector would remove those too,
// through their owner reference).
func (c *Controller) cleanup(ctx context.Context, key, ns, name string) error {
	var errs []error
	if ep, err := c.endpoints.Endpoints(ns).Get(name); err == nil && ep.Annotations[leaderAnnotation] == "" {
		err := c.client.CoreV1().Endpoints(ns).Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting endpoints: %w", err))
		}
	}
	existing, err := c.managedSlices(ns, name)
	if err != nil {
		return err
	}
	for _, s := range existing {
		err := c.client.DiscoveryV1().EndpointSlices(ns).Delete(ctx, s.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting slice %s: %w", s.Name, err))
		}
	}
	if len(errs) == 0 {
		c.tracker.forget(key)
	}
	return errors.Join(errs...)
}

// queueLeftovers queues the Endpoints and slices whose Service is gone, so
// that what a Service deleted while the controller was down left is removed.
func (c *Controller) queueLeftovers() {
	eps, err := c.endpoints.List(labels.Everything())
	if err == nil {
		for _, ep := range eps {
			if _, err := c.services.Services(ep.Namespace).Get(ep.Name); apierrors.IsNotFound(err) && ep.Annotations[leaderAnnotation] == "" {
				c.queue.Add(ep.Namespace + "/" + ep.Name)
			}
		}
	}
	sl, err := c.slices.List(labels.SelectorFromValidatedSet(labels.Set{discoveryv1.LabelManagedBy: ControllerName}))
	if err == nil {
		for _, s := range sl {
			c.sliceChanged(s)
		}
	}
}
