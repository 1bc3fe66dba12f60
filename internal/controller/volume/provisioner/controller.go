// Package provisioner is the external-provisioner of berth's two built-in
// drivers, berth.dev/local-path and berth.dev/local-volume: for a claim the
// binder handed to one of them (the storage-provisioner annotation) it picks
// the node (WaitForFirstConsumer: the scheduler's selected-node; Immediate:
// the Ready node with most free capacity), refuses over-commit, and creates
// the PV pre-bound to the claim as internal/controller/volume/README.md describes. The node agent
// makes the backing storage; the binder completes the binding.
package provisioner

import (
	"context"
	"errors"
	"fmt"
	"sync"

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

// Event reasons of Kubernetes' external-provisioner.
const (
	ReasonProvisioning          = "Provisioning"
	ReasonProvisioningSucceeded = "ProvisioningSucceeded"
	ReasonProvisioningFailed    = "ProvisioningFailed"
)

// Controller provisions volumes.
type Controller struct {
	loop.Base

	// created holds PVs made but maybe not yet in the cache, so capacity
	// is not handed out twice in between.
	mu      sync.Mutex
	created map[string]*corev1.PersistentVolume
}

// New builds the controller on factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory) (*Controller, error) {
	c := &Controller{
		Base:    loop.NewBase(client, factory, "berth-provisioner"),
		created: map[string]*corev1.PersistentVolume{},
	}
	c.Sync = c.sync
	retryAll := cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { c.enqueuePending() }, UpdateFunc: func(_, _ any) { c.enqueuePending() }}
	err := errors.Join(
		c.Watch(factory.Core().V1().PersistentVolumeClaims().Informer(), c.Handler()),
		c.Watch(factory.Core().V1().PersistentVolumes().Informer(), cache.ResourceEventHandlerFuncs{DeleteFunc: func(any) { c.enqueuePending() }}),
		c.Watch(factory.Core().V1().Nodes().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: func(any) { c.enqueuePending() },
			UpdateFunc: func(o, n any) {
				if storageutil.NodeReady(o.(*corev1.Node)) != storageutil.NodeReady(n.(*corev1.Node)) ||
					!o.(*corev1.Node).Status.Allocatable[storageutil.CapacityResource].Equal(n.(*corev1.Node).Status.Allocatable[storageutil.CapacityResource]) {
					c.enqueuePending()
				}
			}}),
		c.Watch(factory.Storage().V1().StorageClasses().Informer(), retryAll),
	)
	return c, err
}

// enqueuePending retries every claim still waiting for us.
func (c *Controller) enqueuePending() {
	claims, _ := c.Claims.List(labels.Everything())
	for _, cl := range claims {
		if cl.Spec.VolumeName == "" && storageutil.IsOurDriver(cl.Annotations[storageutil.AnnStorageProvisioner]) {
			c.Enqueue(cl)
		}
	}
}

// volumes is the cache plus what we created since.
func (c *Controller) volumes() []*corev1.PersistentVolume {
	pvs, _ := c.PVs.List(labels.Everything())
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, pv := range c.created {
		if _, err := c.PVs.Get(name); err == nil {
			delete(c.created, name)
			continue
		}
		pvs = append(pvs, pv)
	}
	return pvs
}

func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
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
	driver := claim.Annotations[storageutil.AnnStorageProvisioner]
	if claim.DeletionTimestamp != nil || claim.Spec.VolumeName != "" || !storageutil.IsOurDriver(driver) {
		return nil
	}
	class, err := c.Classes.Get(storageutil.ClaimClass(claim))
	if err != nil || class.Provisioner != driver {
		return nil // the binder reports a missing class
	}
	pvName := "pvc-" + string(claim.UID)
	if _, err := c.PVs.Get(pvName); err == nil {
		return nil // made; the binder binds it
	}
	delay := storageutil.DelayBinding(class)
	selected := claim.Annotations[storageutil.AnnSelectedNode]
	if delay && selected == "" {
		return nil // the scheduler picks the node
	}
	failed := func(err error) error {
		c.Recorder.Event(claim, corev1.EventTypeWarning, ReasonProvisioningFailed,
			fmt.Sprintf("failed to provision volume with StorageClass %q: %v", class.Name, err))
		return nil // retried when nodes, volumes or classes change
	}
	if err := ValidateClass(class, claim); err != nil {
		return failed(err)
	}
	size := Size(class.Provisioner, claim)
	// Capacity is shared between claims: run one worker so placements
	// are decided one at a time.
	pvs := c.volumes()
	node := selected
	if delay {
		n, err := c.Nodes.Get(selected)
		if err == nil {
			err = CheckNode(n, pvs, size.Value())
		}
		if err != nil {
			// As the external-provisioner does: give the choice back to the
			// scheduler, which picks again.
			_ = failed(err)
			return c.unselectNode(ctx, claim)
		}
	} else {
		nodes, err := c.Nodes.List(labels.Everything())
		if err != nil {
			return err
		}
		if node, err = ChooseNode(nodes, pvs, size.Value()); err != nil {
			return failed(err)
		}
	}
	pv := VolumeFor(claim, class, node)
	c.Recorder.Eventf(claim, corev1.EventTypeNormal, ReasonProvisioning, "External provisioner is provisioning volume for claim %q", key)
	c.mu.Lock()
	c.created[pv.Name] = pv
	c.mu.Unlock()
	if _, err := c.Client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		c.mu.Lock()
		delete(c.created, pv.Name)
		c.mu.Unlock()
		_ = failed(err)
		return err
	}
	c.Log.Info("provisioned", "claim", key, "pv", pv.Name, "node", node, "size", size.String())
	c.Recorder.Eventf(claim, corev1.EventTypeNormal, ReasonProvisioningSucceeded, "Successfully provisioned volume %s", pv.Name)
	return nil
}

func (c *Controller) unselectNode(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	claim = claim.DeepCopy()
	delete(claim.Annotations, storageutil.AnnSelectedNode)
	_, err := c.Client.CoreV1().PersistentVolumeClaims(claim.Namespace).Update(ctx, claim, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
