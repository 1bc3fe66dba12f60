package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/agent/streaming"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// streamRuntime is the test's stand-in for a node's containers: exec runs
// a real local process, logs come from a CRI log file, port-forward dials a
// local TCP listener whatever the port.
type streamRuntime struct {
	logPath   string
	logDone   chan struct{}
	forwardTo string
}

func (r *streamRuntime) ContainerLog(ctx context.Context, c streaming.ContainerRef, previous bool) (streaming.LogFile, error) {
	if c.Container != "app" {
		return streaming.LogFile{}, fmt.Errorf("container %q: %w", c.Container, streaming.ErrNotFound)
	}
	return streaming.LogFile{Path: r.logPath, Done: r.logDone}, nil
}

func (r *streamRuntime) Exec(ctx context.Context, c streaming.ContainerRef, cmd []string, stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan streaming.TerminalSize) error {
	p := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
	if stdout != nil {
		p.Stdout = stdout
	}
	if stderr != nil {
		p.Stderr = stderr
	}
	if stdin != nil {
		in, err := p.StdinPipe()
		if err != nil {
			return err
		}
		go func() { io.Copy(in, stdin); in.Close() }()
	}
	return p.Run() // an *exec.ExitError carries the exit code
}

func (r *streamRuntime) Attach(ctx context.Context, c streaming.ContainerRef, stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan streaming.TerminalSize) error {
	_, err := fmt.Fprintln(stdout, "attached to "+c.Container)
	return err
}

func (r *streamRuntime) PortForward(ctx context.Context, p streaming.PodRef, port int32, stream io.ReadWriteCloser) error {
	conn, err := net.Dial("tcp", r.forwardTo)
	if err != nil {
		return err
	}
	defer conn.Close()
	go io.Copy(conn, stream)
	_, err = io.Copy(stream, conn)
	return err
}

// streamEchoServer answers every connection with "echo: " and what it got.
func streamEchoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					fmt.Fprintf(c, "echo: %s\n", sc.Text())
				}
			}()
		}
	}()
	return l.Addr().String()
}

// streamAgent runs the agent's streaming server in the test process on
// loopback, and registers Node name pointing at it.
func streamAgent(t *testing.T, cs kubernetes.Interface, name, token string, rt streaming.Runtime) {
	t.Helper()
	agent, err := streaming.New(streaming.Config{Address: "127.0.0.1:0", Token: token, LogPollInterval: 20 * time.Millisecond}, rt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = agent.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	bg := context.Background()
	node, err := cs.CoreV1().Nodes().Create(bg, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: name}, {Type: corev1.NodeInternalIP, Address: "127.0.0.1"}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(agent.Addr().(*net.TCPAddr).Port)
	if _, err := cs.CoreV1().Nodes().UpdateStatus(bg, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// streamPod creates a one-container pod bound to node and sets its phase.
func streamPod(t *testing.T, cs kubernetes.Interface, name, node string, phase corev1.PodPhase) {
	t.Helper()
	bg := context.Background()
	pod, err := cs.CoreV1().Pods("default").Create(bg, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "app", Image: "busybox"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.Phase = phase
	if _, err := cs.CoreV1().Pods("default").UpdateStatus(bg, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer collects a background command's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// bgKubectl is a kubectl running in the background.
type bgKubectl struct {
	out  *lockedBuffer
	done chan struct{} // closed when it exited
	err  error         // how it exited, once done
}

// streamKubectl starts kubectl in the background with extra environment;
// the test ends it if it still runs.
func streamKubectl(t *testing.T, s *Server, env []string, stdin string, args ...string) *bgKubectl {
	t.Helper()
	if _, err := os.Stat(KubectlPath); err != nil {
		t.Skipf("pinned kubectl %s not installed", KubectlPath)
	}
	full := append([]string{"--kubeconfig", s.Kubeconfig(), "--cache-dir", filepath.Join(s.DataDir, "kubectl-cache")}, args...)
	cmd := exec.Command(KubectlPath, full...)
	cmd.Env = append(os.Environ(), env...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	k := &bgKubectl{out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = k.out, k.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { k.err = cmd.Wait(); close(k.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-k.done
	})
	return k
}

// streamKubectlRun runs kubectl to the end (at most a minute).
func streamKubectlRun(t *testing.T, s *Server, env []string, stdin string, args ...string) (string, error) {
	t.Helper()
	k := streamKubectl(t, s, env, stdin, args...)
	select {
	case <-k.done:
		return k.out.String(), k.err
	case <-time.After(time.Minute):
		t.Fatalf("kubectl %s did not finish; output so far:\n%s", strings.Join(args, " "), k.out.String())
		return "", nil
	}
}

func streamWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// TestKubectlStreaming drives kubectl logs, exec, attach and port-forward
// through `berth server` to an agent streaming server with a fake runtime:
// kubectl's websocket protocols (translated or unwrapped to SPDY by the API
// server) and, with websockets turned off, its SPDY fallback.
func TestKubectlStreaming(t *testing.T) {
	const token = "e2e-agent-token"
	s := StartServer(t, "--agent-token", token)
	cs := s.Clientset()

	logPath := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(logPath, []byte(""+
		"2024-01-02T03:04:05.000000001Z stdout F hello\n"+
		"2024-01-02T03:04:06Z stderr P wor\n"+
		"2024-01-02T03:04:06.5Z stderr F ld\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rt := &streamRuntime{logPath: logPath, logDone: make(chan struct{}), forwardTo: streamEchoServer(t)}
	streamAgent(t, cs, "stream-node", token, rt)
	streamPod(t, cs, "web", "stream-node", corev1.PodRunning)
	streamPod(t, cs, "finished", "stream-node", corev1.PodSucceeded)

	t.Run("logs", func(t *testing.T) {
		if out := s.Kubectl("logs", "web"); out != "hello\nworld\n" {
			t.Fatalf("logs: %q", out)
		}
		if out := s.Kubectl("logs", "web", "--tail=1"); out != "ld\n" {
			t.Fatalf("logs --tail=1: %q", out) // tail counts CRI lines, as the kubelet does
		}
		if out := s.Kubectl("logs", "web", "--timestamps"); out != "2024-01-02T03:04:05.000000001Z hello\n2024-01-02T03:04:06.000000000Z world\n" {
			t.Fatalf("logs --timestamps: %q", out)
		}
		if out := s.Kubectl("logs", "web", "--limit-bytes=8"); out != "hello\nwo" {
			t.Fatalf("logs --limit-bytes: %q", out)
		}
		out, err := s.KubectlErr("", "logs", "web", "-c", "db")
		if err == nil || !strings.Contains(out, "container db is not valid for pod web") {
			t.Fatalf("logs of an unknown container: %v %q", err, out)
		}
	})

	t.Run("logs follow", func(t *testing.T) {
		k := streamKubectl(t, s, nil, "", "logs", "-f", "web", "--tail=1")
		out := k.out
		streamWait(t, "the last line", func() bool { return out.String() == "ld\n" })
		f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(f, "2024-01-02T03:04:07Z stdout F followed")
		f.Close()
		streamWait(t, "the followed line", func() bool { return out.String() == "ld\nfollowed\n" })
		close(rt.logDone) // the container stops: the stream ends, kubectl exits
		select {
		case <-k.done:
			if k.err != nil {
				t.Fatalf("kubectl logs -f: %v\n%s", k.err, out.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("kubectl logs -f did not end after the container stopped")
		}
	})

	// kubectl 1.33 uses websockets; KUBECTL_REMOTE_COMMAND_WEBSOCKETS and
	// KUBECTL_PORT_FORWARD_WEBSOCKETS=false make it use SPDY only.
	for _, proto := range []struct {
		name string
		env  []string
	}{
		{"websocket", nil},
		{"spdy", []string{"KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false", "KUBECTL_PORT_FORWARD_WEBSOCKETS=false"}},
	} {
		t.Run("exec/"+proto.name, func(t *testing.T) {
			out, err := streamKubectlRun(t, s, proto.env, "", "exec", "web", "--", "echo", "hi")
			if err != nil || out != "hi\n" {
				t.Fatalf("exec echo: %v %q", err, out)
			}
			out, err = streamKubectlRun(t, s, proto.env, "", "exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3")
			if exitCode(err) != 3 || !strings.Contains(out, "out\n") || !strings.Contains(out, "err\n") {
				t.Fatalf("exec exit 3: exit code %d (%v) %q", exitCode(err), err, out)
			}
			out, err = streamKubectlRun(t, s, proto.env, "line one\nline two\n", "exec", "-i", "web", "--", "sh", "-c", "cat; echo done")
			if err != nil || out != "line one\nline two\ndone\n" {
				t.Fatalf("exec -i: %v %q", err, out)
			}
			out, err = streamKubectlRun(t, s, proto.env, "", "attach", "web")
			if err != nil || !strings.Contains(out, "attached to app") {
				t.Fatalf("attach: %v %q", err, out)
			}
			if proto.env == nil { // the websocket protocol itself worked: no fallback to SPDY
				out, err = streamKubectlRun(t, s, nil, "", "-v=4", "exec", "web", "--", "true")
				if err != nil || strings.Contains(strings.ToLower(out), "fallback") {
					t.Fatalf("exec over websocket: %v\n%s", err, out)
				}
			}
			out, err = streamKubectlRun(t, s, proto.env, "", "exec", "finished", "--", "echo", "hi")
			if err == nil || !strings.Contains(out, "cannot exec into a container in a completed pod; current phase is Succeeded") {
				t.Fatalf("exec into a completed pod: %v %q", err, out)
			}
		})

		t.Run("port-forward/"+proto.name, func(t *testing.T) {
			k := streamKubectl(t, s, proto.env, "", "-v=4", "port-forward", "pod/web", ":8080")
			out := k.out
			re := regexp.MustCompile(`Forwarding from 127\.0\.0\.1:(\d+) -> 8080`)
			var port string
			streamWait(t, "kubectl port-forward to listen", func() bool {
				select {
				case <-k.done:
					t.Fatalf("kubectl port-forward exited: %v\n%s", k.err, out.String())
				default:
				}
				if m := re.FindStringSubmatch(out.String()); m != nil {
					port = m[1]
					return true
				}
				return false
			})
			for i := range 2 {
				conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 10*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(conn, "ping %d\n", i)
				conn.SetReadDeadline(time.Now().Add(20 * time.Second))
				line, err := bufio.NewReader(conn).ReadString('\n')
				conn.Close()
				if want := fmt.Sprintf("echo: ping %d\n", i); err != nil || line != want {
					t.Fatalf("through port-forward: %q, %v; want %q\nkubectl: %s", line, err, want, out.String())
				}
			}
			if proto.env == nil && strings.Contains(strings.ToLower(out.String()), "fallback") {
				t.Fatalf("port-forward fell back from websocket to SPDY:\n%s", out.String())
			}
		})
	}
}
