package nodelifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	coordlisters "k8s.io/client-go/listers/coordination/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/retry"
)

const (
	component   = "node-controller"
	nodeNameIdx = "spec.nodeName"
)

// Controller watches nodes' heartbeats and acts on failed nodes.
type Controller struct {
	client   kubernetes.Interface
	opts     Options
	factory  informers.SharedInformerFactory
	leaseFac informers.SharedInformerFactory
	nodes    corelisters.NodeLister
	leases   coordlisters.LeaseLister
	pods     cache.Indexer
	synced   []cache.InformerSynced
	recorder record.EventRecorder
	metrics  *metrics
	log      *slog.Logger
	now      func() time.Time

	beats map[string]heartbeat // only touched by the monitor loop
	ready map[string]corev1.ConditionStatus
}

// New builds the controller.
func New(client kubernetes.Interface, opts Options) (*Controller, error) {
	opts = opts.withDefaults()
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, fmt.Errorf("nodelifecycle: %w", err)
	}
	factory := informers.NewSharedInformerFactory(client, 0)
	leaseFac := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(corev1.NamespaceNodeLease))
	podInf := factory.Core().V1().Pods().Informer()
	if err := podInf.AddIndexers(cache.Indexers{nodeNameIdx: func(obj any) ([]string, error) {
		if p, ok := obj.(*corev1.Pod); ok && p.Spec.NodeName != "" {
			return []string{p.Spec.NodeName}, nil
		}
		return nil, nil
	}}); err != nil {
		return nil, err
	}
	nodeInf := factory.Core().V1().Nodes()
	leaseInf := leaseFac.Coordination().V1().Leases()
	return &Controller{
		client: client, opts: opts, factory: factory, leaseFac: leaseFac,
		nodes: nodeInf.Lister(), leases: leaseInf.Lister(), pods: podInf.GetIndexer(),
		synced:   []cache.InformerSynced{podInf.HasSynced, nodeInf.Informer().HasSynced, leaseInf.Informer().HasSynced},
		recorder: &record.FakeRecorder{}, metrics: m,
		log: slog.Default().With("controller", "node-lifecycle"), now: time.Now,
		beats: map[string]heartbeat{}, ready: map[string]corev1.ConditionStatus{},
	}, nil
}

// Run checks the nodes every MonitorPeriod until ctx ends. workers is
// ignored: one pass looks at every node.
func (c *Controller) Run(ctx context.Context, _ int) error {
	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	c.recorder = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: component})
	ctx, cancel := context.WithCancel(ctx)
	defer broadcaster.Shutdown()
	defer c.factory.Shutdown()
	defer c.leaseFac.Shutdown()
	defer cancel()
	c.factory.Start(ctx.Done())
	c.leaseFac.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		if ctx.Err() != nil {
			return nil
		}
		return errors.New("nodelifecycle: informer caches did not sync")
	}
	c.log.Info("started", "gracePeriod", c.opts.GracePeriod, "monitorPeriod", c.opts.MonitorPeriod)
	t := time.NewTicker(c.opts.MonitorPeriod)
	defer t.Stop()
	for {
		if err := c.monitor(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("monitoring nodes", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// monitor is one pass over every node.
func (c *Controller) monitor(ctx context.Context) error {
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var errs []error
	for _, node := range nodes {
		seen[node.Name] = true
		if err := c.monitorNode(ctx, node); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("node %s: %w", node.Name, err))
		}
	}
	for name := range c.beats {
		if !seen[name] {
			delete(c.beats, name)
			delete(c.ready, name)
		}
	}
	return errors.Join(errs...)
}

func (c *Controller) monitorNode(ctx context.Context, node *corev1.Node) error {
	now := c.now()
	var lease *coordinationv1.Lease
	if l, err := c.leases.Leases(corev1.NamespaceNodeLease).Get(node.Name); err == nil {
		lease = l
	}
	prev, known := c.beats[node.Name]
	var prevp *heartbeat
	if known {
		prevp = &prev
	}
	hb := observe(prevp, node, lease, now)
	c.beats[node.Name] = hb

	if conds := unknownConditions(node, hb, now, c.opts.GracePeriod); conds != nil {
		updated, err := c.setConditions(ctx, node, conds)
		if err != nil {
			return err
		}
		node = updated
		c.beats[node.Name] = observe(&hb, node, lease, now) // our own write is no sign of life
		c.log.Info("node stopped posting status", "node", node.Name, "lastHeartbeat", hb.observed.Format(time.RFC3339))
	}
	status := readyStatus(node)
	if c.ready[node.Name] != status {
		if _, was := c.ready[node.Name]; was || status != corev1.ConditionTrue {
			c.metrics.transitions.WithLabelValues(string(status)).Inc()
			reason := "NodeReady"
			if status != corev1.ConditionTrue {
				reason = "NodeNotReady"
			}
			c.recorder.Eventf(nodeRef(node), corev1.EventTypeNormal, reason, "Node %s status is now: %s", node.Name, reason)
		}
		c.ready[node.Name] = status
	}

	if _, changed := desiredTaints(node, now); changed {
		updated, err := c.updateTaints(ctx, node.Name)
		if err != nil {
			return err
		}
		node = updated
	}
	objs, err := c.pods.ByIndex(nodeNameIdx, node.Name)
	if err != nil {
		return err
	}
	pods := make([]*corev1.Pod, 0, len(objs))
	for _, o := range objs {
		pods = append(pods, o.(*corev1.Pod))
	}
	var errs []error
	if status != corev1.ConditionTrue {
		for _, p := range podsToMarkNotReady(pods) {
			if err := c.markNotReady(ctx, p); err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, err)
			}
		}
	}
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if at, ok := evictAt(p, node.Spec.Taints); ok && !now.Before(at) {
			if err := c.evict(ctx, p); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func nodeRef(node *corev1.Node) *corev1.ObjectReference {
	// Kubernetes reports node events with the node's name as UID
	return &corev1.ObjectReference{Kind: "Node", Name: node.Name, UID: node.UID}
}

// setConditions writes the node's new conditions through /status.
func (c *Controller) setConditions(ctx context.Context, node *corev1.Node, conds []corev1.NodeCondition) (*corev1.Node, error) {
	n := node.DeepCopy()
	n.Status.Conditions = conds
	return c.client.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
}

// updateTaints re-reads the node and writes its desired taints, retrying
// on conflicts with the agent's own writes.
func (c *Controller) updateTaints(ctx context.Context, name string) (*corev1.Node, error) {
	var out *corev1.Node
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		n, err := c.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		taints, changed := desiredTaints(n, c.now())
		if !changed {
			out = n
			return nil
		}
		n.Spec.Taints = taints
		out, err = c.client.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
		if err == nil {
			c.log.Info("node taints", "node", name, "taints", taintKeys(taints))
		}
		return err
	})
	return out, err
}

func taintKeys(taints []corev1.Taint) []string {
	var out []string
	for _, t := range taints {
		out = append(out, t.Key+":"+string(t.Effect))
	}
	return out
}

// markNotReady sets the pod's Ready condition False, as Kubernetes'
// MarkPodsNotReady does, so Services stop sending to it.
func (c *Controller) markNotReady(ctx context.Context, pod *corev1.Pod) error {
	p := pod.DeepCopy()
	now := metav1.NewTime(c.now())
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == corev1.PodReady {
			p.Status.Conditions[i].Status = corev1.ConditionFalse
			p.Status.Conditions[i].LastTransitionTime = now
		}
	}
	if _, err := c.client.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		return err
	}
	c.recorder.Event(pod, corev1.EventTypeWarning, "NodeNotReady", "Node is not ready")
	return nil
}

// evict deletes a pod from a tainted node: first the DisruptionTarget
// condition saying why, then a graceful delete of exactly this pod.
func (c *Controller) evict(ctx context.Context, pod *corev1.Pod) error {
	p := pod.DeepCopy()
	cond := corev1.PodCondition{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue,
		Reason: "DeletionByTaintManager", Message: "Taint manager: deleting due to NoExecute taint",
		LastTransitionTime: metav1.NewTime(c.now())}
	replaced := false
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == corev1.DisruptionTarget {
			p.Status.Conditions[i], replaced = cond, true
		}
	}
	if !replaced {
		p.Status.Conditions = append(p.Status.Conditions, cond)
	}
	if _, err := c.client.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
		return err
	}
	c.recorder.Eventf(pod, corev1.EventTypeNormal, "TaintManagerEviction", "Marking for deletion Pod %s/%s", pod.Namespace, pod.Name)
	uid := pod.UID
	if err := c.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}}); err != nil {
		return err
	}
	c.metrics.evictions.Inc()
	c.log.Info("evicted pod from tainted node", "pod", pod.Namespace+"/"+pod.Name, "node", pod.Spec.NodeName)
	return nil
}
