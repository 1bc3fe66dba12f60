package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// podCounts returns the non-terminating pods of app=web and how many of
// them are Ready.
func podCounts(w *NodeWorld, selector string) (total, ready int, err error) {
	pods, err := w.Clientset().CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return 0, 0, err
	}
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil {
			continue
		}
		total++
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	return total, ready, nil
}

func (w *NodeWorld) waitPods(t *testing.T, selector string, want int) {
	t.Helper()
	waitFor(t, 120*time.Second, fmt.Sprintf("%d ready pods (%s)", want, selector), func() (bool, string) {
		total, ready, err := podCounts(w, selector)
		return err == nil && total == want && ready == want, fmt.Sprintf("%d pods, %d ready, %v", total, ready, err)
	})
}

// TestDeploymentLifecycle is acceptance 1, 2 and 4 of the workloads issue.
func TestDeploymentLifecycle(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorldWith(t, NodeWorldOptions{Serial: true}) // counts pods during a rollout: alone
	w.Kubectl("create", "deployment", "web", "--image=testhost", "--replicas=3")
	w.Kubectl("rollout", "status", "deployment/web", "--timeout=120s")
	w.waitPods(t, "app=web", 3)

	w.Kubectl("scale", "deployment/web", "--replicas=5")
	w.waitPods(t, "app=web", 5)
	w.Kubectl("scale", "deployment/web", "--replicas=2")
	w.waitPods(t, "app=web", 2)

	// A deleted pod is replaced.
	// (pods of the scale-down may still be terminating: pick a live one)
	name := ""
	pods, err := w.Clientset().CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil {
			name = p.Name
			break
		}
	}
	w.Kubectl("delete", "pod", name, "--wait=false")
	waitFor(t, 60*time.Second, "a replacement pod", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}")
		total, ready, _ := podCounts(w, "app=web")
		return !strings.Contains(out, name) && total == 2 && ready == 2, out
	})

	// A rolling update within the bounds: 4 replicas, maxSurge 1, maxUnavailable 1.
	w.Kubectl("scale", "deployment/web", "--replicas=4")
	w.waitPods(t, "app=web", 4)
	w.Kubectl("patch", "deployment/web", "-p", `{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":1}}}}`)
	var mu sync.Mutex
	maxTotal, minReady := 0, 100
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if total, ready, err := podCounts(w, "app=web"); err == nil {
				mu.Lock()
				maxTotal, minReady = max(maxTotal, total), min(minReady, ready)
				mu.Unlock()
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	// A new image reference (the same image under its full name) rolls out.
	w.Kubectl("set", "image", "deployment/web", "testhost=docker.io/library/testhost:latest")
	w.Kubectl("rollout", "status", "deployment/web", "--timeout=180s")
	close(stop)
	wg.Wait()
	if maxTotal > 5 || minReady < 3 {
		t.Fatalf("rollout broke its bounds: up to %d pods (max 5), down to %d ready (min 3)", maxTotal, minReady)
	}
	w.waitPods(t, "app=web", 4)

	// undo returns to the previous ReplicaSet.
	hashBefore := w.Kubectl("get", "rs", "-l", "app=web", "-o", "jsonpath={range .items[?(@.spec.replicas>0)]}{.metadata.labels.pod-template-hash}{end}")
	w.Kubectl("rollout", "undo", "deployment/web")
	w.Kubectl("rollout", "status", "deployment/web", "--timeout=180s")
	hashAfter := w.Kubectl("get", "rs", "-l", "app=web", "-o", "jsonpath={range .items[?(@.spec.replicas>0)]}{.metadata.labels.pod-template-hash}{end}")
	if hashBefore == hashAfter {
		t.Fatalf("undo did not switch ReplicaSets (%s)", hashAfter)
	}
	if n := strings.Count(w.Kubectl("get", "rs", "-l", "app=web", "--no-headers"), "\n"); n != 2 {
		t.Fatalf("undo should reuse the old ReplicaSet: %d ReplicaSets", n)
	}
	if out := w.Kubectl("get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"); out != "testhost" {
		t.Fatalf("undo kept the new template: image %s", out)
	}
	if out := w.Kubectl("rollout", "history", "deployment/web"); !strings.Contains(out, "REVISION") || !strings.Contains(out, "3") {
		t.Fatalf("rollout history:\n%s", out)
	}
	if out := w.Kubectl("describe", "deployment", "web"); !strings.Contains(out, "ScalingReplicaSet") {
		t.Fatalf("describe shows no ScalingReplicaSet events:\n%s", out)
	}

	// Restart the server in the middle of a rollout: it finishes, no extra pods.
	w.Kubectl("set", "env", "deployment/web", "ROLL=2")
	w.KillServer()
	w.Start()
	w.Kubectl("rollout", "status", "deployment/web", "--timeout=180s")
	w.waitPods(t, "app=web", 4)
}
