package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-project/berth/images"
)

// NodeWorld is a one-node berth in network namespaces the test creates: an
// "outside" namespace (the host side of the node network) joined by a veth
// pair to the node's namespace, where `berth server` runs with its agent in
// a mount namespace of its own that outlives the process (so an agent
// restart finds its pods' mounts). Nothing touches the host's namespaces.
type NodeWorld struct {
	t         testing.TB
	ID        string
	Outside   string // netns name of the outside
	Node      string // netns name of the node
	NodeIP    string
	OutsideIP string
	Dir       string
	MountNS   string // bind-mounted mount namespace of the node
	proc      *exec.Cmd
	done      chan struct{}
	logFile   *os.File
}

var (
	imagesOnce sync.Once
	imagesDir  string
	imagesErr  error
)

// testImages builds the testhost and busybox images once per test run.
func testImages(t testing.TB) string {
	imagesOnce.Do(func() {
		dir, err := os.MkdirTemp("", "berth-e2e-images-")
		if err != nil {
			imagesErr = err
			return
		}
		_, imagesErr = images.Build(context.Background(), images.Options{OutDir: dir})
		imagesDir = dir
	})
	if imagesErr != nil {
		t.Fatalf("building test images: %v", imagesErr)
	}
	return imagesDir
}

func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces, mounts, runc)")
	}
	for _, bin := range []string{"ip", "nsenter", "unshare", "runc"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (scripts/install-deps.sh installs it)", bin)
		}
	}
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// NewNodeWorld builds the namespaces and starts the server with its agent.
func NewNodeWorld(t testing.TB) *NodeWorld {
	t.Helper()
	requireRoot(t)
	bin := BerthBinary(t)
	imgs := testImages(t)
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	octet := int(b[0])%200 + 20
	w := &NodeWorld{t: t, ID: id, Outside: "bto-" + id, Node: "btn-" + id,
		OutsideIP: fmt.Sprintf("172.31.%d.1", octet), NodeIP: fmt.Sprintf("172.31.%d.2", octet)}
	dir, err := os.MkdirTemp("", "berth-e2e-node-")
	if err != nil {
		t.Fatal(err)
	}
	w.Dir = dir
	w.MountNS = filepath.Join(dir, "mntns")
	t.Cleanup(w.Destroy)

	run(t, "ip", "netns", "add", w.Outside)
	run(t, "ip", "netns", "add", w.Node)
	for _, ns := range []string{w.Outside, w.Node} {
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	run(t, "ip", "-n", w.Outside, "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", w.Node)
	run(t, "ip", "-n", w.Outside, "addr", "add", w.OutsideIP+"/24", "dev", "up0")
	run(t, "ip", "-n", w.Outside, "link", "set", "up0", "up")
	run(t, "ip", "-n", w.Node, "addr", "add", w.NodeIP+"/24", "dev", "eth0")
	run(t, "ip", "-n", w.Node, "link", "set", "eth0", "up")
	// No default route: the world has no way out, so registries fail fast.

	// A mount namespace for the node, pinned by a bind mount so it outlives
	// the server process.
	if err := os.WriteFile(w.MountNS, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	run(t, "mount", "--bind", w.MountNS, w.MountNS)
	run(t, "mount", "--make-private", w.MountNS)
	run(t, "unshare", "--mount="+w.MountNS, "--propagation", "slave", "true")

	out := run(t, bin, "image", "load", "--root-dir", w.agentDir(), filepath.Join(imgs, "busybox.tar"), filepath.Join(imgs, "testhost.tar"))
	_ = out
	w.Start()
	return w
}

func (w *NodeWorld) agentDir() string  { return filepath.Join(w.Dir, "agent") }
func (w *NodeWorld) runDir() string    { return filepath.Join(w.Dir, "run") }
func (w *NodeWorld) serverDir() string { return filepath.Join(w.Dir, "server") }

// Kubeconfig is the admin kubeconfig (server URL on the node address).
func (w *NodeWorld) Kubeconfig() string { return filepath.Join(w.serverDir(), "admin.kubeconfig") }

// Start starts (or restarts) `berth server` in the node.
func (w *NodeWorld) Start() {
	t := w.t
	t.Helper()
	f, err := os.OpenFile(filepath.Join(w.Dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	w.logFile = f
	w.proc = exec.Command("nsenter", "--mount="+w.MountNS, "--net=/run/netns/"+w.Node,
		BerthBinary(t), "server", "--data-dir", w.serverDir(), "--listen", "0.0.0.0:6443",
		"--advertise-address", w.NodeIP, "--node-name", "node-"+w.ID,
		"--agent-root-dir", w.agentDir(), "--agent-run-dir", w.runDir())
	w.proc.Stdout, w.proc.Stderr = f, f
	w.proc.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := w.proc.Start(); err != nil {
		t.Fatal(err)
	}
	w.done = make(chan struct{})
	go func(c *exec.Cmd, d chan struct{}) { _ = c.Wait(); close(d) }(w.proc, w.done)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if out, err := w.KubectlErr("", "get", "nodes", "-o", "jsonpath={.items[*].status.conditions[?(@.type=='Ready')].status}"); err == nil && strings.Contains(out, "True") {
			if _, err := w.KubectlErr("", "get", "serviceaccount", "default"); err == nil {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("node never became Ready\n%s", w.Log())
}

// KillServer kills the server (and its agent) with SIGKILL, as a crash.
func (w *NodeWorld) KillServer() {
	if w.proc == nil || w.proc.Process == nil {
		return
	}
	_ = syscall.Kill(-w.proc.Process.Pid, syscall.SIGKILL)
	<-w.done
}

// Log returns the server's log.
func (w *NodeWorld) Log() string {
	b, _ := os.ReadFile(filepath.Join(w.Dir, "server.log"))
	return string(b)
}

// InOutside runs a command in the outside namespace.
func (w *NodeWorld) InOutside(args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", w.Outside}, args...)...).CombinedOutput()
	return string(out), err
}

// InNode runs a command in the node's network and mount namespaces.
func (w *NodeWorld) InNode(args ...string) (string, error) {
	out, err := exec.Command("nsenter", append([]string{"--mount=" + w.MountNS, "--net=/run/netns/" + w.Node}, args...)...).CombinedOutput()
	return string(out), err
}

// Kubectl runs the pinned kubectl from the outside namespace.
func (w *NodeWorld) Kubectl(args ...string) string {
	w.t.Helper()
	out, err := w.KubectlErr("", args...)
	if err != nil {
		w.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// KubectlErr runs kubectl with optional stdin.
func (w *NodeWorld) KubectlErr(stdin string, args ...string) (string, error) {
	if _, err := os.Stat(KubectlPath); err != nil {
		w.t.Skipf("pinned kubectl %s not installed", KubectlPath)
	}
	full := append([]string{"netns", "exec", w.Outside, KubectlPath, "--kubeconfig", w.Kubeconfig(), "--cache-dir", filepath.Join(w.Dir, "kubectl-cache")}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", full...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Destroy removes everything the world made: pods' containers, mounts,
// namespaces, processes, files. Safe to call twice.
func (w *NodeWorld) Destroy() {
	if w.Dir == "" {
		return
	}
	if w.proc != nil && w.proc.Process != nil {
		select {
		case <-w.done:
		default:
			_ = syscall.Kill(-w.proc.Process.Pid, syscall.SIGKILL)
			<-w.done
		}
	}
	if w.t.Failed() {
		w.t.Logf("--- server log (last 60 lines) ---\n%s", tail(w.Log(), 60))
	}
	// Containers: kill every process whose runc state is ours.
	if _, err := os.Stat(w.MountNS); err == nil {
		runcRoot := filepath.Join(w.runDir(), "runc")
		if out, err := w.InNode("runc", "--root", runcRoot, "list", "-q"); err == nil {
			for _, id := range strings.Fields(out) {
				_, _ = w.InNode("runc", "--root", runcRoot, "kill", "--all", id, "KILL")
				_, _ = w.InNode("runc", "--root", runcRoot, "delete", "--force", id)
			}
		}
		// monitors and anything else left in the node's network namespace
		if out, err := exec.Command("ip", "netns", "pids", w.Node).Output(); err == nil {
			for _, p := range strings.Fields(string(out)) {
				var pid int
				fmt.Sscan(p, &pid)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		// unmount everything below the world's directory inside the node's
		// mount namespace, deepest first, then the namespace itself
		_, _ = w.InNode("sh", "-c", fmt.Sprintf(`grep ' %s' /proc/self/mounts | cut -d' ' -f2 | sort -r | while read m; do umount -l "$m"; done`, w.Dir))
		_ = syscall.Unmount(w.MountNS, syscall.MNT_DETACH)
	}
	for _, m := range mountsUnder(w.Dir) {
		_ = syscall.Unmount(m, syscall.MNT_DETACH)
	}
	// the node's cgroup tree (pods' cgroups are removed by the agent)
	_ = exec.Command("sh", "-c", "find /sys/fs/cgroup/*/berth/node-"+w.ID+" /sys/fs/cgroup/berth/node-"+w.ID+" -depth -type d -exec rmdir {} + 2>/dev/null; rmdir /sys/fs/cgroup/*/berth /sys/fs/cgroup/berth 2>/dev/null").Run()
	_ = exec.Command("ip", "netns", "del", w.Node).Run()
	_ = exec.Command("ip", "netns", "del", w.Outside).Run()
	_ = os.RemoveAll(w.Dir)
	w.Dir = ""
}

func mountsUnder(dir string) []string {
	b, _ := os.ReadFile("/proc/self/mounts")
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && strings.HasPrefix(f[1], dir) {
			out = append([]string{f[1]}, out...)
		}
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
