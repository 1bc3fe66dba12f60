// Package protection is Kubernetes' pvc-protection and pv-protection
// controllers: a claim being deleted keeps its kubernetes.io/pvc-protection
// finalizer (stays Terminating) while a scheduled, not terminated pod uses
// it; a volume keeps kubernetes.io/pv-protection while it is Bound. The API
// server adds both finalizers at creation.
package protection

import (
	"context"
	"errors"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/berth-project/berth/internal/controller/volume/loop"
	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

const volumePrefix = "pv:"

// Controller removes protection finalizers when it is safe.
type Controller struct {
	loop.Base
}

// New builds the controller on factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory) (*Controller, error) {
	c := &Controller{
		Base: loop.NewBase(client, factory, "pvc-protection-controller"),
	}
	c.Sync = c.sync
	podChanged := func(obj any) {
		if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = t.Obj
		}
		if pod, ok := obj.(*corev1.Pod); ok {
			for _, name := range storageutil.PodClaimNames(pod) {
				c.Queue.Add(pod.Namespace + "/" + name)
			}
		}
	}
	err := errors.Join(
		c.Watch(factory.Core().V1().PersistentVolumeClaims().Informer(), c.Handler()),
		c.Watch(factory.Core().V1().PersistentVolumes().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    func(o any) { c.Queue.Add(volumePrefix + o.(*corev1.PersistentVolume).Name) },
			UpdateFunc: func(_, o any) { c.Queue.Add(volumePrefix + o.(*corev1.PersistentVolume).Name) }}),
		c.Watch(factory.Core().V1().Pods().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: podChanged, UpdateFunc: func(_, o any) { podChanged(o) }, DeleteFunc: podChanged}),
	)
	return c, err
}

func (c *Controller) sync(ctx context.Context, key string) error {
	if name, ok := strings.CutPrefix(key, volumePrefix); ok {
		pv, err := c.PVs.Get(name)
		if err != nil || !ReleaseVolume(pv) {
			return nil
		}
		pv = pv.DeepCopy()
		pv.Finalizers = storageutil.WithoutFinalizer(pv.Finalizers, storageutil.PVProtectionFinalizer)
		_, err = c.Client.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{})
		return ignoreNotFound(err)
	}
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	claim, err := c.Claims.PersistentVolumeClaims(ns).Get(name)
	if err != nil {
		return nil
	}
	cached, err := c.Pods.Pods(ns).List(labels.Everything())
	if err != nil || !ReleaseClaim(claim, cached) {
		return err
	}
	// The cache may not have seen a new pod yet: confirm with a live list,
	// as Kubernetes does, before letting the claim go.
	live, err := c.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	pods := make([]*corev1.Pod, 0, len(live.Items))
	for i := range live.Items {
		pods = append(pods, &live.Items[i])
	}
	if !ReleaseClaim(claim, pods) {
		return nil
	}
	claim = claim.DeepCopy()
	claim.Finalizers = storageutil.WithoutFinalizer(claim.Finalizers, storageutil.PVCProtectionFinalizer)
	c.Log.Info("claim no longer in use, removing protection", "claim", key)
	_, err = c.Client.CoreV1().PersistentVolumeClaims(ns).Update(ctx, claim, metav1.UpdateOptions{})
	return ignoreNotFound(err)
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
