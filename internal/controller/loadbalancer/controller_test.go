package loadbalancer

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"
)

func TestControllerWritesStatus(t *testing.T) {
	pools, _ := ParsePools([]string{"10.0.0.1-10.0.0.1"})
	a, b := lb("a", 1), lb("b", 2)
	np := lb("np", 3, typ(corev1.ServiceTypeNodePort), shows("10.0.0.1"))
	client := fake.NewClientset(a, b, np)
	c := New(client, pools)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Run(ctx, 1) }()
	defer func() { cancel(); <-done }()

	status := func(name string) []corev1.LoadBalancerIngress {
		s, err := client.CoreV1().Services("default").Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s.Status.LoadBalancer.Ingress
	}
	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return len(status("a")) == 1 && len(status("np")) == 0, nil
	})
	if err != nil {
		t.Fatalf("a = %v, np = %v", status("a"), status("np"))
	}
	if got := status("a")[0].IP; got != "10.0.0.1" {
		t.Errorf("a got %s", got)
	}
	if got := status("b"); len(got) != 0 {
		t.Errorf("b got %v from an exhausted pool", got)
	}

	// Deleting a frees the address for b.
	if err := client.CoreV1().Services("default").Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return len(status("b")) == 1, nil
	})
	if err != nil {
		t.Fatalf("b never got the freed address")
	}
}
