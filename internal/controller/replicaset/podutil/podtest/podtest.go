// Package podtest is test support for the workload controllers: a fake
// clientset that fills in what an API server would (names from
// generateName, UIDs, creation timestamps, generation bumps) and a fake
// kubelet that binds and readies pods. Only tests import it.
package podtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// NewClientset returns a fake clientset with enough API-server behaviour
// for controllers to run against it: creates get a name from generateName,
// a UID, a strictly increasing creationTimestamp and generation 1; every
// write gets a new resourceVersion and a stale one is a conflict; updates
// of the main resource keep the stored status and bump generation when the
// spec changes; updates of /status change only the status.
func NewClientset(objs ...runtime.Object) *fake.Clientset {
	c := fake.NewSimpleClientset(objs...)
	tracker := c.Tracker()
	defaultReaction := k8stesting.ObjectReaction(tracker)
	var (
		mu   sync.Mutex
		seq  int
		last time.Time
	)
	next := func() (int, time.Time) {
		mu.Lock()
		defer mu.Unlock()
		seq++
		now := time.Now()
		if !now.After(last) {
			now = last.Add(time.Microsecond)
		}
		last = now
		return seq, now
	}
	c.PrependReactor("create", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		ca, ok := a.(k8stesting.CreateAction)
		if !ok || ca.GetSubresource() != "" {
			return false, nil, nil
		}
		m, err := meta.Accessor(ca.GetObject())
		if err != nil {
			return false, nil, nil
		}
		n, now := next()
		if m.GetName() == "" && m.GetGenerateName() != "" {
			m.SetName(m.GetGenerateName() + rand.String(5))
		}
		if m.GetUID() == "" {
			m.SetUID(types.UID(fmt.Sprintf("uid-%d", n)))
		}
		if ts := m.GetCreationTimestamp(); ts.IsZero() {
			m.SetCreationTimestamp(metav1.NewTime(now))
		}
		if m.GetGeneration() == 0 {
			m.SetGeneration(1)
		}
		m.SetResourceVersion(strconv.Itoa(n))
		return false, nil, nil
	})
	c.PrependReactor("update", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		ua, ok := a.(k8stesting.UpdateAction)
		if !ok {
			return false, nil, nil
		}
		m, err := meta.Accessor(ua.GetObject())
		if err != nil {
			return false, nil, nil
		}
		gvr, ns := a.GetResource(), a.GetNamespace()
		old, err := tracker.Get(gvr, ns, m.GetName())
		if err != nil {
			return false, nil, nil // the default reaction reports it
		}
		om, _ := meta.Accessor(old)
		if rv := m.GetResourceVersion(); rv != "" && rv != om.GetResourceVersion() {
			return true, nil, apierrors.NewConflict(gvr.GroupResource(), m.GetName(), errors.New("the object has been modified"))
		}
		var merged runtime.Object
		switch ua.GetSubresource() {
		case "status":
			merged = old.DeepCopyObject()
			setField(merged, "Status", fieldOf(ua.GetObject(), "Status"))
		case "":
			merged = ua.GetObject().DeepCopyObject()
			if f := fieldOf(old, "Status"); f != nil {
				setField(merged, "Status", f)
			}
			mm, _ := meta.Accessor(merged)
			mm.SetGeneration(om.GetGeneration())
			if !equality.Semantic.DeepEqual(fieldOf(old, "Spec"), fieldOf(merged, "Spec")) {
				mm.SetGeneration(om.GetGeneration() + 1)
			}
		default:
			return false, nil, nil
		}
		mm, _ := meta.Accessor(merged)
		n, _ := next()
		mm.SetResourceVersion(strconv.Itoa(n))
		if err := tracker.Update(gvr, merged, ns); err != nil {
			return true, nil, err
		}
		return true, merged.DeepCopyObject(), nil
	})
	c.PrependReactor("patch", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		pa, ok := a.(k8stesting.PatchAction)
		if !ok {
			return false, nil, nil
		}
		old, err := tracker.Get(a.GetResource(), a.GetNamespace(), pa.GetName())
		if err != nil {
			return false, nil, nil
		}
		om, _ := meta.Accessor(old)
		var body struct {
			Metadata struct {
				ResourceVersion string `json:"resourceVersion"`
			} `json:"metadata"`
		}
		if json.Unmarshal(pa.GetPatch(), &body) == nil && body.Metadata.ResourceVersion != "" && body.Metadata.ResourceVersion != om.GetResourceVersion() {
			return true, nil, apierrors.NewConflict(a.GetResource().GroupResource(), pa.GetName(), errors.New("the object has been modified"))
		}
		handled, obj, err := defaultReaction(a)
		if err != nil || obj == nil {
			return handled, obj, err
		}
		m, _ := meta.Accessor(obj)
		n, _ := next()
		m.SetResourceVersion(strconv.Itoa(n))
		if err := tracker.Update(a.GetResource(), obj, a.GetNamespace()); err != nil {
			return true, nil, err
		}
		return true, obj, nil
	})
	return c
}

func fieldOf(obj runtime.Object, name string) any {
	v := reflect.ValueOf(obj)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if f := v.FieldByName(name); f.IsValid() {
		return f.Interface()
	}
	return nil
}

func setField(obj runtime.Object, name string, val any) {
	if val == nil {
		return
	}
	f := reflect.ValueOf(obj).Elem().FieldByName(name)
	if f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(val))
	}
}

// Kubelet stands in for the scheduler and the node agents: it binds pods
// (to the node their node affinity names, else DefaultNode) and marks them
// Running and Ready, unless ReadyIf says otherwise.
type Kubelet struct {
	Client      *fake.Clientset
	DefaultNode string
	// ReadyIf decides whether a pod becomes ready; nil means all do.
	ReadyIf func(*corev1.Pod) bool
	// Every is the polling period; 0 means 5ms.
	Every time.Duration
}

// Run works until ctx is done.
func (k *Kubelet) Run(ctx context.Context) {
	every := k.Every
	if every == 0 {
		every = 5 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pods, err := k.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for i := range pods.Items {
			p := &pods.Items[i]
			if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodRunning {
				continue
			}
			k.start(ctx, p)
		}
	}
}

func (k *Kubelet) start(ctx context.Context, p *corev1.Pod) {
	ready := k.ReadyIf == nil || k.ReadyIf(p)
	if p.Spec.NodeName != "" && p.Status.Phase == corev1.PodPending && !ready {
		return // bound, not becoming ready
	}
	p = p.DeepCopy()
	if p.Spec.NodeName == "" {
		p.Spec.NodeName = TargetNode(p)
		if p.Spec.NodeName == "" {
			p.Spec.NodeName = k.DefaultNode
		}
		cur, err := k.Client.CoreV1().Pods(p.Namespace).Update(ctx, p, metav1.UpdateOptions{})
		if err != nil {
			return // conflict or gone: next round
		}
		p = cur
	}
	p.Status.Phase = corev1.PodPending
	if ready {
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}}
	}
	_, _ = k.Client.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
}

// TargetNode is the node a pod's required node affinity pins it to with a
// metadata.name field selector (as DaemonSet pods are), or "".
func TargetNode(p *corev1.Pod) string {
	a := p.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range t.MatchFields {
			if f.Key == "metadata.name" && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

// Eventually polls cond every 10ms until it holds or timeout passes.
func Eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// Names returns the sorted names of objs.
func Names[T metav1.Object](objs []T) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.GetName()
	}
	slices.Sort(out)
	return out
}
