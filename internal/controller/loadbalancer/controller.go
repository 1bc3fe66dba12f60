package loadbalancer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
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

const (
	// component is the event source kubectl describe shows.
	component    = "loadbalancer-controller"
	resyncPeriod = 10 * time.Minute
	// Addresses are a shared resource: every pass looks at all Services,
	// so the queue holds one key, which also serialises the passes.
	queueKey = "services"

	reasonAllocated = "IPAllocated"
	reasonFailed    = "AllocationFailed"
)

// Controller writes pool addresses into LoadBalancer Services' status.
type Controller struct {
	client   kubernetes.Interface
	pools    Pools
	factory  informers.SharedInformerFactory
	services corelisters.ServiceLister
	synced   cache.InformerSynced
	queue    workqueue.TypedRateLimitingInterface[string]
	recorder record.EventRecorder
	log      *slog.Logger
	reported map[string]string // service → last problem reported
}

// New builds the controller over the given pools (ParsePools). With no
// pools every LoadBalancer Service stays <pending> with an event saying so.
func New(client kubernetes.Interface, pools Pools) *Controller {
	factory := informers.NewSharedInformerFactory(client, resyncPeriod)
	inf := factory.Core().V1().Services()
	c := &Controller{
		client:   client,
		pools:    pools,
		factory:  factory,
		services: inf.Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "loadbalancer"}),
		recorder: &record.FakeRecorder{}, // replaced in Run
		log:      slog.Default().With("controller", "loadbalancer"),
		reported: map[string]string{},
	}
	reg, _ := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if s, ok := obj.(*corev1.Service); ok && (Ours(s) || len(s.Status.LoadBalancer.Ingress) > 0) {
				c.queue.Add(queueKey)
			}
		},
		UpdateFunc: func(old, obj any) {
			o, ok1 := old.(*corev1.Service)
			n, ok2 := obj.(*corev1.Service)
			if ok1 && ok2 && relevantChange(o, n) {
				c.queue.Add(queueKey)
			}
		},
		// A deletion frees an address a waiting Service may need.
		DeleteFunc: func(any) { c.queue.Add(queueKey) },
	})
	c.synced = reg.HasSynced
	return c
}

// relevantChange: anything that can change an allocation.
func relevantChange(o, n *corev1.Service) bool {
	if !Ours(o) && !Ours(n) && len(n.Status.LoadBalancer.Ingress) == 0 {
		return false
	}
	return o.Spec.Type != n.Spec.Type ||
		o.Spec.LoadBalancerIP != n.Spec.LoadBalancerIP ||
		!equalPtr(o.Spec.LoadBalancerClass, n.Spec.LoadBalancerClass) ||
		o.Annotations[AnnotationPool] != n.Annotations[AnnotationPool] ||
		!slices.EqualFunc(o.Status.LoadBalancer.Ingress, n.Status.LoadBalancer.Ingress,
			func(a, b corev1.LoadBalancerIngress) bool { return a.IP == b.IP })
}

func equalPtr(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// Run allocates until ctx is done.
func (c *Controller) Run(ctx context.Context, _ int) error {
	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	c.recorder = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: component})

	ctx, cancel := context.WithCancel(ctx)
	defer broadcaster.Shutdown()
	defer c.factory.Shutdown()
	defer cancel()
	defer c.queue.ShutDown()
	c.factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), c.synced) {
		if ctx.Err() != nil {
			return nil
		}
		return errors.New("loadbalancer: informer cache did not sync")
	}
	names := make([]string, len(c.pools))
	for i, p := range c.pools {
		names[i] = p.String()
	}
	c.log.Info("started", "pools", strings.Join(names, " "))
	c.queue.Add(queueKey)
	go wait.UntilWithContext(ctx, c.worker, time.Second)
	<-ctx.Done()
	return nil
}

func (c *Controller) worker(ctx context.Context) {
	for {
		key, quit := c.queue.Get()
		if quit {
			return
		}
		if err := c.sync(ctx); err != nil {
			c.log.Warn("sync failed, will retry", "err", err)
			c.queue.AddRateLimited(key)
		} else {
			c.queue.Forget(key)
		}
		c.queue.Done(key)
	}
}

// sync runs one pass: assign from the cache, then write what differs.
func (c *Controller) sync(ctx context.Context) error {
	svcs, err := c.services.List(labels.Everything())
	if err != nil {
		return err
	}
	byKey := make(map[string]*corev1.Service, len(svcs))
	for _, s := range svcs {
		byKey[key(s)] = s
	}
	decisions := Assign(svcs, c.pools)
	var errs []error
	for k, d := range decisions {
		svc := byKey[k]
		c.reportProblem(svc, d.Problem)
		want := d.Status()
		if sameIngress(svc.Status.LoadBalancer, want) {
			continue
		}
		upd := svc.DeepCopy()
		upd.Status.LoadBalancer = want
		_, err := c.client.CoreV1().Services(svc.Namespace).UpdateStatus(ctx, upd, metav1.UpdateOptions{})
		switch {
		case err == nil:
			if len(d.IPs) > 0 {
				msg := fmt.Sprintf("Assigned IP [%q] from pool %q", d.IPs[0].String(), d.Pool)
				c.recorder.Event(svc, corev1.EventTypeNormal, reasonAllocated, msg)
			}
			c.log.Info("load-balancer status", "service", k, "ips", d.IPs)
		case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
			// A newer version is on its way through the informer.
		default:
			errs = append(errs, fmt.Errorf("service %s: %w", k, err))
		}
	}
	for k := range c.reported {
		if _, ok := decisions[k]; !ok {
			delete(c.reported, k)
		}
	}
	return errors.Join(errs...)
}

// reportProblem records a Warning event once per distinct problem.
func (c *Controller) reportProblem(svc *corev1.Service, problem string) {
	k := key(svc)
	if problem == "" || c.reported[k] == problem {
		if problem == "" {
			delete(c.reported, k)
		}
		return
	}
	c.reported[k] = problem
	c.log.Warn("cannot allocate a load-balancer address", "service", k, "problem", problem)
	c.recorder.Event(svc, corev1.EventTypeWarning, reasonFailed, "Failed to allocate IP for "+quote(k)+": "+problem)
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func sameIngress(a, b corev1.LoadBalancerStatus) bool {
	return slices.EqualFunc(a.Ingress, b.Ingress, func(x, y corev1.LoadBalancerIngress) bool {
		return x.IP == y.IP && x.Hostname == y.Hostname && equalMode(x.IPMode, y.IPMode)
	})
}

func equalMode(a, b *corev1.LoadBalancerIPMode) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}
