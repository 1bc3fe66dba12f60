package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// serviceNames are the ways a pod in "default" reaches the seed's Service:
// its ClusterIP (filled in by the test), the short name and the namespaced
// name through the pod's search path, and the full name.
var serviceNames = []string{"nginx-service", "nginx-service.default", "nginx-service.default.svc.cluster.local"}

// TestClusterIPBalancing: the seed's nginx-service over a 3-replica
// Deployment of testhost (acceptance 1). From another pod, requests to the
// ClusterIP and to each of the service's DNS names reach all 3 pods: with
// round-robin (the node default) they cycle in a fixed order; with the
// Service annotated `berth.dev/load-balancing: random` all 3 appear and none
// gets more than 60 %.
func TestClusterIPBalancing(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	clusterIP := w.nginxService(t, 3)
	w.clientPod(t, "client")
	targets := append([]string{clusterIP}, serviceNames...)

	t.Run("round-robin", func(t *testing.T) {
		for _, target := range targets {
			hosts := w.hostnamesFrom(t, "client", target, 30)
			if seen := counts(hosts); len(seen) != 3 {
				t.Fatalf("%s: requests reached %d pods, want 3: %v", target, len(seen), seen)
			}
			// Round-robin: a fixed cycle of the three pods.
			for i := 3; i < len(hosts); i++ {
				if hosts[i] != hosts[i-3] {
					t.Fatalf("%s: not a fixed round-robin order: %v", target, hosts)
				}
			}
		}
	})

	t.Run("random", func(t *testing.T) {
		w.Kubectl("annotate", "svc", "nginx-service", "berth.dev/load-balancing=random")
		waitFor(t, 30*time.Second, "the proxy to pick endpoints with numgen random", func() (bool, string) {
			out, _ := w.InNode("nft", "list", "table", "ip", "berth-proxy")
			return strings.Contains(out, "numgen random"), tail(out, 5)
		})
		// The check is "30 requests: all 3 appear, none above 60 %".
		// With a fair 1/3 choice that fails by chance with p = 0.0022 per
		// 30 requests (0.9 % for the four targets); with 60 requests per
		// target it is 2e-5 per target, so the same assertion over 60
		// requests tests the balancing and not luck.
		const n = 60
		for _, target := range targets {
			hosts := w.hostnamesFrom(t, "client", target, n)
			seen := counts(hosts)
			if len(seen) != 3 {
				t.Fatalf("%s: requests reached %d pods, want 3: %v", target, len(seen), seen)
			}
			for h, c := range seen {
				if c*100 > 60*n {
					t.Fatalf("%s: %s got %d of %d requests (> 60 %%): %v", target, h, c, n, seen)
				}
			}
			cycle := true
			for i := 3; i < len(hosts); i++ {
				cycle = cycle && hosts[i] == hosts[i-3]
			}
			if cycle {
				t.Fatalf("%s: random balancing gave a fixed cycle: %v", target, hosts)
			}
			t.Logf("%s: %v", target, seen)
		}
	})
}

// nginxService creates the seed's Deployment (testhost serving on 80) with
// the given replicas and nginx-service over it, waits until its slice lists
// them all ready, and returns the ClusterIP.
func (w *NodeWorld) nginxService(t *testing.T, replicas int) string {
	t.Helper()
	w.Kubectl("create", "deployment", "nginx", "--image=testhost", fmt.Sprintf("--replicas=%d", replicas))
	w.Kubectl("apply", "-f", testdata("nginx-service.yaml"))
	w.Kubectl("rollout", "status", "deployment/nginx", "--timeout=120s")
	w.waitPods(t, "app=nginx", replicas)
	w.waitReadyEndpoints(t, "nginx-service", replicas)
	return strings.TrimSpace(w.Kubectl("get", "svc", "nginx-service", "-o", "jsonpath={.spec.clusterIP}"))
}

// readyEndpoints lists the addresses of a Service's ready endpoints.
func (w *NodeWorld) readyEndpoints(svc string) []string {
	out, _ := w.KubectlErr("", "get", "endpointslices", "-l", "kubernetes.io/service-name="+svc,
		"-o", "jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}")
	return strings.Fields(out)
}

func (w *NodeWorld) waitReadyEndpoints(t *testing.T, svc string, n int) {
	t.Helper()
	waitFor(t, 60*time.Second, fmt.Sprintf("%d ready endpoints of %s", n, svc), func() (bool, string) {
		eps := w.readyEndpoints(svc)
		return len(eps) == n, strings.Join(eps, " ")
	})
}

// clientPod starts a testhost pod that only sleeps, to send requests from
// (kubectl exec, or the test process in its network namespace), and
// returns its UID.
func (w *NodeWorld) clientPod(t *testing.T, name string, extraSpec ...string) string {
	t.Helper()
	if out, err := w.KubectlErr(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: %s
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: testhost
    args: ["sleep"]
%s`, name, strings.Join(extraSpec, "\n")), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitReady(t, name)
	return w.podField(t, name, "{.metadata.uid}")
}

// hostnamesFrom sends n HTTP requests from pod to target (port 80), each on
// a new connection and resolved by the pod's own resolver, and returns the
// hostnames that answered, in order.
func (w *NodeWorld) hostnamesFrom(t *testing.T, pod, target string, n int) []string {
	t.Helper()
	script := fmt.Sprintf(`for i in $(seq 1 %d); do /testhost get http://%s/hostname || exit 1; echo; done`, n, target)
	out, err := w.KubectlErr("", "exec", pod, "--", "sh", "-c", script)
	if err != nil {
		t.Fatalf("requests to %s from %s: %v\n%s", target, pod, err, out)
	}
	hosts := strings.Fields(out)
	if len(hosts) != n {
		t.Fatalf("%s: want %d answers, got %d:\n%s", target, n, len(hosts), out)
	}
	return hosts
}

func counts(hosts []string) map[string]int {
	seen := map[string]int{}
	for _, h := range hosts {
		seen[h]++
	}
	return seen
}
