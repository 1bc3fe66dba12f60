// Package binder is berth's persistentvolume controller: it binds claims to
// volumes (pre-bound, else the smallest fit), keeps the phases of both,
// points claims at a provisioner when no volume fits, and reclaims volumes
// whose claim is gone (Retain: Released; Delete: the PV object of a volume
// we provisioned is deleted, the node agent's finalizer then removes the
// storage). Decisions are DecideClaim and DecideVolume; this file is I/O.
package binder

import (
	"context"
	"errors"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/berth-project/berth/internal/controller/volume/loop"
	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// Component is the event source, as Kubernetes names it.
const Component = "persistentvolume-controller"

const (
	claimPrefix  = "claim:"
	volumePrefix = "volume:"
)

// Controller binds claims and volumes.
type Controller struct {
	loop.Base
}

// New builds the controller on factory's informers (the caller starts it).
func New(client kubernetes.Interface, factory informers.SharedInformerFactory) (*Controller, error) {
	c := &Controller{
		Base: loop.NewBase(client, factory, Component),
	}
	c.Sync = c.sync
	err := errors.Join(
		c.Watch(factory.Core().V1().PersistentVolumeClaims().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: c.claimChanged, UpdateFunc: func(_, o any) { c.claimChanged(o) }, DeleteFunc: c.claimChanged}),
		c.Watch(factory.Core().V1().PersistentVolumes().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: c.volumeChanged, UpdateFunc: func(_, o any) { c.volumeChanged(o) }, DeleteFunc: c.volumeChanged}),
		c.Watch(factory.Storage().V1().StorageClasses().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: func(any) { c.enqueueUnbound() }, UpdateFunc: func(_, _ any) { c.enqueueUnbound() }}),
	)
	return c, err
}

func tombstone(obj any) any {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return t.Obj
	}
	return obj
}

func (c *Controller) claimChanged(obj any) {
	claim, ok := tombstone(obj).(*corev1.PersistentVolumeClaim)
	if !ok {
		return
	}
	c.Queue.Add(claimPrefix + claim.Namespace + "/" + claim.Name)
	if claim.Spec.VolumeName != "" {
		c.Queue.Add(volumePrefix + claim.Spec.VolumeName)
	}
	// Volumes bound to a deleted claim are found through their claimRef.
	for _, pv := range c.listVolumes() {
		if ref := pv.Spec.ClaimRef; ref != nil && ref.Namespace == claim.Namespace && ref.Name == claim.Name {
			c.Queue.Add(volumePrefix + pv.Name)
		}
	}
}

func (c *Controller) volumeChanged(obj any) {
	pv, ok := tombstone(obj).(*corev1.PersistentVolume)
	if !ok {
		return
	}
	c.Queue.Add(volumePrefix + pv.Name)
	if ref := pv.Spec.ClaimRef; ref != nil {
		c.Queue.Add(claimPrefix + ref.Namespace + "/" + ref.Name)
	}
	c.enqueueUnbound() // a new or freed volume may fit a waiting claim
}

func (c *Controller) enqueueUnbound() {
	claims, _ := c.Claims.List(labels.Everything())
	for _, cl := range claims {
		if cl.Status.Phase != corev1.ClaimBound {
			c.Queue.Add(claimPrefix + cl.Namespace + "/" + cl.Name)
		}
	}
}

func (c *Controller) listVolumes() []*corev1.PersistentVolume {
	pvs, _ := c.PVs.List(labels.Everything())
	return pvs
}

func (c *Controller) sync(ctx context.Context, key string) error {
	if name, ok := strings.CutPrefix(key, volumePrefix); ok {
		return c.syncVolume(ctx, name)
	}
	ns, name, err := cache.SplitMetaNamespaceKey(strings.TrimPrefix(key, claimPrefix))
	if err != nil {
		return nil
	}
	claim, err := c.Claims.PersistentVolumeClaims(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	classes, err := c.Classes.List(labels.Everything())
	if err != nil {
		return err
	}
	if def := RetroactiveDefaultClass(claim, classes); def != "" {
		claim = claim.DeepCopy()
		claim.Spec.StorageClassName = &def
		_, err := c.Client.CoreV1().PersistentVolumeClaims(ns).Update(ctx, claim, metav1.UpdateOptions{})
		return ignoreNotFound(err) // the update brings the claim back
	}
	var class *storagev1.StorageClass
	if cn := storageutil.ClaimClass(claim); cn != "" {
		class, _ = c.Classes.Get(cn)
	}
	d := DecideClaim(claim, c.listVolumes(), class)
	if d.Event != nil {
		c.Recorder.Event(claim, d.Event.Type, d.Event.Reason, d.Event.Message)
	}
	if d.Bind != nil {
		return c.bind(ctx, d.Bind, claim)
	}
	if d.Provisioner != "" {
		claim = claim.DeepCopy()
		metav1.SetMetaDataAnnotation(&claim.ObjectMeta, storageutil.AnnStorageProvisioner, d.Provisioner)
		metav1.SetMetaDataAnnotation(&claim.ObjectMeta, storageutil.AnnBetaStorageProvisioner, d.Provisioner)
		var err error
		if claim, err = c.Client.CoreV1().PersistentVolumeClaims(ns).Update(ctx, claim, metav1.UpdateOptions{}); err != nil {
			return ignoreNotFound(err)
		}
	}
	return c.setClaimPhase(ctx, claim, d.Phase, nil)
}

func (c *Controller) syncVolume(ctx context.Context, name string) error {
	pv, err := c.PVs.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var claim *corev1.PersistentVolumeClaim
	if ref := pv.Spec.ClaimRef; ref != nil {
		claim, err = c.Claims.PersistentVolumeClaims(ref.Namespace).Get(ref.Name)
		if apierrors.IsNotFound(err) {
			// The cache may lag behind: ask the server before releasing.
			claim, err = c.Client.CoreV1().PersistentVolumeClaims(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		}
		if apierrors.IsNotFound(err) {
			claim, err = nil, nil
		}
		if err != nil {
			return err
		}
	}
	d := DecideVolume(pv, claim)
	if d.Event != nil {
		c.Recorder.Event(pv, d.Event.Type, d.Event.Reason, d.Event.Message)
	}
	if d.Delete {
		c.Log.Info("deleting released volume", "pv", pv.Name)
		return ignoreNotFound(c.Client.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{}))
	}
	if d.Unbind || d.ClearUID {
		pv = pv.DeepCopy()
		if d.Unbind {
			pv.Spec.ClaimRef = nil
			delete(pv.Annotations, storageutil.AnnBoundByController)
		} else {
			pv.Spec.ClaimRef.UID, pv.Spec.ClaimRef.ResourceVersion = "", ""
		}
		if pv, err = c.Client.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{}); err != nil {
			return ignoreNotFound(err)
		}
	}
	return c.setVolumePhase(ctx, pv, d.Phase, d.Message)
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
