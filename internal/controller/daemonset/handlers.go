package daemonset

import (
	"maps"
	"slices"
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

func (c *Controller) deleteDS(obj any) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return
	}
	c.expectations.Forget(key)
	c.queue.Add(key)
}

// enqueueAll: a node change may matter to any DaemonSet.
func (c *Controller) enqueueAll() {
	list, err := c.dsLister.List(labels.Everything())
	if err != nil {
		return
	}
	for _, ds := range list {
		c.queue.Add(keyOf(ds))
	}
}

// updateNode ignores heartbeats: only what decides eligibility counts.
func (c *Controller) updateNode(oldObj, curObj any) {
	old, ok1 := oldObj.(*corev1.Node)
	cur, ok2 := curObj.(*corev1.Node)
	if ok1 && ok2 && maps.Equal(old.Labels, cur.Labels) &&
		slices.EqualFunc(old.Spec.Taints, cur.Spec.Taints, func(a, b corev1.Taint) bool { return a.MatchTaint(&b) && a.Value == b.Value }) &&
		old.Spec.Unschedulable == cur.Spec.Unschedulable && readyStatus(old) == readyStatus(cur) {
		return
	}
	c.enqueueAll()
}

// owner resolves a controller reference to a DaemonSet in the cache.
func (c *Controller) owner(namespace string, ref *metav1.OwnerReference) *appsv1.DaemonSet {
	if ref == nil || ref.Kind != controllerKind.Kind || ref.APIVersion != controllerKind.GroupVersion().String() {
		return nil
	}
	ds, err := c.dsLister.DaemonSets(namespace).Get(ref.Name)
	if err != nil || ds.UID != ref.UID {
		return nil
	}
	return ds
}

// matching are the DaemonSets whose selector covers an orphan's labels.
func (c *Controller) matching(namespace string, lbls map[string]string) []*appsv1.DaemonSet {
	list, err := c.dsLister.DaemonSets(namespace).List(labels.Everything())
	if err != nil {
		return nil
	}
	var out []*appsv1.DaemonSet
	for _, ds := range list {
		sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(lbls)) {
			out = append(out, ds)
		}
	}
	return out
}

func (c *Controller) addPod(obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	if pod.DeletionTimestamp != nil {
		c.deletePod(pod)
		return
	}
	if ref := metav1.GetControllerOfNoCopy(pod); ref != nil {
		if ds := c.owner(pod.Namespace, ref); ds != nil {
			c.expectations.CreationObserved(keyOf(ds))
			c.queue.Add(keyOf(ds))
		}
		return
	}
	for _, ds := range c.matching(pod.Namespace, pod.Labels) {
		c.queue.Add(keyOf(ds))
	}
}

func (c *Controller) updatePod(oldObj, curObj any) {
	old, ok1 := oldObj.(*corev1.Pod)
	cur, ok2 := curObj.(*corev1.Pod)
	if !ok1 || !ok2 || (cur.ResourceVersion != "" && cur.ResourceVersion == old.ResourceVersion) {
		return
	}
	if cur.DeletionTimestamp != nil {
		c.deletePod(cur)
		return
	}
	curRef, oldRef := metav1.GetControllerOfNoCopy(cur), metav1.GetControllerOfNoCopy(old)
	refChanged := (curRef == nil) != (oldRef == nil) || (curRef != nil && curRef.UID != oldRef.UID)
	if refChanged {
		if ds := c.owner(old.Namespace, oldRef); ds != nil {
			c.queue.Add(keyOf(ds))
		}
	}
	if curRef != nil {
		if ds := c.owner(cur.Namespace, curRef); ds != nil {
			c.queue.Add(keyOf(ds))
			if !podutil.IsReady(old) && podutil.IsReady(cur) && ds.Spec.MinReadySeconds > 0 {
				c.queue.AddAfter(keyOf(ds), time.Duration(ds.Spec.MinReadySeconds)*time.Second+time.Second)
			}
		}
		return
	}
	if refChanged || !labels.Equals(old.Labels, cur.Labels) {
		for _, ds := range c.matching(cur.Namespace, cur.Labels) {
			c.queue.Add(keyOf(ds))
		}
	}
}

func (c *Controller) deletePod(obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		tomb, ok := obj.(cache.DeletedFinalStateUnknown)
		if !ok {
			return
		}
		if pod, ok = tomb.Obj.(*corev1.Pod); !ok {
			return
		}
	}
	if ds := c.owner(pod.Namespace, metav1.GetControllerOfNoCopy(pod)); ds != nil {
		c.expectations.DeletionObserved(keyOf(ds), pod.UID)
		c.queue.Add(keyOf(ds))
	}
}

// revisionChanged: a ControllerRevision came, went or changed.
func (c *Controller) revisionChanged(obj any) {
	cr, ok := obj.(*appsv1.ControllerRevision)
	if !ok {
		tomb, ok := obj.(cache.DeletedFinalStateUnknown)
		if !ok {
			return
		}
		if cr, ok = tomb.Obj.(*appsv1.ControllerRevision); !ok {
			return
		}
	}
	if ref := metav1.GetControllerOfNoCopy(cr); ref != nil {
		if ds := c.owner(cr.Namespace, ref); ds != nil {
			c.queue.Add(keyOf(ds))
		}
		return
	}
	for _, ds := range c.matching(cr.Namespace, cr.Labels) {
		c.queue.Add(keyOf(ds))
	}
}

func keyOf(ds *appsv1.DaemonSet) string { return ds.Namespace + "/" + ds.Name }
