package nodeipam

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

func startController(t *testing.T, objs ...runtime.Object) (*fake.Clientset, context.Context) {
	t.Helper()
	client := fake.NewClientset(objs...)
	c, err := New(client, mustNet(t, "10.42.0.0/16"), 24)
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
	// The fake only delivers events to watches that exist.
	eventually(t, "node watch", func() bool {
		for _, a := range client.Actions() {
			if a.GetVerb() == "watch" {
				return true
			}
		}
		return false
	})
	return client, ctx
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

func podCIDROf(ctx context.Context, client *fake.Clientset, name string) string {
	n, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return ""
	}
	if len(n.Spec.PodCIDRs) != 1 || n.Spec.PodCIDRs[0] != n.Spec.PodCIDR {
		return "" // both fields must be set together
	}
	return n.Spec.PodCIDR
}

func TestAssignsKeepsAndReuses(t *testing.T) {
	client, ctx := startController(t, node("old", 1, "10.42.0.0/24"), node("a", 2))

	eventually(t, "a gets the first free range", func() bool { return podCIDROf(ctx, client, "a") == "10.42.1.0/24" })
	if got := podCIDROf(ctx, client, "old"); got != "10.42.0.0/24" {
		t.Errorf("existing range changed to %q", got)
	}

	// Two more arrive close together: distinct ranges despite cache lag.
	for _, n := range []*corev1.Node{node("b", 3), node("c", 4)} {
		if _, err := client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "b and c", func() bool {
		return podCIDROf(ctx, client, "b") != "" && podCIDROf(ctx, client, "c") != ""
	})
	seen := map[string]string{}
	for _, n := range []string{"old", "a", "b", "c"} {
		cidr := podCIDROf(ctx, client, n)
		if other, dup := seen[cidr]; dup {
			t.Fatalf("%s and %s share %s", n, other, cidr)
		}
		seen[cidr] = n
	}

	// Deleting a node frees its range for the next one.
	freed := podCIDROf(ctx, client, "a")
	if err := client.CoreV1().Nodes().Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().Nodes().Create(ctx, node("d", 5), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "d reuses the freed range", func() bool { return podCIDROf(ctx, client, "d") == freed })
}

func TestPatchCarriesBothFieldsAndUID(t *testing.T) {
	body, err := podCIDRPatch("uid-x", "10.42.9.0/24")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Metadata struct{ UID string } `json:"metadata"`
		Spec     corev1.NodeSpec      `json:"spec"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Metadata.UID != "uid-x" || got.Spec.PodCIDR != "10.42.9.0/24" || len(got.Spec.PodCIDRs) != 1 {
		t.Errorf("patch = %s", body)
	}
}

func TestConflictIsReportedOnce(t *testing.T) {
	client := fake.NewClientset(node("old", 1, "10.42.0.0/24"), node("young", 2, "10.42.0.0/24"))
	c, err := New(client, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer c.factory.Shutdown()
	defer cancel() // runs first: Shutdown waits for stopped informers
	c.factory.Start(ctx.Done())
	c.factory.WaitForCacheSync(ctx.Done())
	rec := &fakeRecorder{}
	c.recorder = rec
	for range 3 {
		if err := c.sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(rec.events) != 1 || !strings.Contains(rec.events[0], "PodCIDRConflict") || !strings.Contains(rec.events[0], "young") {
		t.Errorf("events = %q, want one PodCIDRConflict for young", rec.events)
	}
	for _, a := range client.Actions() {
		if a.GetVerb() == "patch" {
			t.Errorf("unexpected patch: %v", a)
		}
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(fake.NewClientset(), mustNet(t, "10.0.0.0/8"), 30); err == nil {
		t.Error("want an error for 2^22 subnets")
	}
	c, err := New(fake.NewClientset(), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.geometry.cluster.String() != "10.42.0.0/16" || c.geometry.maskSize != 24 {
		t.Errorf("defaults = %s /%d", c.geometry.cluster, c.geometry.maskSize)
	}
}
