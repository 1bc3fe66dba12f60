// Package loop is the worker shell every storage controller shares: a
// rate-limited work queue of keys, informer-cache sync, an event recorder
// and N workers calling a sync function. The controllers keep their
// decisions in pure functions; this is the I/O-free plumbing between them
// and client-go.
package loop

import (
	"context"
	"errors"
	"log/slog"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
)

// Loop runs Sync for queued keys.
type Loop struct {
	Name     string
	Queue    workqueue.TypedRateLimitingInterface[string]
	Synced   []cache.InformerSynced
	Recorder record.EventRecorder
	Log      *slog.Logger
	// Sync handles one key; an error retries it with back-off.
	Sync   func(ctx context.Context, key string) error
	client kubernetes.Interface
	// Start starts the informers (the shared factory's Start).
	Start func(stop <-chan struct{})
}

// New makes a loop whose events come from component.
func New(client kubernetes.Interface, name string) *Loop {
	return &Loop{
		Name: name,
		Queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](200*time.Millisecond, 30*time.Second),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: name}),
		Recorder: &record.FakeRecorder{}, // replaced in Run; discards
		Log:      slog.Default().With("controller", name),
		client:   client,
	}
}

// Enqueue adds obj's namespace/name key (tombstones included).
func (l *Loop) Enqueue(obj any) {
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		l.Queue.Add(key)
	}
}

// Handler enqueues every add, update and delete.
func (l *Loop) Handler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{AddFunc: l.Enqueue, UpdateFunc: func(_, o any) { l.Enqueue(o) }, DeleteFunc: l.Enqueue}
}

// Watch registers h on inf and remembers its sync state.
func (l *Loop) Watch(inf cache.SharedIndexInformer, h cache.ResourceEventHandler) error {
	reg, err := inf.AddEventHandler(h)
	if err != nil {
		return err
	}
	l.Synced = append(l.Synced, reg.HasSynced)
	return nil
}

// Run works the queue until ctx is done.
func (l *Loop) Run(ctx context.Context, workers int) error {
	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: l.client.CoreV1().Events("")})
	l.Recorder = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: l.Name})
	defer broadcaster.Shutdown()
	defer l.Queue.ShutDown()
	if l.Start != nil {
		l.Start(ctx.Done())
	}
	if !cache.WaitForCacheSync(ctx.Done(), l.Synced...) {
		if ctx.Err() != nil {
			return nil
		}
		return errors.New(l.Name + ": informer caches did not sync")
	}
	l.Log.Info("started", "workers", workers)
	for range max(workers, 1) {
		go wait.UntilWithContext(ctx, func(ctx context.Context) {
			for l.next(ctx) {
			}
		}, time.Second)
	}
	<-ctx.Done()
	return nil
}

func (l *Loop) next(ctx context.Context) bool {
	key, quit := l.Queue.Get()
	if quit {
		return false
	}
	defer l.Queue.Done(key)
	start := time.Now()
	err := l.Sync(ctx, key)
	observe(l.Name, start, err)
	if err != nil {
		l.Log.Info("sync failed, will retry", "key", key, "err", err)
		l.Queue.AddRateLimited(key)
		return true
	}
	l.Queue.Forget(key)
	return true
}
