package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestClusterIPRoundRobin: the seed's nginx-service over a 3-replica
// Deployment of testhost; from another pod, 30 requests to the ClusterIP and
// to the service name reach all 3 pods, cycling in a fixed order
// (round-robin, the node default).
func TestClusterIPRoundRobin(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	w.Kubectl("create", "deployment", "nginx", "--image=testhost", "--replicas=3")
	w.Kubectl("apply", "-f", testdata("nginx-service.yaml"))
	w.Kubectl("rollout", "status", "deployment/nginx", "--timeout=120s")
	w.waitPods(t, "app=nginx", 3)
	clusterIP := strings.TrimSpace(w.Kubectl("get", "svc", "nginx-service", "-o", "jsonpath={.spec.clusterIP}"))
	waitFor(t, 30*time.Second, "3 ready endpoints", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "endpointslices", "-l", "kubernetes.io/service-name=nginx-service", "-o", "jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}")
		return len(strings.Fields(out)) == 3, out
	})

	script := fmt.Sprintf(`for i in $(seq 1 30); do /testhost get http://%s/ | grep '"hostname"'; done; for n in nginx-service nginx-service.default nginx-service.default.svc.cluster.local; do /testhost get http://$n/ | grep '"hostname"'; done`, clusterIP)
	if out, err := w.KubectlErr(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: testhost
    command: ["/bin/sh", "-c", %q]
`, script), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	waitFor(t, 90*time.Second, "client to finish", func() (bool, string) {
		p := w.podField(t, "client", "{.status.phase}")
		return p == "Succeeded" || p == "Failed", p
	})
	logs := w.Kubectl("logs", "client")
	var hosts []string
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		f := strings.Split(line, `"`)
		if len(f) >= 4 {
			hosts = append(hosts, f[3])
		}
	}
	if len(hosts) != 33 {
		t.Fatalf("want 33 answers, got %d:\n%s", len(hosts), logs)
	}
	seen := map[string]int{}
	for _, h := range hosts[:30] {
		seen[h]++
	}
	if len(seen) != 3 {
		t.Fatalf("requests reached %d pods, want 3: %v", len(seen), seen)
	}
	// Round-robin: a fixed cycle of the three pods.
	for i := 3; i < 30; i++ {
		if hosts[i] != hosts[i-3] {
			t.Fatalf("not a fixed round-robin order: %v", hosts[:30])
		}
	}
}
