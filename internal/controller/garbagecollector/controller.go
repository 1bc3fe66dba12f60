package garbagecollector

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

const (
	// resyncPeriod replays every object to the graph now and then, so a
	// dependent whose check failed for good (or raced) is looked at again.
	resyncPeriod = 10 * time.Minute
	// absentCacheSize bounds the memory spent on verified-absent owners.
	absentCacheSize = 10000
)

// Controller is the garbage collector.
type Controller struct {
	client  metadata.Interface
	kinds   kindIndex
	graph   *graph
	absent  *absentCache
	queue   workqueue.TypedRateLimitingInterface[types.UID]
	factory metadatainformer.SharedInformerFactory
	synced  []cache.InformerSynced
	log     *slog.Logger
}

// New builds a garbage collector watching the metadata of resources through
// client. Every resource that may be an owner or a dependent must be listed;
// a reference to a kind that is not listed is never resolved, so its
// dependents are never collected.
func New(client metadata.Interface, resources []Resource) (*Controller, error) {
	if len(resources) == 0 {
		return nil, fmt.Errorf("garbagecollector: no resources to watch")
	}
	for _, r := range resources {
		if r.GVR.Resource == "" || r.GVR.Version == "" || r.Kind == "" {
			return nil, fmt.Errorf("garbagecollector: incomplete resource %+v", r)
		}
	}
	c := &Controller{
		client: client,
		kinds:  newKindIndex(resources),
		graph:  newGraph(),
		absent: newAbsentCache(absentCacheSize),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[types.UID](5*time.Millisecond, time.Minute),
			workqueue.TypedRateLimitingQueueConfig[types.UID]{Name: "garbagecollector"}),
		factory: metadatainformer.NewSharedInformerFactoryWithOptions(client, resyncPeriod,
			metadatainformer.WithTransform(dropManagedFields)),
		log: slog.Default().With("controller", "garbagecollector"),
	}
	for _, r := range resources {
		inf := c.factory.ForResource(r.GVR).Informer()
		reg, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { c.onUpsert(r, obj) },
			UpdateFunc: func(_, obj any) { c.onUpsert(r, obj) },
			DeleteFunc: func(obj any) { c.onDelete(obj) },
		})
		if err != nil {
			return nil, fmt.Errorf("garbagecollector: watching %s: %w", r.GVR, err)
		}
		// The registration's HasSynced also waits until the handler has seen
		// the initial list, i.e. until the graph holds it.
		c.synced = append(c.synced, reg.HasSynced)
	}
	return c, nil
}

// dropManagedFields keeps the informer caches small: the collector never
// reads managedFields.
func dropManagedFields(obj any) (any, error) {
	if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
		m.ManagedFields = nil
	}
	return obj, nil
}

// Run starts the informers, waits until the graph holds every object (acting
// on a partial graph could take a live owner for a missing one, and would
// miss dependents), then runs workers until ctx is done.
func (c *Controller) Run(ctx context.Context, workers int) error {
	// Deferred calls run last-first: the queue stops, then the informers are
	// told to stop, and only then does Shutdown wait for them.
	ctx, cancel := context.WithCancel(ctx)
	defer c.factory.Shutdown()
	defer cancel()
	defer c.queue.ShutDown()
	c.factory.Start(ctx.Done())

	c.log.Info("waiting for informer caches")
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("garbagecollector: informer caches did not sync")
	}
	c.log.Info("started", "workers", workers)
	for range max(workers, 1) {
		go wait.UntilWithContext(ctx, c.worker, time.Second)
	}
	<-ctx.Done()
	c.log.Info("stopping")
	return nil
}

func (c *Controller) onUpsert(res Resource, obj any) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return
	}
	for _, uid := range c.graph.observe(nodeFrom(res, m)) {
		c.queue.Add(uid)
	}
}

func (c *Controller) onDelete(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return
	}
	for _, uid := range c.graph.remove(m.UID) {
		c.queue.Add(uid)
	}
}

func (c *Controller) worker(ctx context.Context) {
	for c.processNext(ctx) {
	}
}

func (c *Controller) processNext(ctx context.Context) bool {
	uid, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(uid)
	if err := c.sync(ctx, uid); err != nil {
		c.log.Warn("sync failed, will retry", "uid", uid, "err", err)
		c.queue.AddRateLimited(uid)
		return true
	}
	c.queue.Forget(uid)
	return true
}
