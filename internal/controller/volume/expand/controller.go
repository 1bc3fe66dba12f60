// Package expand is the server side of online volume expansion (the
// external-resizer's part): when a Bound claim of an expandable class asks
// for more than status.capacity, the volume's spec.capacity grows (if its
// node has room) and the claim gets FileSystemResizePending; the node agent
// grows the file and filesystem and records the new capacity.
package expand

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/berth-project/berth/internal/controller/volume/loop"
	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// Event reasons of Kubernetes' external-resizer.
const (
	ReasonResizing                 = "Resizing"
	ReasonVolumeResizeFailed       = "VolumeResizeFailed"
	ReasonFileSystemResizeRequired = "FileSystemResizeRequired"
	ReasonVolumeResizeSuccessful   = "VolumeResizeSuccessful"
)

// Controller expands volumes.
type Controller struct {
	loop.Base
}

// New builds the controller on factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory) (*Controller, error) {
	c := &Controller{
		Base: loop.NewBase(client, factory, "external-resizer berth.dev"),
	}
	c.Sync = c.sync
	err := errors.Join(
		c.Watch(factory.Core().V1().PersistentVolumeClaims().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: c.Enqueue, UpdateFunc: func(_, o any) { c.Enqueue(o) }}),
		c.Watch(factory.Core().V1().PersistentVolumes().Informer(), cache.ResourceEventHandlerFuncs{}),
		c.Watch(factory.Core().V1().Nodes().Informer(), cache.ResourceEventHandlerFuncs{}),
		c.Watch(factory.Storage().V1().StorageClasses().Informer(), cache.ResourceEventHandlerFuncs{}),
	)
	return c, err
}

func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	claim, err := c.Claims.PersistentVolumeClaims(ns).Get(name)
	if err != nil || claim.Spec.VolumeName == "" {
		return nil
	}
	pv, _ := c.PVs.Get(claim.Spec.VolumeName)
	var class *storagev1.StorageClass
	if cn := storageutil.ClaimClass(claim); cn != "" {
		class, _ = c.Classes.Get(cn)
	}
	var node *corev1.Node
	if pv != nil {
		node, _ = c.Nodes.Get(storageutil.ProvisionedNode(pv))
	}
	pvs, _ := c.PVs.List(labels.Everything())
	plan, err := PlanExpansion(claim, pv, class, node, pvs)
	if err != nil {
		c.Recorder.Event(claim, corev1.EventTypeWarning, ReasonVolumeResizeFailed, err.Error())
		return nil // retried when the claim changes
	}
	if !plan.Wanted {
		return nil
	}
	size := storageutil.VolumeSize(pv)
	if !plan.NewSize.IsZero() {
		c.Recorder.Eventf(claim, corev1.EventTypeNormal, ReasonResizing, "External resizer is resizing volume %s", pv.Name)
		pv = pv.DeepCopy()
		pv.Spec.Capacity[corev1.ResourceStorage] = plan.NewSize
		if _, err := c.Client.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{}); err != nil {
			if apierrors.IsNotFound(err) {
				return nil
			}
			c.Recorder.Event(claim, corev1.EventTypeWarning, ReasonVolumeResizeFailed, err.Error())
			return err
		}
		size = plan.NewSize
		if plan.NodeResize {
			c.Recorder.Event(claim, corev1.EventTypeNormal, ReasonFileSystemResizeRequired, "Require file system resize of volume on node")
		} else {
			c.Recorder.Eventf(claim, corev1.EventTypeNormal, ReasonVolumeResizeSuccessful, "Resize volume succeeded")
		}
	}
	st := ExpandedStatus(claim, plan, size)
	if equality.Semantic.DeepEqual(st, claim.Status) {
		return nil
	}
	claim = claim.DeepCopy()
	claim.Status = st
	_, err = c.Client.CoreV1().PersistentVolumeClaims(ns).UpdateStatus(ctx, claim, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
