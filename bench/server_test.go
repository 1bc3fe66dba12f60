package bench

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
	"strconv"
	"strings"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// server is one `berth server --disable-agent` process on loopback with its
// embedded etcd, started on a temp data dir. The lines that start and probe
// it are copied from test/e2e/harness.go, which bench/ may not import (it is
// a test-only package) and must not edit. Helpers return errors instead of
// taking a testing.TB so TestMain can own a server shared by benchmarks.
type server struct {
	dir, bin   string
	port       int
	etcdClient int
	cmd        *exec.Cmd
	log        *bytes.Buffer
	done       chan struct{}
}

// buildBerth builds cmd/berth into dir, or uses $BERTH_BINARY.
func buildBerth(dir string) (string, error) {
	if p := os.Getenv("BERTH_BINARY"); p != "" {
		return p, nil
	}
	bin := filepath.Join(dir, "berth")
	_, file, _, _ := runtime.Caller(0)
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/berth")
	cmd.Dir = filepath.Join(filepath.Dir(file), "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer builds the binary, starts it and waits until it is ready. On
// error the process (if any) is already stopped; the caller still removes
// root.
func startServer(root string) (*server, error) {
	bin, err := buildBerth(root)
	if err != nil {
		return nil, err
	}
	var ports [3]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return nil, err
		}
	}
	s := &server{dir: filepath.Join(root, "data"), bin: bin, port: ports[0], etcdClient: ports[1]}
	s.log = &bytes.Buffer{}
	s.cmd = exec.Command(bin, "server", "--disable-agent",
		"--data-dir", s.dir,
		"--listen", fmt.Sprintf("127.0.0.1:%d", s.port),
		"--advertise-address", "127.0.0.1",
		"--etcd-client-addr", fmt.Sprintf("127.0.0.1:%d", ports[1]),
		"--etcd-peer-addr", fmt.Sprintf("127.0.0.1:%d", ports[2]),
	)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	// Own process group so stop() reaches anything it spawns; Pdeathsig so a
	// killed `go test` does not leave a server behind.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	s.done = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	if err := s.waitReady(90 * time.Second); err != nil {
		s.stop()
		return nil, fmt.Errorf("server not ready: %v\n--- server log ---\n%s", err, s.log.String())
	}
	return s, nil
}

// waitReady polls /readyz (self-signed TLS), then waits for kube-system,
// which a post-start hook creates.
func (s *server) waitReady(timeout time.Duration) error {
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("server exited")
		default:
		}
		resp, err := hc.Get(fmt.Sprintf("https://127.0.0.1:%d/readyz", s.port))
		if err == nil {
			resp.Body.Close()
			if _, serr := os.Stat(s.kubeconfig()); resp.StatusCode == 200 && serr == nil {
				if cs, err := s.clientset(); err == nil {
					if _, err := cs.CoreV1().Namespaces().Get(context.Background(), "kube-system", metav1.GetOptions{}); err == nil {
						return nil
					}
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("timed out after %v", timeout)
}

// stop sends SIGTERM to the process group, then SIGKILL after 15s.
func (s *server) stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
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

func (s *server) kubeconfig() string { return filepath.Join(s.dir, "admin.kubeconfig") }

func (s *server) etcdEndpoint() string { return fmt.Sprintf("http://127.0.0.1:%d", s.etcdClient) }

// restConfig is the admin config tuned for load: client-side rate limits
// out of the way, and protobuf on the wire as controllers use it (kubectl's
// JSON is measured separately for lists).
func (s *server) restConfig() (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", s.kubeconfig())
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 5000, 5000
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	return cfg, nil
}

func (s *server) clientset() (kubernetes.Interface, error) {
	cfg, err := s.restConfig()
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

// memory reads VmRSS and VmHWM (peak RSS) of the server process, in bytes.
// The embedded etcd lives in the same process, so both include it.
func (s *server) memory() (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			hwm = kb << 10
		}
	}
	return rss, hwm, nil
}
