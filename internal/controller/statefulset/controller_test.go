package statefulset

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
	"github.com/berth-project/berth/internal/controller/replicaset/podutil/podtest"
)

// cluster runs the controller against a fake API server with a fake
// kubelet, recording the order of pod creations and deletions and whether
// each creation found its predecessor ready.
type cluster struct {
	t      *testing.T
	ctx    context.Context
	client *fake.Clientset
	rec    *record.FakeRecorder

	mu       sync.Mutex
	log      []string // "+web-0", "-web-2"
	outOfOrd []string
}

func startCluster(t *testing.T, readyIf func(*corev1.Pod) bool) *cluster {
	t.Helper()
	client := podtest.NewClientset()
	c := &cluster{t: t, client: client, rec: record.NewFakeRecorder(1000)}
	client.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		p := a.(k8stesting.CreateAction).GetObject().(*corev1.Pod)
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, err := client.Tracker().Get(a.GetResource(), p.Namespace, p.Name); err == nil {
			return false, nil, nil // AlreadyExists: the controller's cache was behind
		}
		c.log = append(c.log, "+"+p.Name)
		if ord := ordinalOf(p); ord > 0 {
			prev, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), p.Namespace, fmt.Sprintf("web-%d", ord-1))
			set, _ := client.Tracker().Get(appsv1.SchemeGroupVersion.WithResource("statefulsets"), p.Namespace, "web")
			ordered := set != nil && set.(*appsv1.StatefulSet).Spec.PodManagementPolicy != appsv1.ParallelPodManagement
			if ordered && (err != nil || !isHealthy(prev.(*corev1.Pod))) {
				c.outOfOrd = append(c.outOfOrd, p.Name)
			}
		}
		return false, nil, nil
	})
	client.PrependReactor("delete", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, err := client.Tracker().Get(a.GetResource(), a.GetNamespace(), a.(k8stesting.DeleteAction).GetName()); err != nil {
			return false, nil, nil // NotFound: deleted already
		}
		c.log = append(c.log, "-"+a.(k8stesting.DeleteAction).GetName())
		return false, nil, nil
	})
	factory := informers.NewSharedInformerFactory(client, 0)
	ctrl, err := New(client, factory)
	if err != nil {
		t.Fatal(err)
	}
	ctrl.recorder = c.rec
	ctx, cancel := context.WithCancel(context.Background())
	c.ctx = ctx
	var wg sync.WaitGroup
	wg.Go(func() {
		ctrl.recorder = c.rec
		_ = ctrl.runWith(ctx, 2)
	})
	wg.Go(func() { (&podtest.Kubelet{Client: client, DefaultNode: "n1", ReadyIf: readyIf}).Run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		factory.Shutdown()
	})
	return c
}

func (c *cluster) takeLog() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.log
	c.log = nil
	return out
}

func (c *cluster) set() *appsv1.StatefulSet {
	s, err := c.client.AppsV1().StatefulSets("ns").Get(c.ctx, "web", metav1.GetOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	return s
}

func (c *cluster) update(mut func(*appsv1.StatefulSet)) {
	c.t.Helper()
	for range 50 {
		s := c.set()
		mut(s)
		_, err := c.client.AppsV1().StatefulSets("ns").Update(c.ctx, s, metav1.UpdateOptions{})
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) {
			c.t.Fatal(err)
		}
	}
	c.t.Fatal("update kept conflicting")
}

func (c *cluster) pods() []corev1.Pod {
	l, _ := c.client.CoreV1().Pods("ns").List(c.ctx, metav1.ListOptions{})
	return l.Items
}

// waitConverged: n ready pods web-0..n-1 at the update revision, status
// complete for the set's generation.
func (c *cluster) waitConverged(n int32) {
	c.t.Helper()
	ok := podtest.Eventually(20*time.Second, func() bool {
		s := c.set()
		st := s.Status
		if st.ObservedGeneration != s.Generation || st.Replicas != n || st.ReadyReplicas != n || st.AvailableReplicas != n ||
			st.UpdatedReplicas != n || st.CurrentReplicas != n || st.CurrentRevision != st.UpdateRevision {
			return false
		}
		pods := c.pods()
		var names []string
		for _, p := range pods {
			if p.DeletionTimestamp != nil || !podutil.IsReady(&p) || revisionOf(&p) != st.UpdateRevision {
				return false
			}
			names = append(names, p.Name)
		}
		slices.Sort(names)
		var want []string
		for i := range n {
			want = append(want, fmt.Sprintf("web-%d", i))
		}
		slices.Sort(want)
		return slices.Equal(names, want)
	})
	if !ok {
		var pods []string
		for _, p := range c.pods() {
			pods = append(pods, fmt.Sprintf("%s(%s ready=%v)", p.Name, revisionOf(&p), podutil.IsReady(&p)))
		}
		s := c.set()
		c.t.Fatalf("not converged to %d: generation %d status %+v pods %v", n, s.Generation, s.Status, pods)
	}
}

func (c *cluster) events() []string {
	var out []string
	for {
		select {
		case e := <-c.rec.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

func TestStatefulSetLifecycle(t *testing.T) {
	c := startCluster(t, nil)
	set := testSet(3)
	set.UID, set.Generation = "", 0
	if _, err := c.client.AppsV1().StatefulSets("ns").Create(c.ctx, set, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.waitConverged(3)
	if log := c.takeLog(); strings.Join(log, " ") != "+web-0 +web-1 +web-2" {
		t.Errorf("creations %v", log)
	}
	ev := c.events()
	if !slices.Contains(ev, "Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful") {
		t.Errorf("events %v", ev)
	}

	// Scale down from the top, up again in order.
	c.update(func(s *appsv1.StatefulSet) { s.Spec.Replicas = ptr.To(int32(1)) })
	c.waitConverged(1)
	if log := c.takeLog(); strings.Join(log, " ") != "-web-2 -web-1" {
		t.Errorf("scale down %v", log)
	}
	if ev := c.events(); !slices.Contains(ev, "Normal SuccessfulDelete delete Pod web-2 in StatefulSet web successful") {
		t.Errorf("events %v", ev)
	}
	c.update(func(s *appsv1.StatefulSet) { s.Spec.Replicas = ptr.To(int32(3)) })
	c.waitConverged(3)
	if log := c.takeLog(); strings.Join(log, " ") != "+web-1 +web-2" {
		t.Errorf("scale up %v", log)
	}

	// Rolling update: from the top, one at a time.
	c.update(func(s *appsv1.StatefulSet) { s.Spec.Template.Spec.Containers[0].Image = "v2" })
	c.waitConverged(3)
	if log := c.takeLog(); strings.Join(log, " ") != "-web-2 +web-2 -web-1 +web-1 -web-0 +web-0" {
		t.Errorf("rolling update %v", log)
	}
	revs, _ := c.client.AppsV1().ControllerRevisions("ns").List(c.ctx, metav1.ListOptions{})
	if len(revs.Items) != 2 {
		t.Fatalf("%d revisions, want 2", len(revs.Items))
	}

	// Rollback: the first revision comes back renumbered.
	first := c.set().Status.CurrentRevision
	c.update(func(s *appsv1.StatefulSet) { s.Spec.Template.Spec.Containers[0].Image = "v1" })
	c.waitConverged(3)
	s := c.set()
	if s.Status.CurrentRevision == first {
		t.Error("rollback did not switch revisions")
	}
	revs, _ = c.client.AppsV1().ControllerRevisions("ns").List(c.ctx, metav1.ListOptions{})
	for _, r := range revs.Items {
		if r.Name == s.Status.CurrentRevision && r.Revision != 3 {
			t.Errorf("rolled-back revision numbered %d, want 3", r.Revision)
		}
	}
	if len(revs.Items) != 2 {
		t.Errorf("%d revisions after rollback, want 2", len(revs.Items))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.outOfOrd) > 0 {
		t.Errorf("created before the predecessor was ready: %v", c.outOfOrd)
	}
}

func TestStatefulSetPartitionAndOnDelete(t *testing.T) {
	c := startCluster(t, nil)
	set := testSet(3)
	set.UID, set.Generation = "", 0
	set.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To(int32(2))
	if _, err := c.client.AppsV1().StatefulSets("ns").Create(c.ctx, set, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.waitConverged(3)
	c.takeLog()
	c.update(func(s *appsv1.StatefulSet) { s.Spec.Template.Spec.Containers[0].Image = "v2" })
	if !podtest.Eventually(20*time.Second, func() bool {
		st := c.set().Status
		return st.UpdatedReplicas == 1 && st.CurrentReplicas == 2 && st.ReadyReplicas == 3 && st.CurrentRevision != st.UpdateRevision
	}) {
		t.Fatalf("partition 2: %+v", c.set().Status)
	}
	time.Sleep(100 * time.Millisecond)
	if log := c.takeLog(); strings.Join(log, " ") != "-web-2 +web-2" {
		t.Errorf("partitioned update %v", log)
	}

	// OnDelete: only a deleted pod comes back at the update revision.
	c.update(func(s *appsv1.StatefulSet) {
		s.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}
	})
	// The controller must have seen the new strategy before the pod goes.
	if !podtest.Eventually(20*time.Second, func() bool { s := c.set(); return s.Status.ObservedGeneration == s.Generation }) {
		t.Fatal("OnDelete not observed")
	}
	if err := c.client.CoreV1().Pods("ns").Delete(c.ctx, "web-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if !podtest.Eventually(20*time.Second, func() bool {
		st := c.set().Status
		return st.UpdatedReplicas == 2 && st.ReadyReplicas == 3
	}) {
		t.Fatalf("OnDelete: %+v", c.set().Status)
	}
	web1, _ := c.client.CoreV1().Pods("ns").Get(c.ctx, "web-1", metav1.GetOptions{})
	if revisionOf(web1) == c.set().Status.UpdateRevision {
		t.Error("OnDelete updated a pod nobody deleted")
	}
}

func TestStatefulSetParallelClaims(t *testing.T) {
	// No pod becomes ready: Parallel still makes all of them, with claims.
	c := startCluster(t, func(*corev1.Pod) bool { return false })
	set := withClaims(testSet(3), appsv1.DeletePersistentVolumeClaimRetentionPolicyType, appsv1.RetainPersistentVolumeClaimRetentionPolicyType)
	set.UID, set.Generation = "", 0
	set.Spec.PodManagementPolicy = appsv1.ParallelPodManagement
	created, err := c.client.AppsV1().StatefulSets("ns").Create(c.ctx, set, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !podtest.Eventually(20*time.Second, func() bool {
		l, _ := c.client.CoreV1().PersistentVolumeClaims("ns").List(c.ctx, metav1.ListOptions{})
		return len(l.Items) == 3 && len(c.pods()) == 3
	}) {
		t.Fatalf("pods %d", len(c.pods()))
	}
	l, _ := c.client.CoreV1().PersistentVolumeClaims("ns").List(c.ctx, metav1.ListOptions{})
	for _, cl := range l.Items {
		if len(cl.OwnerReferences) != 1 || cl.OwnerReferences[0].UID != created.UID || cl.Labels["app"] != "nginx" {
			t.Errorf("claim %s: owners %+v labels %v", cl.Name, cl.OwnerReferences, cl.Labels)
		}
	}
	if ev := c.events(); !slices.Contains(ev, "Normal SuccessfulCreate create Claim www-web-1 Pod web-1 in StatefulSet web success") {
		t.Errorf("events %v", ev)
	}

	// whenScaled Delete: scaling down hands the claim to the pod.
	c.update(func(s *appsv1.StatefulSet) {
		s.Spec.PersistentVolumeClaimRetentionPolicy.WhenScaled = appsv1.DeletePersistentVolumeClaimRetentionPolicyType
		s.Spec.Replicas = ptr.To(int32(2))
	})
	if !podtest.Eventually(20*time.Second, func() bool {
		cl, err := c.client.CoreV1().PersistentVolumeClaims("ns").Get(c.ctx, "www-web-2", metav1.GetOptions{})
		return err == nil && len(cl.OwnerReferences) == 1 && cl.OwnerReferences[0].Kind == "Pod" && len(c.pods()) == 2
	}) {
		cl, _ := c.client.CoreV1().PersistentVolumeClaims("ns").Get(c.ctx, "www-web-2", metav1.GetOptions{})
		t.Fatalf("www-web-2 owners %+v, %d pods", cl.OwnerReferences, len(c.pods()))
	}
}
