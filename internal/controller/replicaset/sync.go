package replicaset

import (
	"context"
	"errors"
	"sync"
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
)

// sync runs one pass for the ReplicaSet key. It returns when the ReplicaSet
// should be looked at again although no event may come (a pod passing
// minReadySeconds).
func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	rs, err := c.rsLister.ReplicaSets(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.expectations.Forget(key)
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	selector, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
	if err != nil || selector.Empty() {
		// The API server rejects these; nothing sensible can be done.
		c.log.Warn("ignoring replicaset with an invalid or empty selector", "replicaset", key, "err", err)
		return 0, nil
	}
	// Read before listing: an observation arriving in between must not
	// be missed by both.
	canManage := c.expectations.Satisfied(key)
	all, err := c.podLister.Pods(ns).List(labels.Everything())
	if err != nil {
		return 0, err
	}
	pods, err := c.claimPods(ctx, rs, selector, activePods(all))
	if err != nil {
		return 0, err
	}
	var (
		fail      *failure
		manageErr error
	)
	if canManage && rs.DeletionTimestamp == nil {
		pods, fail, manageErr = c.manage(ctx, key, rs, pods, all)
	}
	now := c.clock.Now()
	if err := c.updateStatus(ctx, rs, calculateStatus(rs, pods, fail, now)); err != nil {
		return 0, errors.Join(manageErr, err)
	}
	return nextAvailabilityCheck(rs, pods, now), manageErr
}

// claimPods adopts and releases, returning the active pods the ReplicaSet
// now controls.
func (c *Controller) claimPods(ctx context.Context, rs *appsv1.ReplicaSet, selector labels.Selector, pods []*corev1.Pod) ([]*corev1.Pod, error) {
	podsAPI := c.client.CoreV1().Pods(rs.Namespace)
	rsAPI := c.client.AppsV1().ReplicaSets(rs.Namespace)
	return podutil.ClaimObjects(ctx, rs, podutil.NewControllerRef(rs, controllerKind), pods,
		func(p *corev1.Pod) bool { return selector.Matches(labels.Set(p.Labels)) },
		func(ctx context.Context, name string, body []byte) (*corev1.Pod, error) {
			return podsAPI.Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{})
		},
		// The cache may be stale: make sure the ReplicaSet still exists, is
		// the same object and is not being deleted before taking pods over.
		podutil.SameObject(func(ctx context.Context) (*appsv1.ReplicaSet, error) {
			return rsAPI.Get(ctx, rs.Name, metav1.GetOptions{})
		}, rs))
}

// manage creates or deletes pods so that spec.replicas of them are active.
// It returns the active pods left (minus those it deleted) and the failure
// to report, if any.
func (c *Controller) manage(ctx context.Context, key string, rs *appsv1.ReplicaSet, pods, all []*corev1.Pod) ([]*corev1.Pod, *failure, error) {
	diff := replicasDiff(len(pods), wantReplicas(rs))
	switch {
	case diff > 0:
		c.log.Info("creating pods", "replicaset", key, "want", wantReplicas(rs), "have", len(pods), "creating", diff)
		fail, err := c.createPods(ctx, key, rs, diff)
		return pods, fail, err
	case diff < 0:
		victims := podsToDelete(pods, c.related(rs, all), -diff)
		c.log.Info("deleting pods", "replicaset", key, "want", wantReplicas(rs), "have", len(pods), "deleting", len(victims))
		gone, fail, err := c.deletePods(ctx, key, rs, victims)
		var left []*corev1.Pod
		for _, p := range pods {
			if !gone[p.UID] {
				left = append(left, p)
			}
		}
		return left, fail, err
	}
	return pods, nil, nil
}

func (c *Controller) createPods(ctx context.Context, key string, rs *appsv1.ReplicaSet, n int) (*failure, error) {
	c.expectations.Expect(key, n, nil)
	tmpl := newPod(rs)
	ok, err := podutil.SlowStart(n, podutil.SlowStartInitialBatch, func() error {
		pod, err := c.client.CoreV1().Pods(rs.Namespace).Create(ctx, tmpl.DeepCopy(), metav1.CreateOptions{})
		if err != nil {
			if !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
				c.recorder.Eventf(rs, corev1.EventTypeWarning, eventFailedCreate, "Error creating: %v", err)
			}
			return err
		}
		c.recorder.Eventf(rs, corev1.EventTypeNormal, eventSuccessfulCreate, "Created pod: %s", pod.Name)
		return nil
	})
	if missing := n - ok; missing > 0 {
		// Failed or never sent: the informer will not report them.
		c.expectations.CreationsFailed(key, missing)
	}
	if err == nil || apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
		// A terminating namespace takes the ReplicaSet with it.
		return nil, nil
	}
	return &failure{Reason: reasonFailedCreate, Message: err.Error()}, err
}

// deletePods deletes victims concurrently and returns the UIDs that are
// gone.
func (c *Controller) deletePods(ctx context.Context, key string, rs *appsv1.ReplicaSet, victims []*corev1.Pod) (map[types.UID]bool, *failure, error) {
	uids := make([]types.UID, len(victims))
	for i, p := range victims {
		uids[i] = p.UID
	}
	c.expectations.Expect(key, 0, uids)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		gone = map[types.UID]bool{}
		errs []error
	)
	for _, p := range victims {
		wg.Go(func() {
			uid := p.UID
			err := c.client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
			if err != nil {
				// The informer will not report what did not happen.
				c.expectations.DeletionObserved(key, uid)
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				gone[uid] = true
				c.recorder.Eventf(rs, corev1.EventTypeNormal, eventSuccessfulDelete, "Deleted pod: %s", p.Name)
			case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
				gone[uid] = true // already gone (or replaced by another pod of that name)
			default:
				c.recorder.Eventf(rs, corev1.EventTypeWarning, eventFailedDelete, "Error deleting: %v", err)
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return gone, &failure{Reason: reasonFailedDelete, Message: err.Error()}, err
	}
	return gone, nil, nil
}

// related are the active pods of rs and of its siblings (ReplicaSets with the
// same controller), for spreading deletions across nodes.
func (c *Controller) related(rs *appsv1.ReplicaSet, all []*corev1.Pod) []*corev1.Pod {
	owners := map[types.UID]bool{rs.UID: true}
	if ctrl := metav1.GetControllerOfNoCopy(rs); ctrl != nil {
		if siblings, err := c.rsLister.ReplicaSets(rs.Namespace).List(labels.Everything()); err == nil {
			for _, s := range siblings {
				if podutil.IsControlledBy(s, ctrl.UID) {
					owners[s.UID] = true
				}
			}
		}
	}
	var out []*corev1.Pod
	for _, p := range all {
		if ref := metav1.GetControllerOfNoCopy(p); ref != nil && owners[ref.UID] && podutil.IsActive(p) {
			out = append(out, p)
		}
	}
	return out
}

func (c *Controller) updateStatus(ctx context.Context, rs *appsv1.ReplicaSet, st appsv1.ReplicaSetStatus) error {
	if equality.Semantic.DeepEqual(rs.Status, st) {
		return nil
	}
	cp := rs.DeepCopy()
	cp.Status = st
	_, err := c.client.AppsV1().ReplicaSets(rs.Namespace).UpdateStatus(ctx, cp, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
