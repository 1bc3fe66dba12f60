package endpointslice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// resyncPeriod replays every Service now and then, covering any event that
// was missed.
const resyncPeriod = 10 * time.Minute

// Controller keeps the EndpointSlices and Endpoints of selector Services.
type Controller struct {
	client    kubernetes.Interface
	opts      Options
	factory   informers.SharedInformerFactory
	services  corelisters.ServiceLister
	pods      corelisters.PodLister
	nodes     corelisters.NodeLister
	slices    discoverylisters.EndpointSliceLister
	endpoints corelisters.EndpointsLister
	synced    []cache.InformerSynced
	queue     workqueue.TypedRateLimitingInterface[string]
	tracker   *staleTracker
	log       *slog.Logger
	now       func() time.Time
}

// New builds the controller; Run starts it.
func New(client kubernetes.Interface, opts Options) (*Controller, error) {
	if client == nil {
		return nil, errors.New("endpointslice: nil client")
	}
	opts = opts.withDefaults()
	factory := informers.NewSharedInformerFactory(client, resyncPeriod)
	c := &Controller{
		client:    client,
		opts:      opts,
		factory:   factory,
		services:  factory.Core().V1().Services().Lister(),
		pods:      factory.Core().V1().Pods().Lister(),
		nodes:     factory.Core().V1().Nodes().Lister(),
		slices:    factory.Discovery().V1().EndpointSlices().Lister(),
		endpoints: factory.Core().V1().Endpoints().Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](opts.InitialBackoff, opts.MaxBackoff),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "endpointslice"}),
		tracker: newStaleTracker(),
		log:     slog.Default().With("controller", "endpointslice"),
		now:     time.Now,
	}
	handlers := []struct {
		inf cache.SharedIndexInformer
		h   cache.ResourceEventHandler
	}{
		{factory.Core().V1().Services().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.enqueueService,
			UpdateFunc: func(_, obj any) { c.enqueueService(obj) },
			DeleteFunc: c.enqueueService,
		}},
		{factory.Core().V1().Pods().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { c.podChanged(nil, obj) },
			UpdateFunc: c.podChanged,
			DeleteFunc: func(obj any) { c.podChanged(nil, obj) },
		}},
		{factory.Discovery().V1().EndpointSlices().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.sliceChanged,
			UpdateFunc: func(_, obj any) { c.sliceChanged(obj) },
			DeleteFunc: c.sliceChanged,
		}},
		{factory.Core().V1().Endpoints().Informer(), cache.ResourceEventHandlerFuncs{
			// Endpoints changed or removed by someone else are put back.
			UpdateFunc: func(_, obj any) { c.enqueueService(obj) },
			DeleteFunc: c.enqueueService,
		}},
	}
	for _, h := range handlers {
		reg, err := h.inf.AddEventHandler(h.h)
		if err != nil {
			return nil, fmt.Errorf("endpointslice: adding event handler: %w", err)
		}
		c.synced = append(c.synced, reg.HasSynced)
	}
	c.synced = append(c.synced, factory.Core().V1().Nodes().Informer().HasSynced)
	return c, nil
}

func unwrap(obj any) any {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tomb.Obj
	}
	return obj
}

// enqueueService queues a Service, or the Service of an Endpoints object
// (which shares its namespace/name).
func (c *Controller) enqueueService(obj any) {
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		c.queue.Add(key)
	}
}

// podChanged queues the Services selecting a pod before or after a change
// that can affect their endpoints.
func (c *Controller) podChanged(old, obj any) {
	cur, ok := unwrap(obj).(*corev1.Pod)
	if !ok {
		return
	}
	prev, _ := old.(*corev1.Pod)
	if prev != nil && !labelsChanged(prev, cur) && !podEndpointsChanged(prev, cur) {
		return
	}
	svcs, err := c.services.Services(cur.Namespace).List(labels.Everything())
	if err != nil {
		return
	}
	for _, svc := range svcs {
		if selects(svc, cur) || (prev != nil && selects(svc, prev)) {
			c.queue.Add(svc.Namespace + "/" + svc.Name)
		}
	}
}

// sliceChanged queues the Service of a slice this controller manages.
func (c *Controller) sliceChanged(obj any) {
	s, ok := unwrap(obj).(*discoveryv1.EndpointSlice)
	if !ok || s.Labels[discoveryv1.LabelManagedBy] != ControllerName {
		return
	}
	if name := s.Labels[discoveryv1.LabelServiceName]; name != "" {
		c.queue.Add(s.Namespace + "/" + name)
	}
}

// Run syncs Services with the given number of workers until ctx is done.
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
		return fmt.Errorf("endpointslice: informer caches did not sync")
	}
	c.queueLeftovers()
	c.log.Info("started", "workers", workers, "maxEndpointsPerSlice", c.opts.MaxEndpointsPerSlice)
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
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	switch err := c.sync(ctx, key); {
	case errors.Is(err, errStaleCache):
		c.log.Debug("informer cache behind own writes, will retry", "service", key)
		c.queue.AddRateLimited(key)
	case err != nil:
		c.log.Warn("sync failed, will retry", "service", key, "err", err)
		c.queue.AddRateLimited(key)
	default:
		c.queue.Forget(key)
	}
	return true
}
