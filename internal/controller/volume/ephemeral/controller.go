// Package ephemeral is Kubernetes' ephemeral-volume controller: for each
// generic ephemeral volume of a pod it creates the claim "<pod>-<volume>"
// from the volume's template, owned by the pod (the garbage collector
// removes it with the pod). A claim of that name that the pod does not own
// is left alone; the pod then stays pending (the scheduler says why).
package ephemeral

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/berth-project/berth/internal/controller/volume/loop"
)

// ReasonFailedCreate is recorded on the pod when its claim cannot be made.
const ReasonFailedCreate = "FailedCreate"

// Controller creates ephemeral claims.
type Controller struct {
	loop.Base
}

// New builds the controller on factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory) (*Controller, error) {
	c := &Controller{
		Base: loop.NewBase(client, factory, "ephemeral-volume-controller"),
	}
	c.Sync = c.sync
	claimGone := func(obj any) {
		if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = t.Obj
		}
		if claim, ok := obj.(*corev1.PersistentVolumeClaim); ok {
			if ref := metav1.GetControllerOf(claim); ref != nil && ref.Kind == "Pod" {
				c.Queue.Add(claim.Namespace + "/" + ref.Name)
			}
		}
	}
	err := errors.Join(
		c.Watch(factory.Core().V1().Pods().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: c.Enqueue, UpdateFunc: func(_, o any) { c.Enqueue(o) }}),
		c.Watch(factory.Core().V1().PersistentVolumeClaims().Informer(), cache.ResourceEventHandlerFuncs{DeleteFunc: claimGone}),
	)
	return c, err
}

func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	pod, err := c.Pods.Pods(ns).Get(name)
	if err != nil || pod.DeletionTimestamp != nil {
		return nil
	}
	var errs []error
	for _, want := range ClaimsFor(pod) {
		if have, err := c.Claims.PersistentVolumeClaims(ns).Get(want.Name); err == nil {
			if err := OwnedBy(have, pod); err != nil {
				c.Log.Info("ephemeral claim name taken", "pod", key, "err", err)
			}
			continue
		}
		_, err := c.Client.CoreV1().PersistentVolumeClaims(ns).Create(ctx, want, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			c.Recorder.Eventf(pod, corev1.EventTypeWarning, ReasonFailedCreate, "PVC %s creation failed: %v", want.Name, err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
