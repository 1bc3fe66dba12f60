package statefulset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// revisionHistoryLimit is the API's default for spec.revisionHistoryLimit.
const revisionHistoryLimit = 10

// errCacheBehind: a create hit an object the cache does not show yet. Not
// a failure: the informer event that is on its way requeues the set.
var errCacheBehind = errors.New("cache behind the API")

// sync runs one pass for the StatefulSet key and returns when to look again
// without an event.
func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	set, err := c.setLister.StatefulSets(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	selector, err := metav1.LabelSelectorAsSelector(set.Spec.Selector)
	if err != nil || selector.Empty() {
		c.log.Warn("ignoring statefulset with an invalid or empty selector", "statefulset", key, "err", err)
		return 0, nil
	}
	if set.DeletionTimestamp != nil {
		return 0, nil // the garbage collector takes pods, revisions and (whenDeleted: Delete) claims
	}
	revs, err := c.claimRevisions(ctx, set, selector)
	if err != nil {
		return 0, err
	}
	pods, err := c.claimPods(ctx, set, selector)
	if err != nil {
		return 0, err
	}
	cur, upd, collisions, err := c.revisions(ctx, set, revs)
	if err != nil {
		return 0, err
	}
	in := observed{Set: set, Current: cur.Name, Update: upd.Name, Pods: pods, Now: c.clock.Now()}
	if in.CurrentTmpl, err = templateOf(cur); err != nil {
		return 0, err
	}
	if in.UpdateTmpl, err = templateOf(upd); err != nil {
		return 0, err
	}
	in.Claims, err = c.claims(set)
	if err != nil {
		return 0, err
	}
	d := plan(in)
	if d.Waiting != "" {
		c.log.Debug("waiting", "statefulset", key, "why", d.Waiting)
	}
	for _, f := range d.FailedCreates {
		c.recordPod(set, "create", f.Pod, errors.New(f.Err))
	}
	actErr := c.execute(ctx, set, d.Actions)
	st := d.Status
	st.CollisionCount = &collisions
	errs := []error{c.updateStatus(ctx, set, st)}
	if actErr == nil {
		errs = append(errs, c.truncateHistory(ctx, set, revs, pods, cur, upd))
	} else if !errors.Is(actErr, errCacheBehind) {
		errs = append(errs, actErr)
	}
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	if errors.Is(actErr, errCacheBehind) {
		return time.Second, nil
	}
	return d.Requeue, nil
}

// claimPods adopts and releases, returning the pods the set controls: its
// selector matches and their names say they are its members.
func (c *Controller) claimPods(ctx context.Context, set *appsv1.StatefulSet, selector labels.Selector) ([]*corev1.Pod, error) {
	all, err := c.podLister.Pods(set.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	api := c.client.CoreV1().Pods(set.Namespace)
	return podutil.ClaimObjects(ctx, set, podutil.NewControllerRef(set, controllerKind), all,
		func(p *corev1.Pod) bool { return selector.Matches(labels.Set(p.Labels)) && isMember(set, p) },
		func(ctx context.Context, name string, body []byte) (*corev1.Pod, error) {
			return api.Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{})
		},
		c.sameSet(set))
}

// claimRevisions adopts and releases the set's ControllerRevisions.
func (c *Controller) claimRevisions(ctx context.Context, set *appsv1.StatefulSet, selector labels.Selector) ([]*appsv1.ControllerRevision, error) {
	all, err := c.crLister.ControllerRevisions(set.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	api := c.client.AppsV1().ControllerRevisions(set.Namespace)
	return podutil.ClaimObjects(ctx, set, podutil.NewControllerRef(set, controllerKind), all,
		func(cr *appsv1.ControllerRevision) bool { return selector.Matches(labels.Set(cr.Labels)) },
		func(ctx context.Context, name string, body []byte) (*appsv1.ControllerRevision, error) {
			return api.Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{})
		},
		c.sameSet(set))
}

// sameSet confirms with an uncached read that set still exists as the same
// object before anything is adopted.
func (c *Controller) sameSet(set *appsv1.StatefulSet) func(context.Context) (bool, error) {
	api := c.client.AppsV1().StatefulSets(set.Namespace)
	return podutil.SameObject(func(ctx context.Context) (*appsv1.StatefulSet, error) {
		return api.Get(ctx, set.Name, metav1.GetOptions{})
	}, set)
}

// claims are the namespace's claims by name, when the set makes any.
func (c *Controller) claims(set *appsv1.StatefulSet) (map[string]*corev1.PersistentVolumeClaim, error) {
	out := map[string]*corev1.PersistentVolumeClaim{}
	if len(set.Spec.VolumeClaimTemplates) == 0 {
		return out, nil
	}
	list, err := c.claimLister.PersistentVolumeClaims(set.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	for _, cl := range list {
		out[cl.Name] = cl
	}
	return out, nil
}

// revisions makes sure a revision records the set's template and returns
// the current and update revisions and the collision count.
func (c *Controller) revisions(ctx context.Context, set *appsv1.StatefulSet, revs []*appsv1.ControllerRevision) (cur, upd *appsv1.ControllerRevision, collisions int32, err error) {
	if set.Status.CollisionCount != nil {
		collisions = *set.Status.CollisionCount
	}
	sortRevisions(revs)
	data, err := templatePatch(set)
	if err != nil {
		return nil, nil, 0, err
	}
	api := c.client.AppsV1().ControllerRevisions(set.Namespace)
	step := planRevision(revs, data)
	switch {
	case step.Update != nil && !step.Renumber:
		upd = step.Update
	case step.Update != nil:
		cp := step.Update.DeepCopy()
		cp.Revision = step.Next
		if upd, err = api.Update(ctx, cp, metav1.UpdateOptions{}); err != nil {
			return nil, nil, 0, fmt.Errorf("renumbering revision %s: %w", cp.Name, err)
		}
	default:
		// A name taken by a revision of other data is a hash collision:
		// count it and hash again, as Kubernetes does.
		for upd == nil {
			cr := buildRevision(set, data, step.Next, collisions)
			created, err := api.Create(ctx, cr, metav1.CreateOptions{})
			if err == nil {
				upd = created
				break
			}
			if !apierrors.IsAlreadyExists(err) {
				return nil, nil, 0, fmt.Errorf("creating revision %s: %w", cr.Name, err)
			}
			existing, err := api.Get(ctx, cr.Name, metav1.GetOptions{})
			if err != nil {
				return nil, nil, 0, err
			}
			if equalData(existing.Data.Raw, data) {
				upd = existing
				break
			}
			collisions++
		}
	}
	cur = upd
	for _, cr := range revs {
		if cr.Name == set.Status.CurrentRevision {
			cur = cr
		}
	}
	return cur, upd, collisions, nil
}

// truncateHistory deletes revisions beyond revisionHistoryLimit that are
// neither current, update nor used by a pod.
func (c *Controller) truncateHistory(ctx context.Context, set *appsv1.StatefulSet, revs []*appsv1.ControllerRevision, pods []*corev1.Pod, cur, upd *appsv1.ControllerRevision) error {
	limit := int32(revisionHistoryLimit)
	if set.Spec.RevisionHistoryLimit != nil {
		limit = *set.Spec.RevisionHistoryLimit
	}
	keep := map[string]bool{cur.Name: true, upd.Name: true}
	for _, p := range pods {
		keep[revisionOf(p)] = true
	}
	var errs []error
	for _, cr := range revisionsToDelete(revs, limit, keep) {
		err := c.client.AppsV1().ControllerRevisions(set.Namespace).Delete(ctx, cr.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &cr.UID}})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Event reasons, as Kubernetes records them.
const (
	eventSuccessfulCreate = "SuccessfulCreate"
	eventSuccessfulDelete = "SuccessfulDelete"
	eventSuccessfulUpdate = "SuccessfulUpdate"
	eventFailedCreate     = "FailedCreate"
	eventFailedDelete     = "FailedDelete"
	eventFailedUpdate     = "FailedUpdate"
)

// recordPod records the outcome of verb on a pod with Kubernetes' wording:
// "create Pod web-0 in StatefulSet web successful".
func (c *Controller) recordPod(set *appsv1.StatefulSet, verb, pod string, err error) {
	title := strings.ToUpper(verb[:1]) + verb[1:]
	if err == nil {
		c.recorder.Eventf(set, corev1.EventTypeNormal, "Successful"+title, "%s Pod %s in StatefulSet %s successful", verb, pod, set.Name)
		return
	}
	c.recorder.Eventf(set, corev1.EventTypeWarning, "Failed"+title, "%s Pod %s in StatefulSet %s failed error: %v", verb, pod, set.Name, err)
}

// recordClaim is recordPod for claims: "create Claim www-web-0 Pod web-0
// in StatefulSet web success".
func (c *Controller) recordClaim(set *appsv1.StatefulSet, verb, claim, pod string, err error) {
	title := strings.ToUpper(verb[:1]) + verb[1:]
	if err == nil {
		c.recorder.Eventf(set, corev1.EventTypeNormal, "Successful"+title, "%s Claim %s Pod %s in StatefulSet %s success", verb, claim, pod, set.Name)
		return
	}
	c.recorder.Eventf(set, corev1.EventTypeWarning, "Failed"+title, "%s Claim %s for Pod %s in StatefulSet %s failed error: %v", verb, claim, pod, set.Name, err)
}

// execute carries out the actions in order, stopping at the first failure.
func (c *Controller) execute(ctx context.Context, set *appsv1.StatefulSet, actions []action) error {
	for _, a := range actions {
		c.log.Info(a.Type.String(), "statefulset", keyOf(set), "pod", a.Pod.Name, "why", a.Why)
		var err error
		switch a.Type {
		case createPod:
			if err = c.createClaims(ctx, set, a.Pod.Name, a.Claims); err != nil {
				c.recordPod(set, "create", a.Pod.Name, err)
				return err
			}
			_, err = c.client.CoreV1().Pods(set.Namespace).Create(ctx, a.Pod, metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				return errCacheBehind
			}
			c.recordPod(set, "create", a.Pod.Name, err)
		case createClaims:
			err = c.createClaims(ctx, set, a.Pod.Name, a.Claims)
		case deletePod:
			uid := a.Pod.UID
			err = c.client.CoreV1().Pods(set.Namespace).Delete(ctx, a.Pod.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
			if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
				continue // already gone, or replaced
			}
			c.recordPod(set, "delete", a.Pod.Name, err)
		case fixIdentity:
			body, _ := json.Marshal(map[string]any{"metadata": map[string]any{
				"uid": a.Pod.UID, "resourceVersion": a.Pod.ResourceVersion, "labels": identityLabels(a.Pod),
			}})
			_, err = c.client.CoreV1().Pods(set.Namespace).Patch(ctx, a.Pod.Name, types.MergePatchType, body, metav1.PatchOptions{})
			if err != nil {
				c.recordPod(set, "update", a.Pod.Name, err)
			}
		case setClaimOwners:
			for _, cl := range a.Claims {
				if _, err = c.client.CoreV1().PersistentVolumeClaims(set.Namespace).Update(ctx, cl, metav1.UpdateOptions{}); err != nil {
					c.recordClaim(set, "update", cl.Name, a.Pod.Name, err)
					break
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// createClaims creates claims absent from the cache; one that exists
// already (the cache is behind) is fine.
func (c *Controller) createClaims(ctx context.Context, set *appsv1.StatefulSet, pod string, claims []*corev1.PersistentVolumeClaim) error {
	for _, cl := range claims {
		_, err := c.client.CoreV1().PersistentVolumeClaims(set.Namespace).Create(ctx, cl, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		c.recordClaim(set, "create", cl.Name, pod, err)
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *Controller) updateStatus(ctx context.Context, set *appsv1.StatefulSet, st appsv1.StatefulSetStatus) error {
	if equality.Semantic.DeepEqual(set.Status, st) {
		return nil
	}
	cp := set.DeepCopy()
	cp.Status = st
	_, err := c.client.AppsV1().StatefulSets(set.Namespace).UpdateStatus(ctx, cp, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
