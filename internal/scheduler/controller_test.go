package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/record"
)

var podsGVR = corev1.SchemeGroupVersion.WithResource("pods")

// bindingReactor does what the API server's pods/binding does: sets
// spec.nodeName (refusing a pod that has one) and PodScheduled=True. The
// fake clientset alone would accept the Binding and change nothing.
func bindingReactor(client *fake.Clientset, fail *atomic.Bool) clienttesting.ReactionFunc {
	return func(action clienttesting.Action) (bool, runtime.Object, error) {
		create, ok := action.(clienttesting.CreateAction)
		if !ok || action.GetSubresource() != "binding" {
			return false, nil, nil
		}
		if fail != nil && fail.Load() {
			return true, nil, errors.New("etcd is having a bad day")
		}
		b := create.GetObject().(*corev1.Binding)
		obj, err := client.Tracker().Get(podsGVR, b.Namespace, b.Name)
		if err != nil {
			return true, nil, err
		}
		pod := obj.(*corev1.Pod).DeepCopy()
		if pod.Spec.NodeName != "" {
			return true, nil, apierrors.NewConflict(podsGVR.GroupResource(), b.Name, fmt.Errorf("pod %s is already assigned to node %q", b.Name, pod.Spec.NodeName))
		}
		pod.Spec.NodeName = b.Target.Name
		pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue})
		return true, b, client.Tracker().Update(podsGVR, pod, b.Namespace)
	}
}

func startScheduler(t *testing.T, opts Options, objs ...runtime.Object) (*fake.Clientset, context.Context) {
	t.Helper()
	client := fake.NewClientset(objs...)
	client.PrependReactor("create", "pods", bindingReactor(client, nil))
	c, err := New(client, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, 2) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not stop")
		}
	})
	waitForWatches(t, client, 2)
	return client, ctx
}

// waitForWatches: the fake only delivers events to watches that exist.
func waitForWatches(t *testing.T, client *fake.Clientset, n int) {
	t.Helper()
	eventually(t, "watches", func() bool {
		got := 0
		for _, a := range client.Actions() {
			if a.GetVerb() == "watch" {
				got++
			}
		}
		return got >= n
	})
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func getPod(ctx context.Context, client *fake.Clientset, name string) *corev1.Pod {
	p, err := client.CoreV1().Pods("default").Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return &corev1.Pod{}
	}
	return p
}

// events returns "reason: message" of the recorded events.
func events(ctx context.Context, client *fake.Clientset) []string {
	list, err := client.CoreV1().Events("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range list.Items {
		out = append(out, e.Reason+": "+e.Message)
	}
	return out
}

func hasEvent(ctx context.Context, client *fake.Clientset, want string) bool {
	for _, e := range events(ctx, client) {
		if e == want {
			return true
		}
	}
	return false
}

func TestPodsAreBoundAndSpread(t *testing.T) {
	objs := []runtime.Object{mkNode("n1"), mkNode("n2")}
	for i := range 4 {
		objs = append(objs, mkPod(fmt.Sprintf("web-%d", i), requests("cpu", "100m"), ownedBy("rs-web")))
	}
	mine := mkPod("pinned", onNode("n1"))
	theirs := mkPod("theirs")
	theirs.Spec.SchedulerName = "other-scheduler"
	objs = append(objs, mine, theirs)
	client, ctx := startScheduler(t, Options{}, objs...)

	eventually(t, "all web pods bound", func() bool {
		for i := range 4 {
			if getPod(ctx, client, fmt.Sprintf("web-%d", i)).Spec.NodeName == "" {
				return false
			}
		}
		return true
	})
	perNode := map[string]int{}
	for i := range 4 {
		perNode[getPod(ctx, client, fmt.Sprintf("web-%d", i)).Spec.NodeName]++
	}
	if perNode["n1"] != 2 || perNode["n2"] != 2 {
		t.Errorf("replicas per node = %v, want 2 and 2", perNode)
	}
	eventually(t, "Scheduled event", func() bool {
		p := getPod(ctx, client, "web-0")
		return hasEvent(ctx, client, "Scheduled: Successfully assigned default/web-0 to "+p.Spec.NodeName)
	})
	if got := getPod(ctx, client, "theirs").Spec.NodeName; got != "" {
		t.Errorf("another scheduler's pod was bound to %s", got)
	}
	for _, a := range client.Actions() {
		if a.GetSubresource() == "binding" {
			if b := a.(clienttesting.CreateAction).GetObject().(*corev1.Binding); b.Name == "pinned" || b.Name == "theirs" {
				t.Errorf("bound %s", b.Name)
			}
		}
	}
}

func TestUnschedulableUntilANodeFits(t *testing.T) {
	// A long back-off proves the retry comes from the node event.
	opts := Options{InitialBackoff: time.Minute, MaxBackoff: time.Minute}
	client, ctx := startScheduler(t, opts,
		mkNode("small", withAllocatable("cpu", "1", "memory", "1Gi", "pods", "10")),
		mkPod("big", requests("cpu", "2")))

	const msg = "0/1 nodes are available: 1 Insufficient cpu."
	eventually(t, "Unschedulable condition", func() bool {
		for _, c := range getPod(ctx, client, "big").Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == "Unschedulable" && c.Message == msg {
				return true
			}
		}
		return false
	})
	eventually(t, "FailedScheduling event", func() bool { return hasEvent(ctx, client, "FailedScheduling: "+msg) })

	if _, err := client.CoreV1().Nodes().Create(ctx, mkNode("large"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "bound to the new node", func() bool { return getPod(ctx, client, "big").Spec.NodeName == "large" })
}

func TestFreedResourcesRetryWaitingPods(t *testing.T) {
	opts := Options{InitialBackoff: time.Minute, MaxBackoff: time.Minute}
	client, ctx := startScheduler(t, opts,
		mkNode("n", withAllocatable("cpu", "1", "memory", "1Gi", "pods", "10")),
		mkPod("running", onNode("n"), requests("cpu", "1"), phase(corev1.PodRunning)),
		mkPod("waiting", requests("cpu", "1")))

	eventually(t, "FailedScheduling", func() bool {
		return hasEvent(ctx, client, "FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu.")
	})
	if err := client.CoreV1().Pods("default").Delete(ctx, "running", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "bound after the node freed up", func() bool { return getPod(ctx, client, "waiting").Spec.NodeName == "n" })
}

func TestGatedPodWaitsForItsGates(t *testing.T) {
	gatedPod := mkPod("gated")
	gatedPod.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/wait"}}
	client, ctx := startScheduler(t, Options{}, mkNode("n"), gatedPod)

	eventually(t, "SchedulingGated condition", func() bool {
		for _, c := range getPod(ctx, client, "gated").Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Reason == "SchedulingGated" {
				return true
			}
		}
		return false
	})
	if n := getPod(ctx, client, "gated").Spec.NodeName; n != "" {
		t.Fatalf("gated pod bound to %s", n)
	}
	p := getPod(ctx, client, "gated")
	p.Spec.SchedulingGates = nil
	if _, err := client.CoreV1().Pods("default").Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "bound once ungated", func() bool { return getPod(ctx, client, "gated").Spec.NodeName == "n" })
}

// newStarted returns a scheduler whose informers run but whose workers do
// not, so tests can drive sync and decideFor themselves.
func newStarted(t *testing.T, client *fake.Clientset, opts Options) (*Controller, context.Context) {
	t.Helper()
	c, err := New(client, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel() // first: Shutdown waits for stopped informers
		c.factory.Shutdown()
	})
	c.factory.Start(ctx.Done())
	c.factory.WaitForCacheSync(ctx.Done())
	return c, ctx
}

func TestDecideForCountsAssumedPods(t *testing.T) {
	client := fake.NewClientset(
		mkNode("n", withAllocatable("cpu", "2", "memory", "4Gi", "pods", "10")),
		mkPod("p1", requests("cpu", "1")), mkPod("p2", requests("cpu", "1")), mkPod("p3", requests("cpu", "1")))
	c, _ := newStarted(t, client, Options{})
	// Nothing is bound, so the informer keeps showing all three pending.
	for i, want := range []string{"n", "n", ""} {
		pod, err := c.pods.Pods("default").Get(fmt.Sprintf("p%d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		host, fe, err := c.decideFor(pod)
		if err != nil {
			t.Fatal(err)
		}
		if host != want {
			t.Errorf("p%d: host %q (%v), want %q", i+1, host, fe, want)
		}
	}
}

func TestBindFailureDropsTheAssumption(t *testing.T) {
	client := fake.NewClientset(mkNode("n"), mkPod("p"))
	var fail atomic.Bool
	fail.Store(true)
	client.PrependReactor("create", "pods", bindingReactor(client, &fail))
	c, ctx := newStarted(t, client, Options{})
	rec := record.NewFakeRecorder(10)
	c.recorder = rec

	if err := c.sync(ctx, "default/p"); err == nil || !strings.Contains(err.Error(), "bad day") {
		t.Fatalf("sync = %v, want the binding error", err)
	}
	if c.assumed.has("pod-p") {
		t.Error("failed binding left the pod assumed")
	}
	if e := <-rec.Events; !strings.Contains(e, "FailedScheduling Binding rejected") {
		t.Errorf("event %q", e)
	}

	fail.Store(false)
	if err := c.sync(ctx, "default/p"); err != nil {
		t.Fatalf("second sync: %v", err)
	}
	if e := <-rec.Events; e != "Normal Scheduled Successfully assigned default/p to n" {
		t.Errorf("event %q", e)
	}
	// Assumed until the informer shows the binding; then forgotten.
	eventually(t, "assumption settled", func() bool { return !c.assumed.has("pod-p") })
}

func TestVolumeFilterIsConsulted(t *testing.T) {
	vf := func(pod *corev1.Pod, node *corev1.Node) (bool, string) {
		if node.Name == "far" {
			return false, "node(s) had volume node affinity conflict"
		}
		return true, ""
	}
	// "far" would win on name otherwise.
	client, ctx := startScheduler(t, Options{VolumeFilter: vf}, mkNode("far"), mkNode("near"), mkPod("p"))
	eventually(t, "bound", func() bool { return getPod(ctx, client, "p").Spec.NodeName != "" })
	if n := getPod(ctx, client, "p").Spec.NodeName; n != "near" {
		t.Errorf("bound to %s, want near", n)
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(fake.NewClientset(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.opts.SchedulerName != DefaultSchedulerName || c.opts.InitialBackoff != time.Second || c.opts.MaxBackoff != 30*time.Second {
		t.Errorf("opts = %+v", c.opts)
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Error("nil client accepted")
	}
}
