package daemonset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// Event reasons, as Kubernetes records them.
const (
	eventSuccessfulCreate = "SuccessfulCreate"
	eventSuccessfulDelete = "SuccessfulDelete"
	eventFailedCreate     = "FailedCreate"
	eventFailedDelete     = "FailedDelete"
	eventFailedDaemonPod  = "FailedDaemonPod"
	eventSelectingAll     = "SelectingAll"
)

// sync runs one pass for the DaemonSet key and returns when to look again
// without an event.
func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	ds, err := c.dsLister.DaemonSets(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.expectations.Forget(key)
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if ds.Spec.Selector == nil || reflect.DeepEqual(*ds.Spec.Selector, metav1.LabelSelector{}) {
		c.recorder.Event(ds, corev1.EventTypeWarning, eventSelectingAll, "This daemon set is selecting all pods. A non-empty selector is required.")
		return 0, nil
	}
	selector, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		c.log.Warn("ignoring daemonset with an invalid selector", "daemonset", key, "err", err)
		return 0, nil
	}
	if ds.DeletionTimestamp != nil {
		return 0, nil // the garbage collector takes its pods
	}
	nodes, err := c.nodeLister.List(labels.Everything())
	if err != nil {
		return 0, err
	}
	cur, old, err := c.history(ctx, ds, selector)
	if err != nil {
		return 0, err
	}
	hash := hashOf(ds, cur)
	// Read before listing: an observation arriving in between must not be
	// missed by both.
	canManage := c.expectations.Satisfied(key)
	pods, err := c.claimPods(ctx, ds, selector)
	if err != nil {
		return 0, err
	}
	byNode := groupByNode(pods)
	now := c.clock.Now()
	if !canManage {
		// Pods in flight: report, but do not claim to have acted on this
		// generation.
		return nextAvailabilityCheck(ds, byNode, now), c.updateStatus(ctx, ds, calculateStatus(ds, nodes, byNode, hash, false, now))
	}

	res := manage(ds, nodes, byNode, hash, now)
	del, createOn := res.Delete, res.CreateOn
	var retryFailed time.Duration
	for _, p := range res.Failed {
		bk := string(ds.UID) + "/" + targetNode(p)
		if c.failedPods.IsInBackOffSinceUpdate(bk, now) {
			if d := c.failedPods.Get(bk); retryFailed == 0 || d < retryFailed {
				retryFailed = d
			}
			continue
		}
		c.failedPods.Next(bk, now)
		c.recorder.Eventf(ds, corev1.EventTypeWarning, eventFailedDaemonPod, "Found failed daemon pod %s/%s on node %s, will try to kill it", p.Namespace, p.Name, targetNode(p))
		del = append(del, p)
	}
	if res.empty() && isRollingUpdate(ds) {
		del, createOn = rollingUpdate(ds, nodes, byNode, hash, now)
	}
	gone, syncErr := c.syncNodes(ctx, key, ds, createOn, del, hash)
	for n, list := range byNode {
		var kept []*corev1.Pod
		for _, p := range list {
			if !gone[p.UID] {
				kept = append(kept, p)
			}
		}
		byNode[n] = kept
	}
	errs := []error{syncErr, c.cleanupHistory(ctx, ds, old, pods)}
	errs = append(errs, c.updateStatus(ctx, ds, calculateStatus(ds, nodes, byNode, hash, true, now)))
	after := nextAvailabilityCheck(ds, byNode, now)
	if retryFailed > 0 && (after == 0 || retryFailed < after) {
		after = retryFailed
	}
	return after, errors.Join(errs...)
}

// claimPods adopts and releases, returning all pods (any phase) ds
// controls.
func (c *Controller) claimPods(ctx context.Context, ds *appsv1.DaemonSet, selector labels.Selector) ([]*corev1.Pod, error) {
	all, err := c.podLister.Pods(ds.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	podsAPI := c.client.CoreV1().Pods(ds.Namespace)
	return podutil.ClaimObjects(ctx, ds, podutil.NewControllerRef(ds, controllerKind), all,
		func(p *corev1.Pod) bool { return selector.Matches(labels.Set(p.Labels)) },
		func(ctx context.Context, name string, body []byte) (*corev1.Pod, error) {
			return podsAPI.Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{})
		},
		c.sameDaemonSet(ds))
}

func (c *Controller) sameDaemonSet(ds *appsv1.DaemonSet) func(context.Context) (bool, error) {
	api := c.client.AppsV1().DaemonSets(ds.Namespace)
	return podutil.SameObject(func(ctx context.Context) (*appsv1.DaemonSet, error) {
		return api.Get(ctx, ds.Name, metav1.GetOptions{})
	}, ds)
}

// history claims ds's ControllerRevisions and makes sure one records the
// current template with the highest revision number: found (a rollback
// brings an old one back to the top), or created. It returns it and the
// old ones.
func (c *Controller) history(ctx context.Context, ds *appsv1.DaemonSet, selector labels.Selector) (*appsv1.ControllerRevision, []*appsv1.ControllerRevision, error) {
	list, err := c.crLister.ControllerRevisions(ds.Namespace).List(labels.Everything())
	if err != nil {
		return nil, nil, err
	}
	crAPI := c.client.AppsV1().ControllerRevisions(ds.Namespace)
	owned, err := podutil.ClaimObjects(ctx, ds, podutil.NewControllerRef(ds, controllerKind), list,
		func(cr *appsv1.ControllerRevision) bool { return selector.Matches(labels.Set(cr.Labels)) },
		func(ctx context.Context, name string, body []byte) (*appsv1.ControllerRevision, error) {
			return crAPI.Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{})
		},
		c.sameDaemonSet(ds))
	if err != nil {
		return nil, nil, err
	}
	data, err := revisionData(ds)
	if err != nil {
		return nil, nil, err
	}
	h := splitHistory(owned, data)
	cur := h.Current
	if cur == nil {
		if cur, err = c.createRevision(ctx, ds, data, h.Next); err != nil {
			return nil, nil, err
		}
	}
	for _, dup := range h.Duplicates {
		if err := c.dropDuplicate(ctx, ds, dup, hashOf(ds, cur)); err != nil {
			return nil, nil, err
		}
	}
	if cur.Revision < h.Next {
		cp := cur.DeepCopy()
		cp.Revision = h.Next
		if cur, err = crAPI.Update(ctx, cp, metav1.UpdateOptions{}); err != nil {
			return nil, nil, fmt.Errorf("renumbering revision %s: %w", cp.Name, err)
		}
	}
	return cur, h.Old, nil
}

// createRevision snapshots the template. A name already taken by our own
// record of the same template means the cache is behind; by anything else,
// a hash collision, resolved by bumping status.collisionCount.
func (c *Controller) createRevision(ctx context.Context, ds *appsv1.DaemonSet, data []byte, revision int64) (*appsv1.ControllerRevision, error) {
	api := c.client.AppsV1().ControllerRevisions(ds.Namespace)
	cr := newRevision(ds, data, revisionHash(data, ds.Status.CollisionCount), revision)
	created, err := api.Create(ctx, cr, metav1.CreateOptions{})
	if err == nil {
		return created, nil
	}
	if !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("creating revision %s: %w", cr.Name, err)
	}
	existing, err := api.Get(ctx, cr.Name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	if podutil.IsControlledBy(existing, ds.UID) && sameData(existing.Data.Raw, data) {
		return existing, nil
	}
	st := ds.Status.DeepCopy()
	n := int32(1)
	if st.CollisionCount != nil {
		n = *st.CollisionCount + 1
	}
	st.CollisionCount = &n
	if err := c.updateStatus(ctx, ds, *st); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("hash collision on revision name %s; collisionCount now %d", cr.Name, n)
}

// dropDuplicate moves pods labelled with a duplicate revision's hash to the
// kept one's and deletes the duplicate.
func (c *Controller) dropDuplicate(ctx context.Context, ds *appsv1.DaemonSet, dup *appsv1.ControllerRevision, keep string) error {
	dupHash := hashOf(ds, dup)
	if dupHash != keep {
		pods, err := c.podLister.Pods(ds.Namespace).List(labels.SelectorFromSet(labels.Set{hashLabel: dupHash}))
		if err != nil {
			return err
		}
		body, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]string{hashLabel: keep}}})
		for _, p := range pods {
			if !podutil.IsControlledBy(p, ds.UID) {
				continue
			}
			if _, err := c.client.CoreV1().Pods(p.Namespace).Patch(ctx, p.Name, types.MergePatchType, body, metav1.PatchOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return err
			}
		}
	}
	err := c.client.AppsV1().ControllerRevisions(ds.Namespace).Delete(ctx, dup.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &dup.UID}})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}

// cleanupHistory deletes old revisions beyond revisionHistoryLimit that no
// pod uses.
func (c *Controller) cleanupHistory(ctx context.Context, ds *appsv1.DaemonSet, old []*appsv1.ControllerRevision, pods []*corev1.Pod) error {
	limit := int32(10)
	if ds.Spec.RevisionHistoryLimit != nil {
		limit = *ds.Spec.RevisionHistoryLimit
	}
	live := map[string]bool{}
	for _, p := range pods {
		if h := p.Labels[hashLabel]; h != "" {
			live[h] = true
		}
	}
	var errs []error
	for _, cr := range historyToClean(old, limit, live, ds) {
		err := c.client.AppsV1().ControllerRevisions(ds.Namespace).Delete(ctx, cr.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &cr.UID}})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// syncNodes creates a pod on each node of createOn and deletes del,
// recording both as expectations first. It returns the UIDs of the pods
// that are gone.
func (c *Controller) syncNodes(ctx context.Context, key string, ds *appsv1.DaemonSet, createOn []string, del []*corev1.Pod, hash string) (map[types.UID]bool, error) {
	createOn = createOn[:min(len(createOn), burstReplicas)]
	del = del[:min(len(del), burstReplicas)]
	if len(createOn) == 0 && len(del) == 0 {
		return nil, nil
	}
	uids := make([]types.UID, len(del))
	for i, p := range del {
		uids[i] = p.UID
	}
	c.expectations.Expect(key, len(createOn), uids)
	var errs []error

	if len(createOn) > 0 {
		c.log.Info("creating daemon pods", "daemonset", key, "nodes", len(createOn))
		var next atomic.Int32
		ok, err := podutil.SlowStart(len(createOn), podutil.SlowStartInitialBatch, func() error {
			node := createOn[next.Add(1)-1]
			pod, err := c.client.CoreV1().Pods(ds.Namespace).Create(ctx, newPod(ds, node, hash), metav1.CreateOptions{})
			if err != nil {
				if !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
					c.recorder.Eventf(ds, corev1.EventTypeWarning, eventFailedCreate, "Error creating: %v", err)
				}
				return err
			}
			c.recorder.Eventf(ds, corev1.EventTypeNormal, eventSuccessfulCreate, "Created pod: %s", pod.Name)
			return nil
		})
		if missing := len(createOn) - ok; missing > 0 {
			c.expectations.CreationsFailed(key, missing)
		}
		if err != nil && !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			errs = append(errs, err)
		}
	}

	gone := map[types.UID]bool{}
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for _, p := range del {
		wg.Go(func() {
			uid := p.UID
			err := c.client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
			if err != nil {
				c.expectations.DeletionObserved(key, uid)
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				gone[uid] = true
				c.recorder.Eventf(ds, corev1.EventTypeNormal, eventSuccessfulDelete, "Deleted pod: %s", p.Name)
			case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
				gone[uid] = true
			default:
				c.recorder.Eventf(ds, corev1.EventTypeWarning, eventFailedDelete, "Error deleting: %v", err)
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return gone, errors.Join(errs...)
}

func (c *Controller) updateStatus(ctx context.Context, ds *appsv1.DaemonSet, st appsv1.DaemonSetStatus) error {
	if equality.Semantic.DeepEqual(ds.Status, st) {
		return nil
	}
	cp := ds.DeepCopy()
	cp.Status = st
	_, err := c.client.AppsV1().DaemonSets(ds.Namespace).UpdateStatus(ctx, cp, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
