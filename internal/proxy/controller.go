package proxy

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
	"k8s.io/client-go/tools/cache"
)

// Controller feeds a Proxier from Service and EndpointSlice informers.
type Controller struct {
	proxier  *Proxier
	factory  informers.SharedInformerFactory
	services corelisters.ServiceLister
	slices   discoverylisters.EndpointSliceLister
	synced   []cache.InformerSynced
}

// New builds the controller for this node. Nothing touches the kernel
// until Run has seen complete informer caches.
func New(client kubernetes.Interface, node NodeInfo, opts Options) (*Controller, error) {
	opts = opts.withDefaults()
	if _, err := ParseMode(string(opts.Mode)); err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	return newController(client, node, opts, newBackend(opts))
}

func newController(client kubernetes.Interface, node NodeInfo, opts Options, b backend) (*Controller, error) {
	factory := informers.NewSharedInformerFactory(client, 0)
	svcInf := factory.Core().V1().Services()
	sliceInf := factory.Discovery().V1().EndpointSlices()
	c := &Controller{
		factory:  factory,
		services: svcInf.Lister(),
		slices:   sliceInf.Lister(),
		synced:   []cache.InformerSynced{svcInf.Informer().HasSynced, sliceInf.Informer().HasSynced},
	}
	p, err := newProxier(node, opts, c, b)
	if err != nil {
		return nil, err
	}
	c.proxier = p
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { p.Sync() },
		UpdateFunc: func(any, any) { p.Sync() },
		DeleteFunc: func(any) { p.Sync() },
	}
	if _, err := svcInf.Informer().AddEventHandler(handler); err != nil {
		return nil, err
	}
	if _, err := sliceInf.Informer().AddEventHandler(handler); err != nil {
		return nil, err
	}
	return c, nil
}

// Proxier returns the controller's Proxier (metrics, Cleanup, tests).
func (c *Controller) Proxier() *Proxier { return c.proxier }

// Run starts the informers and, once their caches are complete, keeps the
// rules in sync until ctx ends. While the API server is unreachable the
// informers retry on their own and the kernel keeps the last rules — also
// across an agent restart, since nothing is applied before the caches sync
// (an empty cache must not wipe a working table).
func (c *Controller) Run(ctx context.Context) error {
	c.factory.Start(ctx.Done())
	defer c.factory.Shutdown()
	log := c.proxier.log
	for !cache.WaitForCacheSync(timeoutCh(ctx, time.Minute), c.synced...) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log.Warn("waiting for Service and EndpointSlice caches; keeping the current rules")
	}
	log.Info("caches synced; programming the dataplane", "mode", c.proxier.opts.Mode)
	c.proxier.Sync()
	c.proxier.Run(ctx)
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// timeoutCh closes when ctx ends or d passes.
func timeoutCh(ctx context.Context, d time.Duration) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
	}()
	return ch
}

// Services implements Source from the informer cache.
func (c *Controller) Services() []*corev1.Service {
	s, _ := c.services.List(labels.Everything())
	return s
}

// EndpointSlices implements Source from the informer cache.
func (c *Controller) EndpointSlices() []*discoveryv1.EndpointSlice {
	s, _ := c.slices.List(labels.Everything())
	return s
}
