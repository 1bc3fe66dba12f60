package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func TestTmpLongExec(t *testing.T) {
	const token = "tok"
	s := StartServer(t, "--agent-token", token)
	cs := s.Clientset()
	logPath := filepath.Join(t.TempDir(), "app.log")
	os.WriteFile(logPath, nil, 0o600)
	rt := &streamRuntime{logPath: logPath, logDone: make(chan struct{}), forwardTo: streamEchoServer(t)}
	streamAgent(t, cs, "stream-node", token, rt)
	streamPod(t, cs, "web", "stream-node", corev1.PodRunning)
	start := time.Now()
	for _, env := range [][]string{nil, {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false"}} {
		k := streamKubectl(t, s, env, "", "exec", "web", "--", "sh", "-c", "sleep 65; echo done")
		select {
		case <-k.done:
		case <-time.After(90 * time.Second):
		}
		t.Logf("env %v after %v: %v %q", env, time.Since(start), k.err, k.out.String())
	}
}
