package replicaset

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
	"github.com/berth-project/berth/internal/controller/replicaset/podutil/podtest"
)

// harness drives sync by hand: the informer caches are filled by the test,
// which plays a watch that is as slow as it likes.
type harness struct {
	t        *testing.T
	client   *fake.Clientset
	c        *Controller
	rec      *record.FakeRecorder
	rsStore  cache.Indexer
	podStore cache.Indexer
}

func newHarness(t *testing.T, objs ...runtime.Object) *harness {
	t.Helper()
	client := podtest.NewClientset(objs...)
	factory := informers.NewSharedInformerFactory(client, 0)
	c, err := New(client, factory)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{
		t: t, client: client, c: c, rec: record.NewFakeRecorder(1000),
		rsStore:  factory.Apps().V1().ReplicaSets().Informer().GetIndexer(),
		podStore: factory.Core().V1().Pods().Informer().GetIndexer(),
	}
	c.recorder = h.rec
	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.ReplicaSet:
			_ = h.rsStore.Add(o)
		case *corev1.Pod:
			_ = h.podStore.Add(o)
		}
	}
	return h
}

func (h *harness) sync(key string) time.Duration {
	h.t.Helper()
	after, err := h.c.sync(context.Background(), key)
	if err != nil {
		h.t.Fatalf("sync: %v", err)
	}
	return after
}

// apiPods lists the pods as the API server has them.
func (h *harness) apiPods() []corev1.Pod {
	list, err := h.client.CoreV1().Pods("ns").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		h.t.Fatal(err)
	}
	return list.Items
}

// observe delivers the API server's pods to the cache and the handlers, as
// the watch would.
func (h *harness) observe() {
	api := map[string]bool{}
	for _, p := range h.apiPods() {
		api[p.Name] = true
		if _, exists, _ := h.podStore.GetByKey("ns/" + p.Name); !exists {
			_ = h.podStore.Add(&p)
			h.c.addPod(&p)
		} else {
			_ = h.podStore.Update(&p)
		}
	}
	for _, o := range h.podStore.List() {
		p := o.(*corev1.Pod)
		if !api[p.Name] {
			_ = h.podStore.Delete(p)
			h.c.deletePod(p)
		}
	}
}

func (h *harness) events() []string {
	var out []string
	for {
		select {
		case e := <-h.rec.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

func (h *harness) rsStatus(name string) appsv1.ReplicaSetStatus {
	rs, err := h.client.AppsV1().ReplicaSets("ns").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		h.t.Fatal(err)
	}
	return rs.Status
}

func countPrefix(events []string, prefix string) int {
	n := 0
	for _, e := range events {
		if strings.HasPrefix(e, prefix) {
			n++
		}
	}
	return n
}

func TestSyncCreatesOnceUntilObserved(t *testing.T) {
	rs := testRS("web", 3)
	h := newHarness(t, rs)

	h.sync("ns/web")
	pods := h.apiPods()
	if len(pods) != 3 {
		t.Fatalf("created %d pods, want 3", len(pods))
	}
	for _, p := range pods {
		if !strings.HasPrefix(p.Name, "web-") || p.Labels["app"] != "web" || !podutil.IsControlledBy(&p, rs.UID) {
			t.Errorf("pod %s: labels %v owners %v", p.Name, p.Labels, p.OwnerReferences)
		}
		if ref := p.OwnerReferences[0]; !*ref.BlockOwnerDeletion || ref.Kind != "ReplicaSet" {
			t.Errorf("owner ref %+v", ref)
		}
	}
	if ev := h.events(); countPrefix(ev, "Normal SuccessfulCreate Created pod: web-") != 3 {
		t.Errorf("events %v", ev)
	}

	// The watch is slow: the cache still shows no pods. Expectations keep the
	// controller from creating another three.
	for range 3 {
		h.sync("ns/web")
	}
	if n := len(h.apiPods()); n != 3 {
		t.Fatalf("%d pods after repeated syncs with a stale cache, want 3", n)
	}
	if adds, _ := h.c.expectations.Pending("ns/web"); adds != 3 {
		t.Errorf("pending creations %d", adds)
	}

	h.observe()
	if !h.c.expectations.Satisfied("ns/web") {
		t.Fatal("expectations not satisfied after observing the pods")
	}
	h.sync("ns/web")
	if n := len(h.apiPods()); n != 3 {
		t.Fatalf("%d pods, want 3", n)
	}
	if st := h.rsStatus("web"); st.Replicas != 3 || st.FullyLabeledReplicas != 3 || st.ObservedGeneration != 1 {
		t.Errorf("status %+v", st)
	}
}

func TestSyncExpectationsTimeout(t *testing.T) {
	h := newHarness(t, testRS("web", 2))
	clk := clocktesting.NewFakeClock(time.Now())
	h.c.expectations = podutil.NewExpectations(time.Minute, clk)
	h.sync("ns/web")
	h.sync("ns/web")
	if n := len(h.apiPods()); n != 2 {
		t.Fatalf("%d pods, want 2", n)
	}
	// The watch lost the events for good: after the TTL the controller acts
	// on what it sees, as Kubernetes does.
	clk.Step(time.Minute + time.Second)
	h.sync("ns/web")
	if n := len(h.apiPods()); n != 4 {
		t.Fatalf("%d pods after the expectations expired, want 4", n)
	}
	// Once the cache catches up the surplus goes.
	h.observe()
	h.sync("ns/web")
	if n := len(h.apiPods()); n != 2 {
		t.Fatalf("%d pods after catching up, want 2", n)
	}
}

func TestSyncDeletesCheapestSurplus(t *testing.T) {
	rs := testRS("web", 1)
	web := map[string]string{"app": "web", "tier": "web"}
	unscheduled := testPod("unscheduled", web, rs.UID)
	ready := testPod("ready", web, rs.UID)
	ready.Spec.NodeName = "n1"
	ready.Status = corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}
	notReady := testPod("not-ready", web, rs.UID)
	notReady.Spec.NodeName = "n2"
	notReady.Status.Phase = corev1.PodRunning
	h := newHarness(t, rs, unscheduled, ready, notReady)

	h.sync("ns/web")
	if got := podtest.Names(ptrs(h.apiPods())); !slices.Equal(got, []string{"ready"}) {
		t.Fatalf("left %v, want [ready]", got)
	}
	if ev := h.events(); countPrefix(ev, "Normal SuccessfulDelete Deleted pod: ") != 2 {
		t.Errorf("events %v", ev)
	}
	// The status already leaves out what was deleted.
	if st := h.rsStatus("web"); st.Replicas != 1 || st.ReadyReplicas != 1 || st.AvailableReplicas != 1 {
		t.Errorf("status %+v", st)
	}
	// Until the deletions are observed nothing else happens, even though the
	// cache still lists three pods.
	if _, dels := h.c.expectations.Pending("ns/web"); dels != 2 {
		t.Fatalf("pending deletions %d", dels)
	}
	h.sync("ns/web")
	if len(h.apiPods()) != 1 {
		t.Fatal("deleted more")
	}
	h.observe()
	if !h.c.expectations.Satisfied("ns/web") {
		t.Fatal("deletions observed but expectations unsatisfied")
	}
}

func TestSyncTerminatingPodsDoNotCount(t *testing.T) {
	rs := testRS("web", 2)
	web := map[string]string{"app": "web"}
	now := metav1.Now()
	active := testPod("active", web, rs.UID)
	terminating := testPod("terminating", web, rs.UID)
	terminating.DeletionTimestamp = &now
	failed := testPod("failed", web, rs.UID)
	failed.Status.Phase = corev1.PodFailed
	h := newHarness(t, rs, active, terminating, failed)
	h.sync("ns/web")
	if n := len(h.apiPods()); n != 4 {
		t.Fatalf("%d pods, want the 3 plus 1 replacement", n)
	}
	if st := h.rsStatus("web"); st.Replicas != 1 {
		t.Errorf("status.replicas %d, want 1 (only the active pod)", st.Replicas)
	}
}

func TestSyncAdoptsAndReleases(t *testing.T) {
	rs := testRS("web", 2)
	orphan := testPod("orphan", map[string]string{"app": "web"}, "")
	orphan.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "cm", UID: "cm"}}
	relabelled := testPod("relabelled", map[string]string{"app": "debug"}, rs.UID)
	owned := testPod("owned", map[string]string{"app": "web"}, rs.UID)
	h := newHarness(t, rs, orphan, relabelled, owned)
	h.sync("ns/web")

	got, _ := h.client.CoreV1().Pods("ns").Get(context.Background(), "orphan", metav1.GetOptions{})
	if !podutil.IsControlledBy(got, rs.UID) || len(got.OwnerReferences) != 2 {
		t.Errorf("orphan not adopted: %+v", got.OwnerReferences)
	}
	got, _ = h.client.CoreV1().Pods("ns").Get(context.Background(), "relabelled", metav1.GetOptions{})
	if len(got.OwnerReferences) != 0 {
		t.Errorf("relabelled pod not released: %+v", got.OwnerReferences)
	}
	if n := len(h.apiPods()); n != 3 {
		t.Errorf("%d pods: the adopted one must count, nothing created", n)
	}
}

func TestSyncCreateFailure(t *testing.T) {
	h := newHarness(t, testRS("web", 5))
	var attempts int
	h.client.PrependReactor("create", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		attempts++
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("exceeded quota"))
	})
	if _, err := h.c.sync(context.Background(), "ns/web"); err == nil {
		t.Fatal("want an error so the key is retried")
	}
	if attempts != 1 {
		t.Errorf("%d create attempts, want 1 (slow start stops at the first failing batch)", attempts)
	}
	if !h.c.expectations.Satisfied("ns/web") {
		t.Error("failed creations must not be waited for")
	}
	st := h.rsStatus("web")
	if len(st.Conditions) != 1 || st.Conditions[0].Type != appsv1.ReplicaSetReplicaFailure || st.Conditions[0].Reason != "FailedCreate" {
		t.Errorf("conditions %+v", st.Conditions)
	}
	if ev := h.events(); countPrefix(ev, "Warning FailedCreate Error creating:") != 1 {
		t.Errorf("events %v", ev)
	}
}

func TestSyncDeletedRS(t *testing.T) {
	h := newHarness(t)
	h.c.expectations.Expect("ns/gone", 3, nil)
	h.sync("ns/gone")
	if !h.c.expectations.Satisfied("ns/gone") {
		t.Error("expectations of a deleted ReplicaSet must be dropped")
	}
}

func TestRunConverges(t *testing.T) {
	client := podtest.NewClientset()
	factory := informers.NewSharedInformerFactory(client, 0)
	c, err := New(client, factory)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, 2) }()
	go (&podtest.Kubelet{Client: client, DefaultNode: "n1"}).Run(ctx)
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		t.Fatal("caches did not sync")
	}

	rs := testRS("web", 3)
	rs.UID = ""
	if _, err := client.AppsV1().ReplicaSets("ns").Create(ctx, rs, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []int32{3, 5, 1, 0} {
		got, _ := client.AppsV1().ReplicaSets("ns").Get(ctx, "web", metav1.GetOptions{})
		got.Spec.Replicas = ptr.To(want)
		got, err := client.AppsV1().ReplicaSets("ns").Update(ctx, got, metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ok := podtest.Eventually(10*time.Second, func() bool {
			st := h(client).status(ctx)
			return int32(len(h(client).pods(ctx))) == want && st.Replicas == want && st.ReadyReplicas == want && st.AvailableReplicas == want && st.ObservedGeneration == got.Generation
		})
		if !ok {
			t.Fatalf("replicas %d: pods %d status %+v", want, len(h(client).pods(ctx)), h(client).status(ctx))
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

type apiView struct{ client *fake.Clientset }

func h(c *fake.Clientset) apiView { return apiView{c} }

func (v apiView) pods(ctx context.Context) []corev1.Pod {
	l, _ := v.client.CoreV1().Pods("ns").List(ctx, metav1.ListOptions{})
	return l.Items
}

func (v apiView) status(ctx context.Context) appsv1.ReplicaSetStatus {
	rs, _ := v.client.AppsV1().ReplicaSets("ns").Get(ctx, "web", metav1.GetOptions{})
	return rs.Status
}

func ptrs(pods []corev1.Pod) []*corev1.Pod {
	out := make([]*corev1.Pod, len(pods))
	for i := range pods {
		out[i] = &pods[i]
	}
	return out
}
