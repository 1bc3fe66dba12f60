package serviceaccount

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

func startController(t *testing.T, objs ...runtime.Object) (*fake.Clientset, context.Context) {
	t.Helper()
	client := fake.NewClientset(objs...)
	c, err := New(client, []byte(testCA))
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
	// The fake only delivers events to watches that exist: wait for the three.
	eventually(t, "watches", func() bool {
		n := 0
		for _, a := range client.Actions() {
			if a.GetVerb() == "watch" {
				n++
			}
		}
		return n >= 3
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

func activeNS(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}}
}

func hasSA(ctx context.Context, c *fake.Clientset, ns string) bool {
	_, err := c.CoreV1().ServiceAccounts(ns).Get(ctx, DefaultServiceAccountName, metav1.GetOptions{})
	return err == nil
}

func caData(ctx context.Context, c *fake.Clientset, ns string) (string, bool) {
	cm, err := c.CoreV1().ConfigMaps(ns).Get(ctx, RootCAConfigMapName, metav1.GetOptions{})
	if err != nil {
		return "", false
	}
	return cm.Data[RootCAConfigMapKey], true
}

func TestDefaultsCreatedAndMaintained(t *testing.T) {
	client, ctx := startController(t, activeNS("team"))

	eventually(t, "defaults in team", func() bool {
		d, ok := caData(ctx, client, "team")
		return hasSA(ctx, client, "team") && ok && d == testCA
	})

	// A namespace created later gets them too.
	if _, err := client.CoreV1().Namespaces().Create(ctx, activeNS("late"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "defaults in late", func() bool {
		_, ok := caData(ctx, client, "late")
		return hasSA(ctx, client, "late") && ok
	})

	// Deleted: re-created.
	if err := client.CoreV1().ServiceAccounts("team").Delete(ctx, DefaultServiceAccountName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := client.CoreV1().ConfigMaps("team").Delete(ctx, RootCAConfigMapName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "re-creation", func() bool {
		_, ok := caData(ctx, client, "team")
		return hasSA(ctx, client, "team") && ok
	})

	// Drifted: restored.
	cm, err := client.CoreV1().ConfigMaps("team").Get(ctx, RootCAConfigMapName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data = map[string]string{RootCAConfigMapKey: "tampered"}
	if _, err := client.CoreV1().ConfigMaps("team").Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "restored data", func() bool {
		d, _ := caData(ctx, client, "team")
		return d == testCA
	})
}

func TestTerminatingNamespaceGetsNothing(t *testing.T) {
	now := metav1.Now()
	dying := activeNS("dying")
	dying.DeletionTimestamp = &now
	dying.Finalizers = []string{"test"} // the fake refuses deletionTimestamp without finalizers
	dying.Status.Phase = corev1.NamespaceTerminating
	client, ctx := startController(t, dying, activeNS("live"))
	// Once the live namespace is served, the dying one has been looked at too.
	eventually(t, "live defaults", func() bool {
		_, ok := caData(ctx, client, "live")
		return hasSA(ctx, client, "live") && ok
	})
	for _, a := range client.Actions() {
		if a.GetVerb() == "create" && a.GetNamespace() == "dying" {
			t.Errorf("created in terminating namespace: %v", a)
		}
	}
}

func TestTerminatingRefusalIsNotAnError(t *testing.T) {
	client := fake.NewClientset(activeNS("team"))
	refusal := apierrors.NewForbidden(corev1.Resource("serviceaccounts"), "default", nil)
	refusal.ErrStatus.Details.Causes = []metav1.StatusCause{{Type: corev1.NamespaceTerminatingCause}}
	client.PrependReactor("create", "*", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, refusal
	})
	c, err := New(client, []byte(testCA))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer c.factory.Shutdown()
	defer cancel() // runs first: Shutdown waits for stopped informers
	c.factory.Start(ctx.Done())
	c.factory.WaitForCacheSync(ctx.Done())
	if err := c.sync(ctx, "team"); err != nil {
		t.Errorf("sync = %v, want nil for a namespace that started terminating", err)
	}
	creates := 0
	for _, a := range client.Actions() {
		if a.GetVerb() == "create" {
			creates++
		}
	}
	if creates != 2 {
		t.Errorf("creates attempted = %d, want 2", creates)
	}
}

func TestNewRejectsEmptyCA(t *testing.T) {
	if _, err := New(fake.NewClientset(), nil); err == nil {
		t.Error("want an error for an empty CA bundle")
	}
}
