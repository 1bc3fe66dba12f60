package nodeipam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
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
	// DefaultMaskSize is the prefix length of each node's range.
	DefaultMaskSize = 24
	// component is the event source, as kubectl describe node shows it.
	component = "node-ipam-controller"
	// resyncPeriod re-runs the pass now and then, covering missed events.
	resyncPeriod = 10 * time.Minute
	// queueKey: every pass looks at all Nodes at once (ranges are a shared
	// resource), so the queue holds a single key; it also serialises passes.
	queueKey = "nodes"

	reasonConflict    = "PodCIDRConflict"
	reasonUnavailable = "CIDRNotAvailable"
)

// DefaultClusterCIDR is the range node ranges are cut from by default.
func DefaultClusterCIDR() *net.IPNet {
	_, n, _ := net.ParseCIDR("10.42.0.0/16")
	return n
}

// Controller assigns pod CIDRs to Nodes.
type Controller struct {
	client   kubernetes.Interface
	geometry *cidrSet
	factory  informers.SharedInformerFactory
	nodes    corelisters.NodeLister
	synced   cache.InformerSynced
	queue    workqueue.TypedRateLimitingInterface[string]
	recorder record.EventRecorder
	log      *slog.Logger

	// Only touched by sync, which the single queue key never runs twice at
	// once.
	pending  map[string]pending
	reported map[string]bool // node, reason and message already reported: say it once
}

// New builds the controller. clusterCIDR nil means DefaultClusterCIDR,
// maskSize 0 means DefaultMaskSize.
func New(client kubernetes.Interface, clusterCIDR *net.IPNet, maskSize int) (*Controller, error) {
	if clusterCIDR == nil {
		clusterCIDR = DefaultClusterCIDR()
	}
	if maskSize == 0 {
		maskSize = DefaultMaskSize
	}
	geometry, err := newCIDRSet(clusterCIDR, maskSize)
	if err != nil {
		return nil, fmt.Errorf("nodeipam: %w", err)
	}
	factory := informers.NewSharedInformerFactory(client, resyncPeriod)
	inf := factory.Core().V1().Nodes()
	c := &Controller{
		client:   client,
		geometry: geometry,
		factory:  factory,
		nodes:    inf.Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "node-ipam"}),
		recorder: &record.FakeRecorder{}, // replaced in Run; discards
		log:      slog.Default().With("controller", "node-ipam"),
		pending:  map[string]pending{},
		reported: map[string]bool{},
	}
	reg, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { c.queue.Add(queueKey) },
		UpdateFunc: func(old, obj any) {
			o, ok1 := old.(*corev1.Node)
			n, ok2 := obj.(*corev1.Node)
			if ok1 && ok2 && !relevantChange(o, n) {
				return // status heartbeats and the like
			}
			c.queue.Add(queueKey)
		},
		// A deletion frees a range a waiting node may need.
		DeleteFunc: func(any) { c.queue.Add(queueKey) },
	})
	if err != nil {
		return nil, fmt.Errorf("nodeipam: adding event handler: %w", err)
	}
	c.synced = reg.HasSynced
	return c, nil
}

// relevantChange: an update matters when the node's ranges, identity or
// deletion state changed, or it still has no range.
func relevantChange(old, n *corev1.Node) bool {
	return len(nodeCIDRs(n)) == 0 ||
		old.UID != n.UID ||
		old.Spec.PodCIDR != n.Spec.PodCIDR ||
		!slices.Equal(old.Spec.PodCIDRs, n.Spec.PodCIDRs) ||
		(old.DeletionTimestamp == nil) != (n.DeletionTimestamp == nil)
}

// Run assigns ranges until ctx is done. Passes are serialised by the single
// queue key, so more than one worker gains nothing but is harmless.
func (c *Controller) Run(ctx context.Context, workers int) error {
	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	c.recorder = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: component})

	// Deferred calls run last-first: the queue stops, then the informers are
	// told to stop, and only then does Shutdown wait for them.
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
		return errors.New("nodeipam: informer cache did not sync")
	}
	c.log.Info("started", "clusterCIDR", c.geometry.cluster.String(), "maskSize", c.geometry.maskSize)
	c.queue.Add(queueKey)
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
	if err := c.sync(ctx); err != nil {
		c.log.Warn("sync failed, will retry", "err", err)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

// sync runs one pass: plan from the cache, report, patch.
func (c *Controller) sync(ctx context.Context) error {
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		return err
	}
	c.pending = livePending(nodes, c.pending)
	d := plan(nodes, c.pending, c.geometry)
	c.report(nodes, d)

	var errs []error
	for _, a := range d.Assign {
		err := c.patch(ctx, a)
		switch {
		case err == nil:
			c.pending[a.Node] = pending{UID: a.UID, CIDR: a.CIDR}
			c.log.Info("assigned pod CIDR", "node", a.Node, "podCIDR", a.CIDR)
		case apierrors.IsNotFound(err):
			// Deleted meanwhile; the deletion event brings another pass.
		default:
			errs = append(errs, fmt.Errorf("node %s: %w", a.Node, err))
		}
	}
	return errors.Join(errs...)
}

// podCIDRPatch is the JSON merge patch that sets a node's range. The UID
// makes it fail rather than land on a node re-created under the same name.
func podCIDRPatch(uid types.UID, cidr string) ([]byte, error) {
	return json.Marshal(map[string]any{
		"metadata": map[string]any{"uid": uid},
		"spec":     map[string]any{"podCIDR": cidr, "podCIDRs": []string{cidr}},
	})
}

func (c *Controller) patch(ctx context.Context, a assignment) error {
	body, err := podCIDRPatch(a.UID, a.CIDR)
	if err != nil {
		return err
	}
	_, err = c.client.CoreV1().Nodes().Patch(ctx, a.Node, types.MergePatchType, body, metav1.PatchOptions{})
	return err
}

// report logs and records each node's problem once, not on every pass.
func (c *Controller) report(nodes []*corev1.Node, d decision) {
	byName := make(map[string]*corev1.Node, len(nodes))
	for _, n := range nodes {
		byName[n.Name] = n
	}
	now := map[string]bool{}
	say := func(node, reason, msg string, event bool) {
		key := node + "\x00" + reason + "\x00" + msg
		now[key] = true
		if c.reported[key] {
			return
		}
		c.log.Warn(msg, "node", node, "reason", reason)
		if n := byName[node]; event && n != nil {
			c.recorder.Event(n, corev1.EventTypeWarning, reason, msg)
		}
	}
	for _, x := range d.Conflicts {
		say(x.Node, reasonConflict, fmt.Sprintf("podCIDR %s overlaps the range of older node %s; pod addresses may clash", x.CIDR, x.Holder), true)
	}
	for _, x := range d.Invalid {
		say(x.Node, "InvalidPodCIDR", fmt.Sprintf("podCIDR %q does not parse; ignored", x.CIDR), false)
	}
	for _, x := range d.Outside {
		say(x.Node, "PodCIDROutsideClusterCIDR", fmt.Sprintf("podCIDR %s is outside the cluster CIDR %s; kept, not tracked", x.CIDR, c.geometry.cluster), false)
	}
	for _, n := range d.Exhausted {
		say(n, reasonUnavailable, fmt.Sprintf("Node %s status is now: %s", n, reasonUnavailable), true)
	}
	c.reported = now
}
