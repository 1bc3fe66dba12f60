package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
)

// resyncPeriod replays every pod and node now and then, covering any event
// that was missed.
const resyncPeriod = 10 * time.Minute

// Controller is the scheduler.
type Controller struct {
	client   kubernetes.Interface
	opts     Options
	filters  []filterFunc
	factory  informers.SharedInformerFactory
	pods     corelisters.PodLister
	nodes    corelisters.NodeLister
	synced   []cache.InformerSynced
	queue    workqueue.TypedRateLimitingInterface[string]
	recorder record.EventRecorder
	log      *slog.Logger
	now      func() time.Time

	assumed *assumedPods
	// decide serialises the part of a scheduling attempt that reads the
	// cluster and reserves a node: two pods decided at once could both take
	// the same last free resources. Binding happens outside it.
	decide sync.Mutex

	// volumes is the volume binding state; nil when it is off.
	volumes *volumeBinder

	// waitingMu guards waiting: pods found unschedulable, retried at once
	// when a node or a bound pod changes.
	waitingMu sync.Mutex
	waiting   map[string]struct{}
}

// New builds the scheduler.
func New(client kubernetes.Interface, opts Options) (*Controller, error) {
	if client == nil {
		return nil, errors.New("scheduler: nil client")
	}
	opts = opts.withDefaults()
	factory := informers.NewSharedInformerFactory(client, resyncPeriod)
	c := &Controller{
		client:  client,
		opts:    opts,
		filters: filters(opts.VolumeFilter),
		factory: factory,
		pods:    factory.Core().V1().Pods().Lister(),
		nodes:   factory.Core().V1().Nodes().Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](opts.InitialBackoff, opts.MaxBackoff),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "scheduler"}),
		recorder: &record.FakeRecorder{}, // replaced in Run; discards
		log:      slog.Default().With("controller", "scheduler", "scheduler", opts.SchedulerName),
		now:      time.Now,
		assumed:  newAssumedPods(),
		waiting:  map[string]struct{}{},
	}
	handlers := []struct {
		inf cache.SharedIndexInformer
		h   cache.ResourceEventHandler
	}{
		{factory.Core().V1().Pods().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { c.podChanged(nil, obj) },
			UpdateFunc: c.podChanged,
			DeleteFunc: c.podDeleted,
		}},
		{factory.Core().V1().Nodes().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: func(any) { c.retryWaiting("node added") },
			UpdateFunc: func(old, obj any) {
				o, ok1 := old.(*corev1.Node)
				n, ok2 := obj.(*corev1.Node)
				if ok1 && ok2 && nodeSchedulingChanged(o, n) {
					c.retryWaiting("node changed")
				}
			},
		}},
	}
	if opts.VolumeBinding {
		c.volumes = newVolumeBinder(factory)
		if err := c.watchVolumes(factory); err != nil {
			return nil, err
		}
	}
	for _, h := range handlers {
		reg, err := h.inf.AddEventHandler(h.h)
		if err != nil {
			return nil, fmt.Errorf("scheduler: adding event handler: %w", err)
		}
		c.synced = append(c.synced, reg.HasSynced)
	}
	return c, nil
}

// podChanged queues pods waiting for us and notices pods that free a node.
func (c *Controller) podChanged(old, obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	if pod.Spec.NodeName != "" {
		c.assumed.forget(pod.UID) // the informer has caught up
	}
	if responsible(pod, c.opts.SchedulerName) {
		c.enqueue(pod)
		return
	}
	if key, err := cache.MetaNamespaceKeyFunc(pod); err == nil {
		c.setWaiting(key, false) // bound elsewhere, finished, going away
	}
	if o, ok := old.(*corev1.Pod); ok && occupiesNode(o) && !occupiesNode(pod) {
		c.retryWaiting("pod finished")
	}
}

func (c *Controller) podDeleted(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	c.assumed.forget(pod.UID)
	if c.volumes != nil {
		c.volumes.setWait(pod.UID, nil)
	}
	key, _ := cache.MetaNamespaceKeyFunc(pod)
	c.setWaiting(key, false)
	if occupiesNode(pod) {
		c.retryWaiting("pod deleted")
	}
}

func (c *Controller) enqueue(pod *corev1.Pod) {
	if key, err := cache.MetaNamespaceKeyFunc(pod); err == nil {
		c.queue.Add(key)
	}
}

func (c *Controller) setWaiting(key string, waiting bool) {
	c.waitingMu.Lock()
	defer c.waitingMu.Unlock()
	if waiting {
		c.waiting[key] = struct{}{}
	} else {
		delete(c.waiting, key)
	}
}

// retryWaiting gives every unschedulable pod another go now: the change
// may have made room.
func (c *Controller) retryWaiting(why string) {
	c.waitingMu.Lock()
	keys := slices.Collect(maps.Keys(c.waiting))
	c.waitingMu.Unlock()
	if len(keys) > 0 {
		c.log.Debug("retrying unschedulable pods", "why", why, "pods", len(keys))
	}
	for _, k := range keys {
		c.queue.Add(k)
	}
}

// nodeSchedulingChanged: an update that could let a waiting pod in. Status
// heartbeats do not count.
func nodeSchedulingChanged(old, n *corev1.Node) bool {
	return n.Spec.Unschedulable != old.Spec.Unschedulable ||
		!equality.Semantic.DeepEqual(old.Labels, n.Labels) ||
		!equality.Semantic.DeepEqual(old.Spec.Taints, n.Spec.Taints) ||
		!equality.Semantic.DeepEqual(old.Status.Allocatable, n.Status.Allocatable) ||
		readyCondition(old) != readyCondition(n)
}

// Run schedules pods with the given number of workers until ctx is done.
func (c *Controller) Run(ctx context.Context, workers int) error {
	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	c.recorder = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: c.opts.SchedulerName})

	// Deferred calls run last-first: the queue stops, then the informers are
	// told to stop, and only then does Shutdown wait for them.
	ctx, cancel := context.WithCancel(ctx)
	defer broadcaster.Shutdown()
	defer c.factory.Shutdown()
	defer cancel()
	defer c.queue.ShutDown()
	c.factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		if ctx.Err() != nil {
			return nil
		}
		return errors.New("scheduler: informer caches did not sync")
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
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	err := c.sync(ctx, key)
	switch {
	case err == nil:
		c.queue.Forget(key)
	case errors.Is(err, errUnschedulable):
		c.queue.AddRateLimited(key) // back-off; changes retry sooner
	default:
		c.log.Warn("scheduling attempt failed, will retry", "pod", key, "err", err)
		c.queue.AddRateLimited(key)
	}
	return true
}
