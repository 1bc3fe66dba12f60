package statefulset

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
const component = "statefulset-controller"

// Controller runs StatefulSets' pods and claims.
type Controller struct {
	client      kubernetes.Interface
	factory     informers.SharedInformerFactory
	setLister   appslisters.StatefulSetLister
	podLister   corelisters.PodLister
	crLister    appslisters.ControllerRevisionLister
	claimLister corelisters.PersistentVolumeClaimLister
	synced      []cache.InformerSynced
	queue       workqueue.TypedRateLimitingInterface[string]
	recorder    record.EventRecorder
	clock       clock.Clock
	log         *slog.Logger
}

// New builds the controller on factory's StatefulSet, Pod,
// ControllerRevision and PersistentVolumeClaim informers. The caller owns
// factory and starts it after New (Run starts it too, which is harmless).
func New(client kubernetes.Interface, factory informers.SharedInformerFactory) (*Controller, error) {
	setInf := factory.Apps().V1().StatefulSets()
	podInf := factory.Core().V1().Pods()
	crInf := factory.Apps().V1().ControllerRevisions()
	claimInf := factory.Core().V1().PersistentVolumeClaims()
	c := &Controller{
		client:      client,
		factory:     factory,
		setLister:   setInf.Lister(),
		podLister:   podInf.Lister(),
		crLister:    crInf.Lister(),
		claimLister: claimInf.Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "statefulset"}),
		recorder: &record.FakeRecorder{}, // replaced in Run; discards
		clock:    clock.RealClock{},
		log:      slog.Default().With("controller", "statefulset"),
	}
	for _, h := range []struct {
		inf     cache.SharedIndexInformer
		handler cache.ResourceEventHandlerFuncs
	}{
		{setInf.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.enqueue,
			UpdateFunc: func(_, obj any) { c.enqueue(obj) },
			DeleteFunc: c.enqueue,
		}},
		{podInf.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.podChanged,
			UpdateFunc: c.updatePod,
			DeleteFunc: c.podChanged,
		}},
		{crInf.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.revisionChanged,
			UpdateFunc: func(_, obj any) { c.revisionChanged(obj) },
			DeleteFunc: c.revisionChanged,
		}},
		{claimInf.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.claimChanged,
			UpdateFunc: func(_, obj any) { c.claimChanged(obj) },
			DeleteFunc: c.claimChanged,
		}},
	} {
		reg, err := h.inf.AddEventHandler(h.handler)
		if err != nil {
			return nil, fmt.Errorf("statefulset: adding event handler: %w", err)
		}
		c.synced = append(c.synced, reg.HasSynced)
	}
	return c, nil
}

// Run syncs StatefulSets with the given number of workers until ctx is done.
func (c *Controller) Run(ctx context.Context, workers int) error {
	recorder, stopEvents := podutil.StartRecorder(ctx, c.client, component)
	c.recorder = recorder
	defer stopEvents()
	return c.runWith(ctx, workers)
}

// runWith runs the workers with the recorder already in place.
func (c *Controller) runWith(ctx context.Context, workers int) error {
	defer c.queue.ShutDown()
	c.factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		if ctx.Err() != nil {
			return nil
		}
		return errors.New("statefulset: informer caches did not sync")
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
		if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
			level = slog.LevelDebug // a stale cache; the retry sees the new state
		}
		c.log.Log(ctx, level, "sync failed, will retry", "statefulset", key, "err", err)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	if after > 0 {
		c.queue.AddAfter(key, after)
	}
	return true
}
