package namespace

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// sync runs one deletion pass for the namespace. done is true when there is
// nothing more to do for it: finalized, gone, or not being deleted.
func (c *Controller) sync(ctx context.Context, name string) (done bool, err error) {
	// Read live: the finalize call must carry the current resourceVersion,
	// and a stale cache could finalize a namespace twice.
	ns, err := c.client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if !needsFinalizing(ns) {
		return true, nil
	}

	summary := summarize(c.deleteContent(ctx, name))
	status, changed := desiredStatus(ns.Status, summary, metav1.NewTime(c.now()))
	if changed {
		ns = ns.DeepCopy()
		ns.Status = status
		ns, err = c.client.CoreV1().Namespaces().UpdateStatus(ctx, ns, metav1.UpdateOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("updating status: %w", err)
		}
	}
	if !summary.empty() {
		c.log.Debug("content remaining", "namespace", name, "remaining", summary.Remaining, "failures", summary.Failures)
		return false, nil
	}

	ns = ns.DeepCopy()
	ns.Spec.Finalizers = withoutKubernetesFinalizer(ns.Spec.Finalizers)
	if _, err := c.client.CoreV1().Namespaces().Finalize(ctx, ns, metav1.UpdateOptions{}); err != nil {
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, fmt.Errorf("finalizing: %w", err)
	}
	c.log.Info("namespace emptied and finalized", "namespace", name)
	return true, nil
}
