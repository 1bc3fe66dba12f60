package deployment

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
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
	eventScaling      = "ScalingReplicaSet"
	eventFailedCreate = "FailedCreate"
	eventSelectingAll = "SelectingAll"
)

// sync runs one pass for the Deployment key and returns when to look again
// without an event.
func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	d, err := c.dLister.Deployments(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if d.Spec.Selector == nil || reflect.DeepEqual(*d.Spec.Selector, metav1.LabelSelector{}) {
		c.recorder.Event(d, corev1.EventTypeWarning, eventSelectingAll, "This deployment is selecting all pods. A non-empty selector is required.")
		if d.Status.ObservedGeneration < d.Generation {
			st := d.Status.DeepCopy()
			st.ObservedGeneration = d.Generation
			return 0, c.writeStatus(ctx, d, *st)
		}
		return 0, nil
	}
	selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		c.log.Warn("ignoring deployment with an invalid selector", "deployment", key, "err", err)
		return 0, nil
	}
	rss, err := c.claimReplicaSets(ctx, d, selector)
	if err != nil {
		return 0, err
	}
	var pods map[types.UID][]*corev1.Pod
	if d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		if pods, err = c.podsByRS(d, selector, rss); err != nil {
			return 0, err
		}
	}
	p := plan(d, rss, pods, c.clock.Now())
	if err := c.apply(ctx, d, p); err != nil {
		return 0, err
	}
	return p.Recheck, nil
}

// claimReplicaSets adopts and releases, returning the ReplicaSets d owns.
func (c *Controller) claimReplicaSets(ctx context.Context, d *appsv1.Deployment, selector labels.Selector) ([]*appsv1.ReplicaSet, error) {
	list, err := c.rsLister.ReplicaSets(d.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	rsAPI := c.client.AppsV1().ReplicaSets(d.Namespace)
	dAPI := c.client.AppsV1().Deployments(d.Namespace)
	return podutil.ClaimObjects(ctx, d, podutil.NewControllerRef(d, controllerKind), list,
		func(rs *appsv1.ReplicaSet) bool { return selector.Matches(labels.Set(rs.Labels)) },
		func(ctx context.Context, name string, body []byte) (*appsv1.ReplicaSet, error) {
			return rsAPI.Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{})
		},
		podutil.SameObject(func(ctx context.Context) (*appsv1.Deployment, error) {
			return dAPI.Get(ctx, d.Name, metav1.GetOptions{})
		}, d))
}

// podsByRS groups the pods d's selector covers by the ReplicaSet (of rss)
// controlling them.
func (c *Controller) podsByRS(d *appsv1.Deployment, selector labels.Selector, rss []*appsv1.ReplicaSet) (map[types.UID][]*corev1.Pod, error) {
	pods, err := c.podLister.Pods(d.Namespace).List(selector)
	if err != nil {
		return nil, err
	}
	out := make(map[types.UID][]*corev1.Pod, len(rss))
	for _, rs := range rss {
		out[rs.UID] = nil
	}
	for _, p := range pods {
		if ref := metav1.GetControllerOfNoCopy(p); ref != nil {
			if _, ok := out[ref.UID]; ok {
				out[ref.UID] = append(out[ref.UID], p)
			}
		}
	}
	return out, nil
}

// apply carries out p, stopping at the first failure (the next pass starts
// over from what is then observed).
func (c *Controller) apply(ctx context.Context, d *appsv1.Deployment, p Plan) error {
	key := d.Namespace + "/" + d.Name
	for _, w := range p.Writes {
		to := replicasOf(w.RS)
		if w.Create {
			_, err := c.client.AppsV1().ReplicaSets(d.Namespace).Create(ctx, w.RS, metav1.CreateOptions{})
			switch {
			case apierrors.IsAlreadyExists(err):
				return c.nameTaken(ctx, d, w.RS)
			case err != nil:
				if !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
					c.createFailed(ctx, d, w.RS, err)
				}
				return err
			}
			c.log.Info("created replicaset", "deployment", key, "replicaset", w.RS.Name, "replicas", to)
			if to > 0 {
				c.recorder.Eventf(d, corev1.EventTypeNormal, eventScaling, "Scaled up replica set %s from 0 to %d", w.RS.Name, to)
			}
			continue
		}
		if _, err := c.client.AppsV1().ReplicaSets(d.Namespace).Update(ctx, w.RS, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("updating replicaset %s: %w", w.RS.Name, err)
		}
		if w.From != to {
			op := "up"
			if to < w.From {
				op = "down"
			}
			c.log.Info("scaled replicaset", "deployment", key, "replicaset", w.RS.Name, "from", w.From, "to", to)
			c.recorder.Eventf(d, corev1.EventTypeNormal, eventScaling, "Scaled %s replica set %s from %d to %d", op, w.RS.Name, w.From, to)
		}
	}
	for _, rs := range p.Deletes {
		// Preconditions: only the ReplicaSet as planned on, not one a newer
		// pass (or a rollback) has scaled up since the cache was filled.
		pre := &metav1.Preconditions{UID: &rs.UID}
		if rs.ResourceVersion != "" {
			pre.ResourceVersion = &rs.ResourceVersion
		}
		err := c.client.AppsV1().ReplicaSets(rs.Namespace).Delete(ctx, rs.Name, metav1.DeleteOptions{Preconditions: pre})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting old replicaset %s: %w", rs.Name, err)
		}
		c.log.Info("deleted old replicaset", "deployment", key, "replicaset", rs.Name, "revision", rs.Annotations[revisionAnnotation])
	}
	base := d
	if p.Revision != "" {
		// Metadata moves through the main resource, not /status. The
		// resourceVersion makes a pass planned on a stale copy fail here
		// rather than write a stale status onto the fresh object below.
		md := map[string]any{"uid": d.UID, "annotations": map[string]string{revisionAnnotation: p.Revision}}
		if d.ResourceVersion != "" {
			md["resourceVersion"] = d.ResourceVersion
		}
		body, err := json.Marshal(map[string]any{"metadata": md})
		if err != nil {
			return err
		}
		if base, err = c.client.AppsV1().Deployments(d.Namespace).Patch(ctx, d.Name, types.MergePatchType, body, metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("setting revision: %w", err)
		}
	}
	if equality.Semantic.DeepEqual(d.Status, p.Status) {
		return nil
	}
	return c.writeStatus(ctx, base, p.Status)
}

func (c *Controller) writeStatus(ctx context.Context, d *appsv1.Deployment, st appsv1.DeploymentStatus) error {
	cp := d.DeepCopy()
	cp.Status = st
	_, err := c.client.AppsV1().Deployments(d.Namespace).UpdateStatus(ctx, cp, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// nameTaken handles a new ReplicaSet whose name exists: ours with this
// template means the cache is behind; anything else is a hash collision,
// resolved by bumping status.collisionCount, which changes the next hash.
func (c *Controller) nameTaken(ctx context.Context, d *appsv1.Deployment, want *appsv1.ReplicaSet) error {
	got, err := c.client.AppsV1().ReplicaSets(d.Namespace).Get(ctx, want.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if podutil.IsControlledBy(got, d.UID) && equalIgnoreHash(&got.Spec.Template, &d.Spec.Template) {
		return fmt.Errorf("replicaset %s exists but is not in the cache yet", want.Name)
	}
	st := d.Status.DeepCopy()
	n := int32(1)
	if st.CollisionCount != nil {
		n = *st.CollisionCount + 1
	}
	st.CollisionCount = &n
	if err := c.writeStatus(ctx, d, *st); err != nil {
		return err
	}
	return fmt.Errorf("hash collision on replicaset name %s; collisionCount now %d", want.Name, n)
}

// createFailed reports a failed creation of the new ReplicaSet.
func (c *Controller) createFailed(ctx context.Context, d *appsv1.Deployment, rs *appsv1.ReplicaSet, cause error) {
	msg := fmt.Sprintf("Failed to create new replica set %q: %v", rs.Name, cause)
	c.recorder.Event(d, corev1.EventTypeWarning, eventFailedCreate, msg)
	if !hasProgressDeadline(d) {
		return
	}
	st := d.Status.DeepCopy()
	setCondition(st, newCondition(appsv1.DeploymentProgressing, corev1.ConditionFalse, reasonFailedRSCreate, msg, c.clock.Now()))
	if err := c.writeStatus(ctx, d, *st); err != nil {
		c.log.Warn("recording the failed creation", "deployment", d.Namespace+"/"+d.Name, "err", err)
	}
}
