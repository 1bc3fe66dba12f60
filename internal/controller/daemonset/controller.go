package daemonset

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

const (
	// component is the event source, as kubectl describe shows it.
	component = "daemonset-controller"
	// burstReplicas caps the creations or deletions of one pass, as
	// Kubernetes' DaemonSet controller does.
	burstReplicas = 250
	// Back-off for deleting failed daemon pods on one node.
	failedPodBackoffMin = time.Second
	failedPodBackoffMax = 15 * time.Minute
)

// Controller runs DaemonSets' pods.
type Controller struct {
	client       kubernetes.Interface
	factory      informers.SharedInformerFactory
	dsLister     appslisters.DaemonSetLister
	podLister    corelisters.PodLister
	nodeLister   corelisters.NodeLister
	crLister     appslisters.ControllerRevisionLister
	synced       []cache.InformerSynced
	queue        workqueue.TypedRateLimitingInterface[string]
	expectations *podutil.Expectations
	failedPods   *flowcontrol.Backoff
	recorder     record.EventRecorder
	clock        clock.Clock
	log          *slog.Logger
}

// New builds the controller on factory's DaemonSet, Pod, Node and
// ControllerRevision informers. The caller owns factory and starts it after
// New (Run starts it too, which is harmless).
func New(client kubernetes.Interface, factory informers.SharedInformerFactory) (*Controller, error) {
	dsInf := factory.Apps().V1().DaemonSets()
	podInf := factory.Core().V1().Pods()
	nodeInf := factory.Core().V1().Nodes()
	crInf := factory.Apps().V1().ControllerRevisions()
	c := &Controller{
		client:     client,
		factory:    factory,
		dsLister:   dsInf.Lister(),
		podLister:  podInf.Lister(),
		nodeLister: nodeInf.Lister(),
		crLister:   crInf.Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "daemonset"}),
		expectations: podutil.NewExpectations(podutil.DefaultExpectationsTTL, nil),
		failedPods:   flowcontrol.NewBackOff(failedPodBackoffMin, failedPodBackoffMax),
		recorder:     &record.FakeRecorder{}, // replaced in Run; discards
		clock:        clock.RealClock{},
		log:          slog.Default().With("controller", "daemonset"),
	}
	var regs []cache.ResourceEventHandlerRegistration
	for _, h := range []struct {
		inf     cache.SharedIndexInformer
		handler cache.ResourceEventHandlerFuncs
	}{
		{dsInf.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.enqueue,
			UpdateFunc: func(_, obj any) { c.enqueue(obj) },
			DeleteFunc: c.deleteDS,
		}},
		{podInf.Informer(), cache.ResourceEventHandlerFuncs{AddFunc: c.addPod, UpdateFunc: c.updatePod, DeleteFunc: c.deletePod}},
		{nodeInf.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { c.enqueueAll() },
			UpdateFunc: c.updateNode,
			DeleteFunc: func(any) { c.enqueueAll() },
		}},
		{crInf.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.revisionChanged,
			UpdateFunc: func(_, obj any) { c.revisionChanged(obj) },
			DeleteFunc: c.revisionChanged,
		}},
	} {
		reg, err := h.inf.AddEventHandler(h.handler)
		if err != nil {
			return nil, fmt.Errorf("daemonset: adding event handler: %w", err)
		}
		regs = append(regs, reg)
	}
	for _, r := range regs {
		c.synced = append(c.synced, r.HasSynced)
	}
	return c, nil
}

// Run syncs DaemonSets with the given number of workers until ctx is done.
func (c *Controller) Run(ctx context.Context, workers int) error {
	recorder, stopEvents := podutil.StartRecorder(ctx, c.client, component)
	c.recorder = recorder
	defer stopEvents()
	defer c.queue.ShutDown()
	c.factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		if ctx.Err() != nil {
			return nil
		}
		return errors.New("daemonset: informer caches did not sync")
	}
	c.log.Info("started", "workers", workers)
	for range max(workers, 1) {
		go wait.UntilWithContext(ctx, c.worker, time.Second)
	}
	go wait.UntilWithContext(ctx, func(context.Context) { c.failedPods.GC() }, time.Minute)
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
	after, err := c.sync(ctx, key)
	if err != nil {
		level := slog.LevelWarn
		if apierrors.IsConflict(err) {
			level = slog.LevelDebug // a stale cache; the retry sees the new version
		}
		c.log.Log(ctx, level, "sync failed, will retry", "daemonset", key, "err", err)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	if after > 0 {
		c.queue.AddAfter(key, after)
	}
	return true
}
