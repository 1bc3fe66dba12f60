package statefulset

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

func (c *Controller) enqueue(obj any) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return
	}
	c.queue.Add(key)
}

func keyOf(set *appsv1.StatefulSet) string { return set.Namespace + "/" + set.Name }

// unwrap returns the object of an event, also out of a tombstone.
func unwrap[T any](obj any) (T, bool) {
	if t, ok := obj.(T); ok {
		return t, true
	}
	var zero T
	tomb, ok := obj.(cache.DeletedFinalStateUnknown)
	if !ok {
		return zero, false
	}
	t, ok := tomb.Obj.(T)
	return t, ok
}

// owner resolves a controller reference to a StatefulSet in the cache.
func (c *Controller) owner(namespace string, ref *metav1.OwnerReference) *appsv1.StatefulSet {
	if ref == nil || ref.Kind != controllerKind.Kind || ref.APIVersion != controllerKind.GroupVersion().String() {
		return nil
	}
	set, err := c.setLister.StatefulSets(namespace).Get(ref.Name)
	if err != nil || set.UID != ref.UID {
		return nil
	}
	return set
}

// enqueueFor queues the set controlling obj or, for an orphan, every set
// whose selector covers its labels (it may be adopted).
func (c *Controller) enqueueFor(obj metav1.Object) {
	if ref := metav1.GetControllerOfNoCopy(obj); ref != nil {
		if set := c.owner(obj.GetNamespace(), ref); set != nil {
			c.queue.Add(keyOf(set))
		}
		return
	}
	sets, err := c.setLister.StatefulSets(obj.GetNamespace()).List(labels.Everything())
	if err != nil {
		return
	}
	for _, set := range sets {
		sel, err := metav1.LabelSelectorAsSelector(set.Spec.Selector)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(obj.GetLabels())) {
			c.queue.Add(keyOf(set))
		}
	}
}

func (c *Controller) podChanged(obj any) {
	if p, ok := unwrap[*corev1.Pod](obj); ok {
		c.enqueueFor(p)
	}
}

func (c *Controller) updatePod(oldObj, curObj any) {
	old, ok1 := oldObj.(*corev1.Pod)
	cur, ok2 := curObj.(*corev1.Pod)
	if !ok1 || !ok2 || (cur.ResourceVersion != "" && cur.ResourceVersion == old.ResourceVersion) {
		return
	}
	c.enqueueFor(cur)
	if oldRef := metav1.GetControllerOfNoCopy(old); oldRef != nil {
		if curRef := metav1.GetControllerOfNoCopy(cur); curRef == nil || curRef.UID != oldRef.UID {
			c.enqueueFor(old)
		}
	}
	// A pod turning ready becomes available minReadySeconds later.
	if set := c.owner(cur.Namespace, metav1.GetControllerOfNoCopy(cur)); set != nil && set.Spec.MinReadySeconds > 0 &&
		!podutil.IsReady(old) && podutil.IsReady(cur) {
		c.queue.AddAfter(keyOf(set), time.Duration(set.Spec.MinReadySeconds)*time.Second+time.Second)
	}
}

func (c *Controller) revisionChanged(obj any) {
	if cr, ok := unwrap[*appsv1.ControllerRevision](obj); ok {
		c.enqueueFor(cr)
	}
}

// claimChanged: a claim came, went or changed owners; the sets of its
// namespace that make claims may be waiting for that.
func (c *Controller) claimChanged(obj any) {
	claim, ok := unwrap[*corev1.PersistentVolumeClaim](obj)
	if !ok {
		return
	}
	sets, err := c.setLister.StatefulSets(claim.Namespace).List(labels.Everything())
	if err != nil {
		return
	}
	for _, set := range sets {
		if len(set.Spec.VolumeClaimTemplates) > 0 {
			c.queue.Add(keyOf(set))
		}
	}
}
