package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// KubectlPath is the kubectl the tests drive: a pinned real release.
var KubectlPath = envOr("BERTH_E2E_KUBECTL", "/usr/lib/google-cloud-sdk/bin/kubectl.1.33")

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// BerthBinary builds cmd/berth once per test process.
func BerthBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if p := os.Getenv("BERTH_BINARY"); p != "" {
			binPath = p
			return
		}
		dir, err := os.MkdirTemp("", "berth-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "berth")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/berth")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// RemoveBuilt deletes what BerthBinary and the test images built in this
// process; a TestMain of every package using the harness calls it at the end.
func RemoveBuilt() {
	if binPath != "" && os.Getenv("BERTH_BINARY") == "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	if imagesDir != "" {
		_ = os.RemoveAll(imagesDir)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Server is a `berth server --disable-agent` process on loopback.
type Server struct {
	t          testing.TB
	DataDir    string
	Port       int
	EtcdClient int
	EtcdPeer   int
	ExtraArgs  []string
	cmd        *exec.Cmd
	log        *bytes.Buffer
	done       chan struct{}
}

// StartServer starts a server on a fresh data dir and waits until it is ready.
func StartServer(t testing.TB, extraArgs ...string) *Server {
	t.Helper()
	s := &Server{t: t, DataDir: t.TempDir(), Port: freePort(t), EtcdClient: freePort(t), EtcdPeer: freePort(t), ExtraArgs: extraArgs}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start (re)starts the process on the same data dir and ports.
func (s *Server) Start() {
	t := s.t
	t.Helper()
	args := []string{"server", "--disable-agent",
		"--data-dir", s.DataDir,
		"--listen", fmt.Sprintf("127.0.0.1:%d", s.Port),
		"--advertise-address", "127.0.0.1",
		"--etcd-client-addr", fmt.Sprintf("127.0.0.1:%d", s.EtcdClient),
		"--etcd-peer-addr", fmt.Sprintf("127.0.0.1:%d", s.EtcdPeer),
	}
	args = append(args, s.ExtraArgs...)
	s.log = &bytes.Buffer{}
	s.cmd = exec.Command(BerthBinary(t), args...)
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.done)
	if err := s.waitReady(60 * time.Second); err != nil {
		s.Stop()
		t.Fatalf("server not ready: %v\n--- server log ---\n%s", err, s.log.String())
	}
}

func (s *Server) waitReady(timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("server exited")
		default:
		}
		resp, err := client.Get(fmt.Sprintf("https://127.0.0.1:%d/readyz", s.Port))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				// the system namespaces are made by a post-start hook
				if _, err := os.Stat(s.Kubeconfig()); err == nil {
					return s.waitNamespace("kube-system", time.Until(deadline))
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("timed out after %v", timeout)
}

func (s *Server) waitNamespace(name string, timeout time.Duration) error {
	cs := s.clientsetNoFail()
	if cs == nil {
		return fmt.Errorf("no client")
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if _, err := cs.CoreV1().Namespaces().Get(context.Background(), name, metav1GetOptions); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("namespace %s never appeared", name)
}

// Stop terminates the server (SIGTERM, then SIGKILL) and waits for it.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// Kill stops the server with SIGKILL, as a crash would.
func (s *Server) Kill() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
}

// Log is what the server printed.
func (s *Server) Log() string { return s.log.String() }

// Kubeconfig is the admin kubeconfig the server wrote.
func (s *Server) Kubeconfig() string { return filepath.Join(s.DataDir, "admin.kubeconfig") }

// RESTConfig is a client-go config for the admin.
func (s *Server) RESTConfig() *rest.Config {
	s.t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", s.Kubeconfig())
	if err != nil {
		s.t.Fatal(err)
	}
	return cfg
}

// Clientset is a typed client-go clientset for the admin.
func (s *Server) Clientset() kubernetes.Interface {
	s.t.Helper()
	cs, err := kubernetes.NewForConfig(s.RESTConfig())
	if err != nil {
		s.t.Fatal(err)
	}
	return cs
}

func (s *Server) clientsetNoFail() kubernetes.Interface {
	cfg, err := clientcmd.BuildConfigFromFlags("", s.Kubeconfig())
	if err != nil {
		return nil
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil
	}
	return cs
}

// Kubectl runs the pinned kubectl against the server with its own
// discovery cache; it returns combined output and fails the test on error.
func (s *Server) Kubectl(args ...string) string {
	s.t.Helper()
	out, err := s.KubectlErr("", args...)
	if err != nil {
		s.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// KubectlErr runs kubectl with optional stdin and returns output and error.
func (s *Server) KubectlErr(stdin string, args ...string) (string, error) {
	s.t.Helper()
	if _, err := os.Stat(KubectlPath); err != nil {
		s.t.Skipf("pinned kubectl %s not installed", KubectlPath)
	}
	full := append([]string{"--kubeconfig", s.Kubeconfig(), "--cache-dir", filepath.Join(s.DataDir, "kubectl-cache")}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, KubectlPath, full...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}
