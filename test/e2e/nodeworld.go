package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-project/berth/images"
	"github.com/berth-project/berth/internal/cluster"
)

// NodeWorld is a one-node cluster made by `berth cluster create` inside a
// world network namespace the test owns (its "outside": the host side of the
// node network). The node runs `berth server` with its agent in its own
// network namespace and a pinned mount namespace that outlives the process
// (so an agent restart finds its pods' mounts). Nothing touches the host's
// namespaces.
type NodeWorld struct {
	t        testing.TB
	ID       string
	Cluster  string // cluster name
	NodeName string // Kubernetes node name
	Outside  string // netns name of the world
	Node     string // netns name of the node
	NodeIP   string
	Dir      string // state root of the cluster (and kubeconfig, images)
	MountNS  string // pinned mount namespace of the node
	// Nodes are all the cluster's nodes; node 0 (the fields above) runs
	// the server.
	Nodes []cluster.Node
	paths cluster.Paths
	world *World
}

// NodeWorldOptions shape the cluster of NewNodeWorldWith.
type NodeWorldOptions struct {
	Nodes      int      // default 1
	CreateArgs []string // more `berth cluster create` flags
	// Serial keeps the test out of the parallel phase: tests that assert
	// time bounds (failover, scale-down), count pods while controllers
	// act (rollouts), form an etcd cluster (HA) or load the machine (soak)
	// run alone. Every other top-level test with a NodeWorld runs in parallel
	// with the others (go test -parallel): each has its own namespaces,
	// and most of their time is waiting, not CPU.
	Serial bool
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

// NewNodeWorld creates a world and a one-node cluster in it.
func NewNodeWorld(t testing.TB) *NodeWorld {
	t.Helper()
	return NewNodeWorldWith(t, NodeWorldOptions{})
}

// NewNodeWorldWith creates a world and a cluster of o.Nodes nodes in it;
// it returns when every node is Ready.
func NewNodeWorldWith(t testing.TB, o NodeWorldOptions) *NodeWorld {
	t.Helper()
	if o.Nodes < 1 {
		o.Nodes = 1
	}
	if tt, ok := t.(*testing.T); ok && !o.Serial && !strings.Contains(tt.Name(), "/") {
		tt.Parallel()
	}
	requireRoot(t)
	_ = BerthBinary(t) // build it before the clock of the world starts
	imgs := testImages(t)
	world := NewWorld(t)
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	dir, err := os.MkdirTemp("", "berth-e2e-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	w := &NodeWorld{t: t, ID: id, Cluster: "e" + id, Outside: world.Name, Dir: dir, world: world}
	w.paths = cluster.NewPaths(dir, filepath.Join(dir, "run"), w.Cluster)
	t.Cleanup(w.Destroy) // runs before the world's own cleanup
	args := []string{"cluster", "create", w.Cluster, "--nodes", strconv.Itoa(o.Nodes), "--kubeconfig", w.Kubeconfig(), "--images", imgs, "--wait", "180s"}
	out, err := w.berth(append(args, o.CreateArgs...)...)
	if err != nil {
		t.Fatalf("berth cluster create: %v\n%s", err, out)
	}
	st, err := cluster.LoadState(w.paths)
	if err != nil {
		t.Fatal(err)
	}
	n := st.Nodes[0]
	w.Node, w.NodeIP, w.NodeName, w.MountNS = n.NetNS, n.IP, n.Name, w.paths.MountNSPin(0)
	w.Nodes = st.Nodes
	if !st.NoAgent { // a control plane alone has no nodes to wait for
		w.waitNodeReady()
	}
	return w
}

// InNodeN runs a command in node i's network and mount namespaces.
func (w *NodeWorld) InNodeN(i int, args ...string) (string, error) {
	n := w.Nodes[i]
	out, err := exec.Command("nsenter", append([]string{"--mount=" + w.paths.MountNSPin(n.Index), "--net=/run/netns/" + n.NetNS}, args...)...).CombinedOutput()
	return string(out), err
}

// StopNode stops node i's berth process (`berth cluster node stop`);
// kill: with SIGKILL, as a crash.
func (w *NodeWorld) StopNode(i int, kill bool) {
	w.t.Helper()
	args := []string{"cluster", "node", "stop"}
	if kill {
		args = append(args, "--kill")
	}
	if out, err := w.berth(append(args, w.Cluster, strconv.Itoa(i))...); err != nil {
		w.t.Fatalf("node stop %d: %v\n%s", i, err, out)
	}
}

// NodeLog returns node i's berth log.
func (w *NodeWorld) NodeLog(i int) string {
	b, _ := os.ReadFile(w.paths.NodeLog(i))
	return string(b)
}

// berth runs the berth binary in the world's network namespace (and the
// host's mount namespace, where cluster create must run).
func (w *NodeWorld) berth(args ...string) (string, error) {
	full := append([]string{"--net=/run/netns/" + w.Outside, "--", BerthBinary(w.t)}, args...)
	full = append(full, "--state-dir", w.Dir, "--run-dir", filepath.Join(w.Dir, "run"))
	out, err := exec.Command("nsenter", full...).CombinedOutput()
	return string(out), err
}

func (w *NodeWorld) agentDir() string { return w.paths.AgentRoot(0) }
func (w *NodeWorld) runDir() string   { return w.paths.AgentRunDir(0) }

// Kubeconfig is the admin kubeconfig (server URL on the node address).
func (w *NodeWorld) Kubeconfig() string { return filepath.Join(w.Dir, "kubeconfig") }

func (w *NodeWorld) waitNodeReady() {
	t := w.t
	t.Helper()
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

// Start starts the node's berth process again (`berth cluster node start`).
func (w *NodeWorld) Start() {
	w.t.Helper()
	if out, err := w.berth("cluster", "node", "start", w.Cluster, "0"); err != nil {
		w.t.Fatalf("node start: %v\n%s", err, out)
	}
	w.waitNodeReady()
}

// KillServer kills the node's berth process (server and agent) with
// SIGKILL, as a crash (`berth cluster node stop --kill`).
func (w *NodeWorld) KillServer() {
	w.t.Helper()
	if out, err := w.berth("cluster", "node", "stop", "--kill", w.Cluster, "0"); err != nil {
		w.t.Fatalf("node stop: %v\n%s", err, out)
	}
}

// Log returns the server's log.
func (w *NodeWorld) Log() string {
	b, _ := os.ReadFile(w.paths.NodeLog(0))
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

// Destroy deletes the cluster (`berth cluster delete`, which removes
// every process, mount, namespace, link and file it made) and the state
// directory. Safe to call twice.
func (w *NodeWorld) Destroy() {
	if w.Dir == "" {
		return
	}
	if w.t.Failed() {
		w.t.Logf("--- node log (last 60 lines) ---\n%s", tail(w.Log(), 60))
		for i := 1; i < len(w.Nodes); i++ {
			w.t.Logf("--- node %d log (last 30 lines) ---\n%s", i, tail(w.NodeLog(i), 30))
		}
	}
	if out, err := w.berth("cluster", "delete", w.Cluster); err != nil {
		w.t.Errorf("berth cluster delete: %v\n%s", err, out)
	}
	for _, m := range mountsUnder(w.Dir) {
		_ = syscall.Unmount(m, syscall.MNT_DETACH)
	}
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
