package e2e

import (
	"strings"
	"testing"
)

// TestDaemonSetOnePerNode is acceptance 3 of the workloads issue.
func TestDaemonSetOnePerNode(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	if out, err := w.KubectlErr(`apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: c
        image: testhost
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitPods(t, "app=agent", 1)
	w.Kubectl("rollout", "status", "daemonset/agent", "--timeout=120s")
	out := w.Kubectl("get", "pods", "-l", "app=agent", "-o", "jsonpath={.items[*].spec.nodeName}")
	if strings.TrimSpace(out) != w.NodeName {
		t.Fatalf("daemon pods on %q, want one on %s", out, w.NodeName)
	}
}
