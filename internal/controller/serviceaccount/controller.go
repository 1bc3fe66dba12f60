package serviceaccount

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// resyncPeriod re-checks every namespace now and then, covering any event
// that was missed.
const resyncPeriod = 10 * time.Minute

// Controller maintains the per-namespace defaults.
type Controller struct {
	client  kubernetes.Interface
	caPEM   []byte
	factory informers.SharedInformerFactory
	nsList  corelisters.NamespaceLister
	saList  corelisters.ServiceAccountLister
	cmList  corelisters.ConfigMapLister
	synced  []cache.InformerSynced
	queue   workqueue.TypedRateLimitingInterface[string]
	log     *slog.Logger
}

// New builds the controller; caPEM is the cluster CA bundle published as
// ca.crt in every namespace.
func New(client kubernetes.Interface, caPEM []byte) (*Controller, error) {
	if len(caPEM) == 0 {
		return nil, errors.New("serviceaccount: empty CA bundle")
	}
	factory := informers.NewSharedInformerFactory(client, resyncPeriod)
	c := &Controller{
		client:  client,
		caPEM:   append([]byte(nil), caPEM...),
		factory: factory,
		nsList:  factory.Core().V1().Namespaces().Lister(),
		saList:  factory.Core().V1().ServiceAccounts().Lister(),
		cmList:  factory.Core().V1().ConfigMaps().Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "namespace-defaults"}),
		log: slog.Default().With("controller", "namespace-defaults"),
	}

	handlers := []struct {
		inf cache.SharedIndexInformer
		h   cache.ResourceEventHandler
	}{
		{factory.Core().V1().Namespaces().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.enqueueNamespace,
			UpdateFunc: func(_, obj any) { c.enqueueNamespace(obj) },
		}},
		// Only a deletion can take the ServiceAccount away.
		{factory.Core().V1().ServiceAccounts().Informer(), cache.ResourceEventHandlerFuncs{
			DeleteFunc: c.enqueueOwnerOf(DefaultServiceAccountName),
		}},
		// A ConfigMap may be created with wrong data, edited, or deleted.
		{factory.Core().V1().ConfigMaps().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.enqueueOwnerOf(RootCAConfigMapName),
			UpdateFunc: func(_, obj any) { c.enqueueOwnerOf(RootCAConfigMapName)(obj) },
			DeleteFunc: c.enqueueOwnerOf(RootCAConfigMapName),
		}},
	}
	for _, h := range handlers {
		reg, err := h.inf.AddEventHandler(h.h)
		if err != nil {
			return nil, fmt.Errorf("serviceaccount: adding event handler: %w", err)
		}
		c.synced = append(c.synced, reg.HasSynced)
	}
	return c, nil
}

func (c *Controller) enqueueNamespace(obj any) {
	if ns, ok := obj.(*corev1.Namespace); ok && active(ns) {
		c.queue.Add(ns.Name)
	}
}

// enqueueOwnerOf returns a handler that queues the namespace of an object
// called name.
func (c *Controller) enqueueOwnerOf(name string) func(obj any) {
	return func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		m, ok := obj.(metav1.Object)
		if !ok || m.GetName() != name {
			return
		}
		c.queue.Add(m.GetNamespace())
	}
}

// Run keeps the defaults in place with the given number of workers until ctx
// is done.
func (c *Controller) Run(ctx context.Context, workers int) error {
	// Deferred calls run last-first: the queue stops, then the informers are
	// told to stop, and only then does Shutdown wait for them.
	ctx, cancel := context.WithCancel(ctx)
	defer c.factory.Shutdown()
	defer cancel()
	defer c.queue.ShutDown()
	c.factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		if ctx.Err() != nil {
			return nil
		}
		return errors.New("serviceaccount: informer caches did not sync")
	}
	c.log.Info("started", "workers", workers)
	for range max(workers, 1) {
		go wait.UntilWithContext(ctx, c.worker, time.Second)
	}
	<-ctx.Done()
	c.log.Info("stopping")
	return nil
}

func (c *Controller) worker(ctx context.Context) {
	for c.processNext(ctx) {
	}
}

func (c *Controller) processNext(ctx context.Context) bool {
	name, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(name)
	if err := c.sync(ctx, name); err != nil {
		c.log.Warn("sync failed, will retry", "namespace", name, "err", err)
		c.queue.AddRateLimited(name)
		return true
	}
	c.queue.Forget(name)
	return true
}

// sync brings one namespace's defaults in line, from the informer caches.
func (c *Controller) sync(ctx context.Context, name string) error {
	ns, err := c.nsList.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	sa, err := c.saList.ServiceAccounts(name).Get(DefaultServiceAccountName)
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	cm, err := c.cmList.ConfigMaps(name).Get(RootCAConfigMapName)
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	act := plan(ns, sa, cm, c.caPEM)
	if act.none() {
		return nil
	}

	var errs []error
	if act.CreateServiceAccount != nil {
		_, err := c.client.CoreV1().ServiceAccounts(name).Create(ctx, act.CreateServiceAccount, metav1.CreateOptions{})
		errs = append(errs, c.tolerate(err, "created ServiceAccount", name))
	}
	if act.CreateConfigMap != nil {
		_, err := c.client.CoreV1().ConfigMaps(name).Create(ctx, act.CreateConfigMap, metav1.CreateOptions{})
		errs = append(errs, c.tolerate(err, "created ConfigMap", name))
	}
	if act.UpdateConfigMap != nil {
		_, err := c.client.CoreV1().ConfigMaps(name).Update(ctx, act.UpdateConfigMap, metav1.UpdateOptions{})
		errs = append(errs, c.tolerate(err, "restored ConfigMap", name))
	}
	return errors.Join(errs...)
}

// tolerate turns the errors that mean "nothing left to do" into success:
// the object already exists (the cache lagged), or the namespace started
// terminating / went away in the meantime.
func (c *Controller) tolerate(err error, did, namespace string) error {
	switch {
	case err == nil:
		c.log.Info(did, "namespace", namespace)
		return nil
	case apierrors.IsAlreadyExists(err),
		apierrors.IsNotFound(err),
		apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause):
		return nil
	}
	return err
}
