package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestEndpointsAndClusterDNS: the seed's nginx-service gets an EndpointSlice
// listing its ready pod, and pods resolve it by name through the node-local
// cluster DNS (full name and the short name through the search path).
func TestEndpointsAndClusterDNS(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	w.Kubectl("apply", "-f", testdata("nginx-service.yaml"))
	if out, err := w.KubectlErr(`apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: nginx}
spec:
  containers:
  - name: web
    image: testhost
    args: ["serve", "--port", "80"]
    readinessProbe:
      httpGet: {path: /healthz, port: 80}
      periodSeconds: 1
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitReady(t, "web")
	podIP := w.podField(t, "web", "{.status.podIP}")
	clusterIP := strings.TrimSpace(w.Kubectl("get", "svc", "nginx-service", "-o", "jsonpath={.spec.clusterIP}"))
	waitFor(t, 20*time.Second, "EndpointSlice with the pod", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "endpointslices", "-l", "kubernetes.io/service-name=nginx-service",
			"-o", "jsonpath={.items[*].endpoints[*].addresses[*]} {.items[*].endpoints[*].conditions.ready}")
		return strings.Contains(out, podIP) && strings.Contains(out, "true"), out
	})
	out := w.Kubectl("get", "endpoints", "nginx-service", "-o", "jsonpath={.subsets[*].addresses[*].ip}")
	if !strings.Contains(out, podIP) {
		t.Fatalf("Endpoints: %q, want %s", out, podIP)
	}

	if out, err := w.KubectlErr(`apiVersion: v1
kind: Pod
metadata:
  name: resolver
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: testhost
    command: ["/bin/sh", "-c", "/testhost dns nginx-service.default.svc.cluster.local && /testhost dns nginx-service && /testhost dns --type TXT dns-version.cluster.local"]
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	waitFor(t, 60*time.Second, "resolver to finish", func() (bool, string) {
		p := w.podField(t, "resolver", "{.status.phase}")
		return p == "Succeeded" || p == "Failed", p
	})
	logs := w.Kubectl("logs", "resolver")
	if w.podField(t, "resolver", "{.status.phase}") != "Succeeded" || strings.Count(logs, clusterIP) != 2 || !strings.Contains(logs, "1.0.1") {
		t.Fatalf("DNS answers (want %s twice and 1.0.1):\n%s", clusterIP, logs)
	}
}
