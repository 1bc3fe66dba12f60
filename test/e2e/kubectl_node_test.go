package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKubectlLogsExecPortForwardOnANode is the rest of acceptance 1 of the
// agent issue: on a real node, `kubectl logs`, `exec -- hostname`,
// `exec -it` through a pty, and `port-forward` reach the pod's containers.
func TestKubectlLogsExecPortForwardOnANode(t *testing.T) {
	requireRoot(t)
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script (util-linux) not installed")
	}
	w := NewNodeWorld(t)
	if out, err := w.KubectlErr(`apiVersion: v1
kind: Pod
metadata:
  name: chatty
spec:
  containers:
  - name: a
    image: testhost
    args: ["serve", "--port", "8080"]
  - name: b
    image: busybox
    command: ["sh", "-c", "i=0; while true; do echo line $i; i=$((i+1)); sleep 1; done"]
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitReady(t, "chatty")

	waitFor(t, 20*time.Second, "logs", func() (bool, string) {
		out, _ := w.KubectlErr("", "logs", "chatty", "-c", "b", "--tail=2")
		return strings.Contains(out, "line "), out
	})
	out := w.Kubectl("logs", "chatty", "-c", "b", "--timestamps", "--tail=1")
	if !strings.Contains(out, "Z line ") {
		t.Fatalf("logs --timestamps: %q", out)
	}

	out = w.Kubectl("exec", "chatty", "-c", "a", "--", "hostname")
	if strings.TrimSpace(out) != "chatty" {
		t.Fatalf("exec hostname = %q", out)
	}
	if _, err := w.KubectlErr("", "exec", "chatty", "-c", "b", "--", "sh", "-c", "exit 7"); err == nil {
		t.Fatal("exit code 7 not propagated")
	} else if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 7 {
		t.Fatalf("exec exit: %v", err)
	}

	// exec -it through a pty: kubectl's stdin is a terminal made by script(1).
	kubectl := fmt.Sprintf("ip netns exec %s %s --kubeconfig %s --cache-dir %s exec -it chatty -c b -- sh -c 'tty; echo IT-OK'",
		w.Outside, KubectlPath, w.Kubeconfig(), filepath.Join(w.Dir, "kubectl-cache"))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pty, err := exec.CommandContext(ctx, "script", "-qec", kubectl, "/dev/null").CombinedOutput()
	if err != nil || !strings.Contains(string(pty), "/dev/pts/") || !strings.Contains(string(pty), "IT-OK") {
		t.Fatalf("exec -it: %v\n%s", err, pty)
	}

	// port-forward from the outside namespace to container a's port.
	pf := exec.Command("ip", "netns", "exec", w.Outside, KubectlPath, "--kubeconfig", w.Kubeconfig(),
		"--cache-dir", filepath.Join(w.Dir, "kubectl-cache"), "port-forward", "pod/chatty", "18080:8080")
	if err := pf.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pf.Process.Kill(); _ = pf.Wait() }()
	waitFor(t, 20*time.Second, "port-forward", func() (bool, string) {
		out, err := w.InOutside("curl", "-s", "-m", "3", "http://127.0.0.1:18080/pf")
		return err == nil && strings.Contains(out, `"path": "/pf"`) && strings.Contains(out, `"hostname": "chatty"`), out
	})
}
