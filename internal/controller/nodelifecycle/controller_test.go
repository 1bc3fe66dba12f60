package nodelifecycle

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
)

// TestMonitorSilentNode drives one silent node through the shell with a
// fake clientset and a fake clock: Unknown, tainted, pods not ready, the
// untolerating pod evicted at once and the tolerating one after its time.
func TestMonitorSilentNode(t *testing.T) {
	node := nodeWithReady(corev1.ConditionTrue, t0)
	lease := leaseAt(t0)
	lease.Name, lease.Namespace = "n1", corev1.NamespaceNodeLease
	five := int64(5)
	mkPod := func(name string, tols ...corev1.Toleration) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID("uid-" + name)}, Spec: corev1.PodSpec{NodeName: "n1", Tolerations: tols},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}
	}
	bare := mkPod("bare")
	patient := mkPod("patient", corev1.Toleration{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &five})
	client := fake.NewSimpleClientset(node, lease, bare, patient)
	c, err := New(client, Options{GracePeriod: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.factory.Start(ctx.Done())
	c.leaseFac.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		t.Fatal("no sync")
	}
	clock := at(0)
	c.now = func() time.Time { return clock }
	if err := c.monitor(ctx); err != nil {
		t.Fatal(err)
	}
	clock = at(6) // past the grace period with no renewal
	if err := c.monitor(ctx); err != nil {
		t.Fatal(err)
	}
	n, _ := client.CoreV1().Nodes().Get(ctx, "n1", metav1.GetOptions{})
	if readyStatus(n) != corev1.ConditionUnknown {
		t.Fatalf("Ready = %s, want Unknown", readyStatus(n))
	}
	if !hasTaint(n.Spec.Taints, corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute) || !hasTaint(n.Spec.Taints, corev1.TaintNodeUnreachable, corev1.TaintEffectNoSchedule) {
		t.Fatalf("taints %+v", n.Spec.Taints)
	}
	if _, err := client.CoreV1().Pods("default").Get(ctx, "bare", metav1.GetOptions{}); err == nil {
		t.Fatal("untolerating pod not evicted")
	}
	p, err := client.CoreV1().Pods("default").Get(ctx, "patient", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cond := range p.Status.Conditions {
		if cond.Type == corev1.PodReady && cond.Status != corev1.ConditionFalse {
			t.Fatalf("pod Ready = %s, want False", cond.Status)
		}
	}
	// the informer has to see the taint before the next pass counts from it
	waitFor(t, func() bool {
		n, err := c.nodes.Get("n1")
		return err == nil && len(n.Spec.Taints) == 2
	})
	clock = at(12) // tolerationSeconds (5) after the taint (6)
	if err := c.monitor(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().Pods("default").Get(ctx, "patient", metav1.GetOptions{}); err == nil {
		t.Fatal("tolerating pod not evicted after tolerationSeconds")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
