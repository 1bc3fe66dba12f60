package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/cluster"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
)

// testCluster drives `berth cluster` for one cluster name inside a world,
// with a state directory of the test's own.
type testCluster struct {
	t     *testing.T
	w     *World
	bin   string
	name  string
	state string // --state-dir
}

// newTestCluster prepares (does not create) cluster name in w. When the
// test ends it deletes the cluster, reports anything left over as an
// error and then removes the leftovers by force.
func newTestCluster(t *testing.T, w *World, name string) *testCluster {
	t.Helper()
	c := &testCluster{t: t, w: w, bin: BerthBinary(t), name: name, state: t.TempDir()}
	t.Cleanup(func() {
		if out, err := c.run("delete", name); err != nil {
			t.Errorf("cleanup: berth cluster delete %s: %v\n%s", name, err, out)
		}
		if leaks := c.leaks(); len(leaks) > 0 {
			t.Errorf("cluster %s left behind:\n  %s", name, strings.Join(leaks, "\n  "))
			c.forceCleanup()
		}
	})
	return c
}

func (c *testCluster) kubeconfig() string { return filepath.Join(c.state, "kc") }
func (c *testCluster) dir() string        { return filepath.Join(c.state, c.name) }

// run runs `berth cluster ARGS --state-dir STATE` in the world.
func (c *testCluster) run(args ...string) (string, error) {
	return c.w.Run(c.bin, append(append([]string{"cluster"}, args...), "--state-dir", c.state)...)
}

func (c *testCluster) mustRun(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("berth cluster %s: %v\n%s%s", strings.Join(args, " "), err, out, c.nodeLogs())
	}
	return out
}

// createArgs are the arguments of a create of this cluster.
func (c *testCluster) createArgs(extra ...string) []string {
	return append([]string{"create", c.name, "--kubeconfig", c.kubeconfig(), "--images", WorldImages(c.t), "--wait", "90s"}, extra...)
}

// nodeLogs returns the tails of the node logs, for failure messages.
func (c *testCluster) nodeLogs() string {
	logs, _ := filepath.Glob(filepath.Join(c.dir(), "nodes", "*", "log"))
	var b strings.Builder
	for _, l := range logs {
		data, _ := os.ReadFile(l)
		fmt.Fprintf(&b, "\n--- %s ---\n%s", l, tail(string(data), 40))
	}
	return b.String()
}

// leaks lists whatever of the cluster still exists.
func (c *testCluster) leaks() []string {
	var out []string
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "berth-"+c.name+"-") {
			out = append(out, "network namespace "+e.Name())
		}
	}
	if c.w.Name != "" {
		for _, l := range c.w.Links() {
			if l != "lo" {
				out = append(out, "link in the world: "+l)
			}
		}
	}
	if hostHasLink(cluster.BridgeName(c.name)) {
		out = append(out, "bridge in the host namespace (!): "+cluster.BridgeName(c.name))
	}
	for _, pid := range clusterPIDs(c.dir()+"/", "/berth/"+c.name+"-node") {
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		out = append(out, fmt.Sprintf("process %d: %s", pid, strings.ReplaceAll(string(cmd), "\x00", " ")))
	}
	for _, m := range mountPointsUnder(c.state) {
		out = append(out, "mount "+m)
	}
	for _, d := range []string{c.dir(), filepath.Join(cluster.DefaultRunRoot, c.name)} {
		if _, err := os.Lstat(d); err == nil {
			out = append(out, "directory "+d)
		}
	}
	cgs, _ := filepath.Glob("/sys/fs/cgroup/*/berth/" + c.name + "-node*")
	cgs2, _ := filepath.Glob("/sys/fs/cgroup/berth/" + c.name + "-node*")
	for _, cg := range append(cgs, cgs2...) {
		out = append(out, "cgroup "+cg)
	}
	if cfg, err := clientcmd.LoadFromFile(c.kubeconfig()); err == nil {
		if _, ok := cfg.Contexts[cluster.ContextName(c.name)]; ok {
			out = append(out, "kubeconfig context "+cluster.ContextName(c.name))
		}
	}
	return out
}

// forceCleanup removes leftovers after a failed delete, so a bug in delete
// never leaves junk on the machine.
func (c *testCluster) forceCleanup() {
	for _, pid := range clusterPIDs(c.dir()+"/", "/berth/"+c.name+"-node") {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	time.Sleep(200 * time.Millisecond)
	for _, m := range mountPointsUnder(c.state) {
		_ = syscall.Unmount(m, syscall.MNT_DETACH)
	}
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "berth-"+c.name+"-") {
			_ = exec.Command("ip", "netns", "delete", e.Name()).Run()
		}
	}
	_ = os.RemoveAll(filepath.Join(cluster.DefaultRunRoot, c.name))
	// links in the world go with it; cgroups once their processes are gone
	cgs, _ := filepath.Glob("/sys/fs/cgroup/*/berth/" + c.name + "-node*")
	cgs2, _ := filepath.Glob("/sys/fs/cgroup/berth/" + c.name + "-node*")
	for _, cg := range append(cgs, cgs2...) {
		_ = exec.Command("find", cg, "-depth", "-type", "d", "-exec", "rmdir", "{}", ";").Run()
	}
}

// clusterPIDs finds processes whose arguments mention dir or that sit in a
// cgroup whose path contains cgroupPart (the cluster's containers).
func clusterPIDs(dir, cgroupPart string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue // a zombie is gone, only not yet reaped
		}
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		cg, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
		if strings.Contains(string(cmd), dir) || strings.Contains(string(cg), cgroupPart) {
			out = append(out, pid)
		}
	}
	return out
}

func mountPointsUnder(dir string) []string {
	b, _ := os.ReadFile("/proc/self/mountinfo")
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			out = append(out, f[4])
		}
	}
	return out
}

func hostHasLink(name string) bool {
	_, err := os.Stat("/sys/class/net/" + name)
	return err == nil
}

// assertGone fails the test if anything of the cluster is left.
func (c *testCluster) assertGone() {
	c.t.Helper()
	if leaks := c.leaks(); len(leaks) > 0 {
		c.t.Fatalf("cluster %s left behind:\n  %s", c.name, strings.Join(leaks, "\n  "))
	}
}

func TestClusterCreateListDelete(t *testing.T) {
	w := NewWorld(t)
	c := newTestCluster(t, w, "t1")
	out := c.mustRun(c.createArgs("--no-agent")...)
	t.Logf("create:\n%s", out)
	for _, want := range []string{"Creating underlay 172.2", "Starting the control plane on t1-node0", "Waiting for the API server", "is ready"} {
		if !strings.Contains(out, want) {
			t.Errorf("create output lacks %q", want)
		}
	}
	st, err := cluster.LoadState(cluster.NewPaths(c.state, cluster.DefaultRunRoot, "t1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Nodes) != 1 || st.Nodes[0].NetNS != "berth-t1-node0" || !strings.HasPrefix(st.Subnet, "172.") {
		t.Fatalf("state: %+v", st)
	}
	if hostHasLink(st.Bridge) {
		t.Fatalf("bridge %s was created in the host namespace", st.Bridge)
	}

	// The API answers through the kubeconfig, from inside the world.
	cs := w.Clientset(c.kubeconfig())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := cs.Discovery().ServerVersion()
	if err != nil {
		t.Fatalf("server version: %v%s", err, c.nodeLogs())
	}
	t.Logf("API %s answers: %s", st.APIServer, v.GitVersion)
	if _, err := cs.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{}); err != nil {
		t.Fatalf("kube-system: %v", err)
	}
	cfg, err := clientcmd.LoadFromFile(c.kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "berth-t1" || cfg.Clusters["berth-t1"].Server != st.APIServer {
		t.Fatalf("kubeconfig: current %q, server %v", cfg.CurrentContext, cfg.Clusters["berth-t1"])
	}

	list := c.mustRun("list")
	t.Logf("list:\n%s", list)
	var row []string
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "t1" {
			row = f
		}
	}
	if len(row) != 5 || row[1] != "1" || row[2] != st.Subnet || row[3] != st.APIServer || row[4] != "running" {
		t.Fatalf("list row %q", row)
	}

	// A second create of the same name is refused and breaks nothing.
	if out, err := c.run(c.createArgs("--no-agent")...); err == nil || !strings.Contains(out, "already exists") {
		t.Fatalf("second create: %v\n%s", err, out)
	}
	if _, err := cs.Discovery().ServerVersion(); err != nil {
		t.Fatalf("API gone after the refused create: %v", err)
	}

	for i := 0; i < 2; i++ {
		out := c.mustRun("delete", "t1")
		t.Logf("delete #%d:\n%s", i+1, out)
		c.assertGone()
	}
	if list := c.mustRun("list"); strings.Contains(list, "t1") {
		t.Fatalf("list after delete:\n%s", list)
	}
}

func TestClusterKilledCreateThenDelete(t *testing.T) {
	for _, tc := range []struct {
		name   string
		killAt func(c *testCluster) string // file whose appearance triggers the kill
	}{
		{"t2", func(c *testCluster) string { return filepath.Join(c.dir(), "cluster.json") }},
		{"t3", func(c *testCluster) string { return filepath.Join(c.dir(), "nodes", "node0", "pid") }},
		{"t4", func(c *testCluster) string { return c.kubeconfig() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWorld(t)
			c := newTestCluster(t, w, tc.name)
			cmd := w.Command(c.bin, append(append([]string{"cluster"}, c.createArgs("--no-agent")...), "--state-dir", c.state)...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			trigger := tc.killAt(c)
			deadline := time.Now().Add(60 * time.Second)
			for {
				if _, err := os.Stat(trigger); err == nil {
					break
				}
				select {
				case err := <-done:
					t.Fatalf("create ended before %s appeared: %v", trigger, err)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s never appeared", trigger)
				}
				time.Sleep(5 * time.Millisecond)
			}
			_ = cmd.Process.Kill() // nsenter exec'd berth: this is the create itself
			<-done
			t.Logf("killed create after %s appeared; left: %q", filepath.Base(trigger), c.leaks())

			for i := 0; i < 2; i++ {
				c.mustRun("delete", tc.name)
				c.assertGone()
			}
		})
	}
}

func TestClusterFailedCreateCleansUp(t *testing.T) {
	w := NewWorld(t)
	c := newTestCluster(t, w, "t5")
	// nothing can be ready within a millisecond: create fails after
	// starting the server and must remove everything itself
	out, err := c.run(c.createArgs("--no-agent", "--wait", "1ms")...)
	if err == nil {
		t.Fatalf("create succeeded:\n%s", out)
	}
	t.Logf("create:\n%s", out)
	if !strings.Contains(out, "Cleaning up") {
		t.Fatalf("no cleanup in the output")
	}
	c.assertGone()
}

func TestClusterTwoNodesWithAgents(t *testing.T) {
	if _, err := exec.LookPath("runc"); err != nil {
		t.Skip("runc not installed")
	}
	w := NewWorld(t)
	c := newTestCluster(t, w, "t6")
	out := c.mustRun(c.createArgs("--nodes", "2")...)
	t.Logf("create:\n%s", out)

	cs := w.Clientset(c.kubeconfig())
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != 2 {
		t.Fatalf("%d nodes", len(nodes.Items))
	}
	// A pod on the second node, so delete has containers to clean up.
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{NodeName: "t6-node1", Containers: []corev1.Container{{
			Name: "c", Image: "testhost:latest", ImagePullPolicy: corev1.PullNever}}},
	}
	if _, err := cs.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		p, err := cs.CoreV1().Pods("default").Get(ctx, "web", metav1.GetOptions{})
		if err == nil && p.Status.Phase == corev1.PodRunning {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("pod never ran: %v %+v%s", err, p.Status, c.nodeLogs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if pids := clusterPIDs("\x00nothing\x00", "/berth/t6-node1"); len(pids) == 0 {
		t.Fatal("no container processes found in the node's cgroups")
	}
	t.Logf("delete:\n%s", c.mustRun("delete", "t6"))
	c.assertGone()
}
