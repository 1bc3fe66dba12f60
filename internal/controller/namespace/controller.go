package namespace

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// resyncPeriod replays every namespace now and then: a Terminating namespace
// is re-checked even if an earlier retry was lost.
const resyncPeriod = 5 * time.Minute

// Controller empties and finalizes namespaces being deleted.
type Controller struct {
	client    kubernetes.Interface
	meta      metadata.Interface
	resources []schema.GroupVersionResource
	factory   informers.SharedInformerFactory
	lister    corelisters.NamespaceLister
	synced    cache.InformerSynced
	queue     workqueue.TypedRateLimitingInterface[string]
	log       *slog.Logger
	now       func() time.Time
}

// New builds the controller. resources are the namespaced resources whose
// objects are deleted with a namespace; meta is used for them so that any
// resource can be handled without its Go type.
func New(client kubernetes.Interface, meta metadata.Interface, resources []schema.GroupVersionResource) (*Controller, error) {
	factory := informers.NewSharedInformerFactory(client, resyncPeriod)
	inf := factory.Core().V1().Namespaces()
	c := &Controller{
		client:    client,
		meta:      meta,
		resources: append([]schema.GroupVersionResource(nil), resources...),
		factory:   factory,
		lister:    inf.Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](recheckMin, recheckMax),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "namespace"}),
		log: slog.Default().With("controller", "namespace"),
		now: time.Now,
	}
	reg, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, obj any) { c.enqueue(obj) },
	})
	if err != nil {
		return nil, fmt.Errorf("namespace: watching namespaces: %w", err)
	}
	c.synced = reg.HasSynced
	return c, nil
}

func (c *Controller) enqueue(obj any) {
	ns, ok := obj.(*corev1.Namespace)
	if !ok || !needsFinalizing(ns) {
		return
	}
	c.queue.Add(ns.Name)
}

// Run processes Terminating namespaces with the given number of workers until
// ctx is done.
func (c *Controller) Run(ctx context.Context, workers int) error {
	// Deferred calls run last-first: the queue stops, then the informers are
	// told to stop, and only then does Shutdown wait for them.
	ctx, cancel := context.WithCancel(ctx)
	defer c.factory.Shutdown()
	defer cancel()
	defer c.queue.ShutDown()
	c.factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), c.synced) {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("namespace: informer cache did not sync")
	}
	c.log.Info("started", "workers", workers, "resources", len(c.resources))
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
	done, err := c.sync(ctx, name)
	switch {
	case err != nil:
		c.log.Warn("sync failed, will retry", "namespace", name, "err", err)
		c.queue.AddRateLimited(name)
	case !done:
		// Content is still terminating; nothing we watch will tell us when
		// it is gone, so poll with a growing delay.
		c.queue.AddRateLimited(name)
	default:
		c.queue.Forget(name)
	}
	return true
}
