package scheduler

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
)

// Event reasons, as kube-scheduler records them.
const (
	eventScheduled        = "Scheduled"
	eventFailedScheduling = "FailedScheduling"
)

// errUnschedulable marks an attempt that found no node: retried with
// back-off, and not worth a warning in the log each time.
var errUnschedulable = errors.New("no node fits the pod")

// sync makes one scheduling attempt for the pod behind key.
func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // not a key we made; nothing to retry
	}
	pod, err := c.pods.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.setWaiting(key, false)
		return nil
	}
	if err != nil {
		return err
	}
	if !responsible(pod, c.opts.SchedulerName) {
		c.setWaiting(key, false)
		return nil
	}
	if c.volumes != nil {
		if w := c.volumes.wait(pod.UID); w != nil {
			return c.continueVolumeBinding(ctx, key, pod, w)
		}
	}
	if c.assumed.has(pod.UID) {
		return nil // bound or being bound; the informer has not caught up
	}
	if gated(pod) {
		// Removing the last gate is a pod update, which queues it again.
		c.setWaiting(key, false)
		return c.setNotScheduled(ctx, pod, reasonPodGated, messageGated)
	}

	host, fitErr, err := c.decideFor(pod)
	if err != nil {
		return err
	}
	if fitErr != nil {
		msg := fitErr.Error()
		c.setWaiting(key, true)
		c.log.Info("pod is unschedulable", "pod", key, "reason", msg)
		c.recorder.Event(pod, corev1.EventTypeWarning, eventFailedScheduling, msg)
		if err := c.setNotScheduled(ctx, pod, reasonPodUnschedulable, msg); err != nil {
			return errors.Join(errUnschedulable, err)
		}
		return errUnschedulable
	}
	if c.volumes != nil {
		if w := c.volumes.wait(pod.UID); w != nil {
			return c.continueVolumeBinding(ctx, key, pod, w)
		}
	}
	return c.bind(ctx, key, pod, host)
}

// decideFor picks a node from the caches plus the assumed pods and, if one
// fits, reserves it by assuming the pod there.
func (c *Controller) decideFor(pod *corev1.Pod) (string, *fitError, error) {
	c.decide.Lock()
	defer c.decide.Unlock()
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		return "", nil, err
	}
	pods, err := c.pods.List(labels.Everything())
	if err != nil {
		return "", nil, err
	}
	all, settled := withAssumed(pods, c.assumed.list())
	c.assumed.forget(settled...)
	p := newPodInfo(pod)
	if c.volumes != nil {
		snap, err := c.volumes.snapshot(pod, all)
		if err != nil {
			return "", nil, err
		}
		vols, msg := preFilterVolumes(pod, snap)
		if msg != "" {
			return "", &fitError{NumNodes: len(nodes), PreFilter: msg}, nil
		}
		p.volumes = vols
	}
	host, fitErr := schedule(p, buildNodeInfos(nodes, all), c.filters)
	if fitErr != nil {
		return "", fitErr, nil
	}
	c.assumed.assume(pod, host)
	if p.volumes != nil && (len(p.volumes.delayed) > 0 || len(p.volumes.bound) > 0) {
		// Reserve the chosen volumes and capacity before the lock goes.
		for _, n := range nodes {
			if n.Name == host {
				plan, _ := p.volumes.plan(n)
				c.volumes.setWait(pod.UID, &volumeWait{host: host, plan: plan, since: c.now(), annotated: map[string]bool{}})
			}
		}
	}
	return host, nil, nil
}

// bind posts the Binding; on failure the reservation is dropped.
func (c *Controller) bind(ctx context.Context, key string, pod *corev1.Pod, host string) error {
	binding := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: host},
	}
	err := c.client.CoreV1().Pods(pod.Namespace).Bind(ctx, binding, metav1.CreateOptions{})
	switch {
	case err == nil:
		c.setWaiting(key, false)
		c.log.Info("scheduled", "pod", key, "node", host)
		c.recorder.Eventf(pod, corev1.EventTypeNormal, eventScheduled, "Successfully assigned %s/%s to %s", pod.Namespace, pod.Name, host)
		return nil
	case apierrors.IsNotFound(err), apierrors.IsConflict(err):
		// Deleted, already bound, or re-created: the informer will tell, and
		// a pod still waiting comes back through its update event.
		c.assumed.forget(pod.UID)
		c.log.Info("binding no longer applies", "pod", key, "node", host, "err", err)
		return nil
	default:
		c.assumed.forget(pod.UID)
		c.recorder.Eventf(pod, corev1.EventTypeWarning, eventFailedScheduling, "Binding rejected: %v", err)
		return fmt.Errorf("binding to %s: %w", host, err)
	}
}

// setNotScheduled writes PodScheduled=False through pods/status when the
// pod does not already say so.
func (c *Controller) setNotScheduled(ctx context.Context, pod *corev1.Pod, reason, msg string) error {
	cond, needed := notScheduledCondition(pod, reason, msg, metav1.NewTime(c.now()))
	if !needed {
		return nil
	}
	body, err := conditionPatch(pod.UID, cond)
	if err != nil {
		return err
	}
	_, err = c.client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, body, metav1.PatchOptions{}, "status")
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
