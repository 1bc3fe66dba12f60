package daemonset

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/record"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
	"github.com/berth-project/berth/internal/controller/replicaset/podutil/podtest"
)

func TestSyncWaitsForObservedCreations(t *testing.T) {
	ds := testDS("v1")
	client := podtest.NewClientset(ds)
	factory := informers.NewSharedInformerFactory(client, 0)
	c, err := New(client, factory)
	if err != nil {
		t.Fatal(err)
	}
	c.recorder = record.NewFakeRecorder(100)
	_ = factory.Apps().V1().DaemonSets().Informer().GetIndexer().Add(ds)
	for _, n := range []*corev1.Node{readyNode("n1"), readyNode("n2")} {
		_ = factory.Core().V1().Nodes().Informer().GetIndexer().Add(n)
	}
	crStore := factory.Apps().V1().ControllerRevisions().Informer().GetIndexer()
	ctx := context.Background()
	pods := func() int {
		l, _ := client.CoreV1().Pods("ns").List(ctx, metav1.ListOptions{})
		return len(l.Items)
	}
	if _, err := c.sync(ctx, "ns/agent"); err != nil {
		t.Fatal(err)
	}
	if pods() != 2 {
		t.Fatalf("%d pods, want 2", pods())
	}
	// The revision is in the API but not yet in the cache, the pods neither.
	crs, _ := client.AppsV1().ControllerRevisions("ns").List(ctx, metav1.ListOptions{})
	if len(crs.Items) != 1 || crs.Items[0].Revision != 1 {
		t.Fatalf("revisions %+v", crs.Items)
	}
	_ = crStore.Add(&crs.Items[0])
	for range 3 {
		if _, err := c.sync(ctx, "ns/agent"); err != nil {
			t.Fatal(err)
		}
	}
	if pods() != 2 {
		t.Fatalf("%d pods after syncs with a stale cache, want 2", pods())
	}
	got, _ := client.AppsV1().DaemonSets("ns").Get(ctx, "agent", metav1.GetOptions{})
	if got.Status.DesiredNumberScheduled != 2 || got.Status.CurrentNumberScheduled != 0 {
		t.Errorf("status %+v", got.Status)
	}
	if adds, _ := c.expectations.Pending("ns/agent"); adds != 2 {
		t.Errorf("pending creations %d, want 2", adds)
	}
}

// dsCluster runs the DaemonSet controller and a fake kubelet.
type dsCluster struct {
	t      *testing.T
	ctx    context.Context
	client *fake.Clientset
}

func startDSCluster(t *testing.T, nodes ...*corev1.Node) *dsCluster {
	t.Helper()
	client := podtest.NewClientset()
	ctx, cancel := context.WithCancel(context.Background())
	for _, n := range nodes {
		if _, err := client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	factory := informers.NewSharedInformerFactory(client, 0)
	c, err := New(client, factory)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.Run(ctx, 2) })
	wg.Go(func() { (&podtest.Kubelet{Client: client}).Run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		factory.Shutdown()
	})
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	return &dsCluster{t: t, ctx: ctx, client: client}
}

func (c *dsCluster) ds() *appsv1.DaemonSet {
	ds, err := c.client.AppsV1().DaemonSets("ns").Get(c.ctx, "agent", metav1.GetOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	return ds
}

func (c *dsCluster) update(mut func(*appsv1.DaemonSet)) {
	c.t.Helper()
	for range 50 {
		ds := c.ds()
		mut(ds)
		_, err := c.client.AppsV1().DaemonSets("ns").Update(c.ctx, ds, metav1.UpdateOptions{})
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) {
			c.t.Fatal(err)
		}
	}
	c.t.Fatal("update kept conflicting")
}

func (c *dsCluster) pods() []corev1.Pod {
	l, _ := c.client.CoreV1().Pods("ns").List(c.ctx, metav1.ListOptions{})
	return l.Items
}

func (c *dsCluster) revisions() []appsv1.ControllerRevision {
	l, _ := c.client.AppsV1().ControllerRevisions("ns").List(c.ctx, metav1.ListOptions{})
	return l.Items
}

// converged: exactly one ready pod of image on each of nodes, the status
// says so for this generation.
func (c *dsCluster) converged(image string, nodes ...string) bool {
	ds := c.ds()
	st := ds.Status
	n := int32(len(nodes))
	if st.ObservedGeneration != ds.Generation || st.DesiredNumberScheduled != n || st.CurrentNumberScheduled != n ||
		st.NumberReady != n || st.NumberAvailable != n || st.UpdatedNumberScheduled != n || st.NumberMisscheduled != 0 || st.NumberUnavailable != 0 {
		return false
	}
	on := map[string]int{}
	for _, p := range c.pods() {
		if p.Spec.Containers[0].Image != image || !podutil.IsReady(&p) {
			return false
		}
		on[podtest.TargetNode(&p)]++
	}
	if len(on) != len(nodes) {
		return false
	}
	for _, node := range nodes {
		if on[node] != 1 {
			return false
		}
	}
	return true
}

func (c *dsCluster) waitConverged(image string, nodes ...string) {
	c.t.Helper()
	if !podtest.Eventually(20*time.Second, func() bool { return c.converged(image, nodes...) }) {
		var pods []string
		for _, p := range c.pods() {
			pods = append(pods, fmt.Sprintf("%s@%s(%s ready=%v)", p.Name, podtest.TargetNode(&p), p.Spec.Containers[0].Image, podutil.IsReady(&p)))
		}
		ds := c.ds()
		c.t.Fatalf("not converged to %s on %v: generation %d status %+v pods %v", image, nodes, ds.Generation, ds.Status, pods)
	}
}

// watchAvailability samples, while a rollout runs, the nodes with a ready
// live pod and records when fewer than min have one.
func (c *dsCluster) watchAvailability(min int) func() {
	stop, done := make(chan struct{}), make(chan struct{})
	var violations []string
	samples := 0
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			on := map[string]bool{}
			for _, p := range c.pods() {
				if p.DeletionTimestamp == nil && podutil.IsReady(&p) {
					on[podtest.TargetNode(&p)] = true
				}
			}
			samples++
			if len(on) < min && len(violations) < 5 {
				violations = append(violations, fmt.Sprint(on))
			}
			time.Sleep(500 * time.Microsecond)
		}
	}()
	return func() {
		c.t.Helper()
		close(stop)
		<-done
		if len(violations) > 0 {
			c.t.Errorf("fewer than %d nodes served (%d samples): %v", min, samples, violations)
		}
	}
}

func TestDaemonSetLifecycle(t *testing.T) {
	tainted := readyNode("n3", corev1.Taint{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule})
	c := startDSCluster(t, readyNode("n1"), readyNode("n2"), tainted)
	ds := testDS("v1")
	ds.UID, ds.Generation = "", 0
	if _, err := c.client.AppsV1().DaemonSets("ns").Create(c.ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.waitConverged("v1", "n1", "n2")
	revs := c.revisions()
	if len(revs) != 1 || revs[0].Revision != 1 {
		t.Fatalf("revisions %+v", revs)
	}
	v1Hash := revs[0].Labels[hashLabel]
	for _, p := range c.pods() {
		if p.Labels[hashLabel] != v1Hash {
			t.Errorf("pod %s hash %q, want %q", p.Name, p.Labels[hashLabel], v1Hash)
		}
		if p.Spec.Affinity == nil || len(p.Spec.Tolerations) != 6 {
			t.Errorf("pod %s: affinity %v, %d tolerations", p.Name, p.Spec.Affinity, len(p.Spec.Tolerations))
		}
	}

	// A new node gets a pod; so does the tainted one once untainted.
	if _, err := c.client.CoreV1().Nodes().Create(c.ctx, readyNode("n4"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.waitConverged("v1", "n1", "n2", "n4")
	n3, _ := c.client.CoreV1().Nodes().Get(c.ctx, "n3", metav1.GetOptions{})
	n3.Spec.Taints = nil
	if _, err := c.client.CoreV1().Nodes().Update(c.ctx, n3, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	all := []string{"n1", "n2", "n3", "n4"}
	c.waitConverged("v1", all...)

	// RollingUpdate, maxUnavailable 1: at least 3 of 4 nodes served.
	check := c.watchAvailability(3)
	c.update(func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "v2" })
	c.waitConverged("v2", all...)
	check()
	if revs := c.revisions(); len(revs) != 2 {
		t.Fatalf("%d revisions, want 2", len(revs))
	}

	// Rollback: the v1 revision comes back as number 3.
	c.update(func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "v1" })
	c.waitConverged("v1", all...)
	revs = c.revisions()
	if len(revs) != 2 {
		t.Fatalf("%d revisions after rollback, want the same 2", len(revs))
	}
	for _, r := range revs {
		if r.Labels[hashLabel] == v1Hash && r.Revision != 3 {
			t.Errorf("v1 revision renumbered to %d, want 3", r.Revision)
		}
	}

	// A node going away takes its pod with it.
	if err := c.client.CoreV1().Nodes().Delete(c.ctx, "n4", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.waitConverged("v1", "n1", "n2", "n3")
}

func TestDaemonSetSurge(t *testing.T) {
	c := startDSCluster(t, readyNode("n1"), readyNode("n2"), readyNode("n3"))
	ds := withSurge(testDS("v1"), "1", "0")
	ds.UID, ds.Generation = "", 0
	if _, err := c.client.AppsV1().DaemonSets("ns").Create(c.ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.waitConverged("v1", "n1", "n2", "n3")
	check := c.watchAvailability(3) // maxUnavailable 0: every node always served
	c.update(func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "v2" })
	c.waitConverged("v2", "n1", "n2", "n3")
	check()
}

func TestDaemonSetOnDelete(t *testing.T) {
	c := startDSCluster(t, readyNode("n1"), readyNode("n2"))
	ds := testDS("v1")
	ds.UID, ds.Generation = "", 0
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	if _, err := c.client.AppsV1().DaemonSets("ns").Create(c.ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.waitConverged("v1", "n1", "n2")
	c.update(func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "v2" })
	if !podtest.Eventually(5*time.Second, func() bool {
		ds := c.ds()
		return ds.Status.ObservedGeneration == ds.Generation && ds.Status.UpdatedNumberScheduled == 0 && len(c.revisions()) == 2
	}) {
		t.Fatalf("status %+v", c.ds().Status)
	}
	time.Sleep(100 * time.Millisecond)
	var victim string
	for _, p := range c.pods() {
		if p.Spec.Containers[0].Image != "v1" {
			t.Fatalf("OnDelete replaced %s", p.Name)
		}
		if podtest.TargetNode(&p) == "n1" {
			victim = p.Name
		}
	}
	if err := c.client.CoreV1().Pods("ns").Delete(c.ctx, victim, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if !podtest.Eventually(10*time.Second, func() bool {
		images := map[string]string{}
		for _, p := range c.pods() {
			images[podtest.TargetNode(&p)] = p.Spec.Containers[0].Image
		}
		return images["n1"] == "v2" && images["n2"] == "v1" && c.ds().Status.UpdatedNumberScheduled == 1
	}) {
		t.Fatalf("pods after deleting one: %d, status %+v", len(c.pods()), c.ds().Status)
	}
}
