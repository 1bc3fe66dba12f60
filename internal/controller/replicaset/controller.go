package replicaset

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
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// component is the event source, as kubectl describe shows it.
const component = "replicaset-controller"

// Controller keeps ReplicaSets' pods.
type Controller struct {
	client       kubernetes.Interface
	factory      informers.SharedInformerFactory
	rsLister     appslisters.ReplicaSetLister
	podLister    corelisters.PodLister
	synced       []cache.InformerSynced
	queue        workqueue.TypedRateLimitingInterface[string]
	expectations *podutil.Expectations
	recorder     record.EventRecorder
	clock        clock.Clock
	log          *slog.Logger
}

// New builds the controller on factory's ReplicaSet and Pod informers. The
// caller owns factory and starts it after New (Run starts it too, which is
// harmless); sharing one factory between controllers shares the caches.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory) (*Controller, error) {
	rsInf := factory.Apps().V1().ReplicaSets()
	podInf := factory.Core().V1().Pods()
	c := &Controller{
		client:    client,
		factory:   factory,
		rsLister:  rsInf.Lister(),
		podLister: podInf.Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "replicaset"}),
		expectations: podutil.NewExpectations(podutil.DefaultExpectationsTTL, nil),
		recorder:     &record.FakeRecorder{}, // replaced in Run; discards
		clock:        clock.RealClock{},
		log:          slog.Default().With("controller", "replicaset"),
	}
	rsReg, err := rsInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, obj any) { c.enqueue(obj) },
		DeleteFunc: c.deleteRS,
	})
	if err != nil {
		return nil, fmt.Errorf("replicaset: watching replicasets: %w", err)
	}
	podReg, err := podInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.addPod,
		UpdateFunc: c.updatePod,
		DeleteFunc: c.deletePod,
	})
	if err != nil {
		return nil, fmt.Errorf("replicaset: watching pods: %w", err)
	}
	c.synced = []cache.InformerSynced{rsReg.HasSynced, podReg.HasSynced}
	return c, nil
}

// Run syncs ReplicaSets with the given number of workers until ctx is done.
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
		return errors.New("replicaset: informer caches did not sync")
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
	after, err := c.sync(ctx, key)
	if err != nil {
		level := slog.LevelWarn
		if apierrors.IsConflict(err) {
			level = slog.LevelDebug // a stale cache; the retry sees the new version
		}
		c.log.Log(ctx, level, "sync failed, will retry", "replicaset", key, "err", err)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	if after > 0 {
		c.queue.AddAfter(key, after)
	}
	return true
}
