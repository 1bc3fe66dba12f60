package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DeleteOptions configure Delete.
type DeleteOptions struct {
	Name      string
	StateRoot string    // default DefaultStateRoot
	RunRoot   string    // default DefaultRunRoot
	Out       io.Writer // progress; nil = discard
	// CgroupRoot is where container cgroups are swept (default
	// /sys/fs/cgroup).
	CgroupRoot string
}

// stopGrace is how long berth's node processes get between SIGTERM and
// SIGKILL; stragglerGrace the same for other processes left in a node's
// namespaces once the containers are gone.
const (
	stopGrace      = 10 * time.Second
	stragglerGrace = 2 * time.Second
)

// Delete removes everything a cluster owns — processes, containers,
// mounts, node namespaces, veths, bridge, kubeconfig context, state and run
// directories — also after a create that died half-way. Deleting a cluster
// that does not exist succeeds. Links are looked up in the current network
// namespace, which should be the one create ran in.
func Delete(ctx context.Context, o DeleteOptions) error {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if err := ValidateName(o.Name); err != nil {
		return err
	}
	if o.StateRoot == "" {
		o.StateRoot = DefaultStateRoot
	}
	if o.RunRoot == "" {
		o.RunRoot = DefaultRunRoot
	}
	if o.CgroupRoot == "" {
		o.CgroupRoot = "/sys/fs/cgroup"
	}
	var err error
	if o.StateRoot, err = filepath.Abs(o.StateRoot); err != nil {
		return err
	}
	if o.RunRoot, err = filepath.Abs(o.RunRoot); err != nil {
		return err
	}
	p := NewPaths(o.StateRoot, o.RunRoot, o.Name)
	st, err := LoadState(p)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		slog.Warn("cluster: unreadable state file; deleting by name", "err", err)
	}
	if st != nil && st.UnderlayNetNS != "" && st.UnderlayNetNS != currentNetNSID() {
		slog.Warn("cluster: the underlay was created in another network namespace; its bridge and veths are not visible from here",
			"cluster", o.Name)
	}
	nodes := knownNodes(p, o.Name, st)
	s := newSteps(o.Out)
	var errs []error
	step := func(title string, fn func() error) {
		if err := s.do(title, fn); err != nil {
			errs = append(errs, err)
		}
	}

	step(fmt.Sprintf("Stopping the processes of %d node(s)", len(nodes)), func() error {
		// berth first (so no agent restarts a container), then the
		// containers, then whatever else is left in the nodes'
		// namespaces (container monitors, hostNetwork pods)
		var errs []error
		var berth []int
		for _, n := range nodes {
			berth = append(berth, berthPIDs(p, n)...)
		}
		errs = append(errs, killAll(berth, stopGrace))
		for _, n := range nodes {
			stopContainers(p, n)
			errs = append(errs, sweepNodeCgroups(o.CgroupRoot, n.Name))
		}
		var rest []int
		for _, n := range nodes {
			rest = append(rest, nodePIDs(p, n)...)
		}
		errs = append(errs, killAll(rest, stragglerGrace))
		return errors.Join(errs...)
	})
	step("Unmounting", func() error {
		for _, n := range nodes {
			unmountInNode(p.MountNSPin(n.Index), p.State, p.Run)
		}
		return unmountUnder(p.State, p.Run)
	})
	step("Deleting node namespaces and the underlay", func() error {
		var errs []error
		for _, n := range nodes {
			errs = append(errs, deleteLink(n.HostVeth, o.Name))
		}
		for _, n := range nodes {
			errs = append(errs, delNetNS(n.NetNS))
		}
		errs = append(errs, deleteLink(BridgeName(o.Name), o.Name))
		return errors.Join(errs...)
	})
	if st != nil && st.MergedInto != "" {
		step("Removing context "+ContextName(o.Name)+" from "+st.MergedInto, func() error {
			return RemoveKubeconfigContext(st.MergedInto, o.Name)
		})
	}
	step("Removing "+p.State, func() error {
		// never walk a tree that still has something mounted in it
		points, err := readMountPoints()
		if err != nil {
			return err
		}
		if left := mountsUnder(points, p.State, p.Run); len(left) > 0 {
			return fmt.Errorf("not removing directories, still mounted: %s", strings.Join(left, ", "))
		}
		return errors.Join(os.RemoveAll(p.Run), os.RemoveAll(p.State))
	})
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("deleting cluster %q: %w", o.Name, err)
	}
	return nil
}

// knownNodes merges the nodes of the state file with those found by name:
// network namespaces in /run/netns and node directories in STATE/nodes.
func knownNodes(p Paths, cluster string, st *State) []Node {
	byIndex := map[int]Node{}
	if st != nil {
		for _, n := range st.Nodes {
			byIndex[n.Index] = n
		}
	}
	add := func(i int) {
		if _, ok := byIndex[i]; !ok {
			byIndex[i] = Node{Index: i, Name: NodeName(cluster, i), NetNS: NodeNetNS(cluster, i), HostVeth: HostVethName(cluster, i)}
		}
	}
	for i := range clusterNetNSes(cluster) {
		add(i)
	}
	entries, _ := os.ReadDir(filepath.Join(p.State, "nodes"))
	for _, e := range entries {
		if rest, ok := strings.CutPrefix(e.Name(), "node"); ok {
			if i, err := strconv.Atoi(rest); err == nil && i >= 0 && strconv.Itoa(i) == rest {
				add(i)
			}
		}
	}
	out := make([]Node, 0, len(byIndex))
	for i := 0; i < MaxNodes*2 && len(out) < len(byIndex); i++ {
		if n, ok := byIndex[i]; ok {
			out = append(out, n)
		}
	}
	return out
}

// nodePIDs finds a node's processes: those in its network namespace (what
// `ip netns pids` lists) or its pinned mount namespace, and its berth
// processes.
func nodePIDs(p Paths, n Node) []int {
	var pids []int
	if ns := netnsPath(n.NetNS); isNSMount(ns) {
		if id, err := nsIDOf(ns); err == nil {
			pids = append(pids, pidsInNamespace("net", id)...)
		}
	}
	if pin := p.MountNSPin(n.Index); isNSMount(pin) {
		if id, err := nsIDOf(pin); err == nil {
			pids = append(pids, pidsInNamespace("mnt", id)...)
		}
	}
	return uniqueInts(append(pids, berthPIDs(p, n)...))
}

// berthPIDs finds the `berth server|agent` started for a node: the pid
// file's, and any other whose directories are the node's (found even once
// its namespaces are gone).
func berthPIDs(p Paths, n Node) []int {
	var pids []int
	nodeDir := p.NodeDir(n.Index) + "/"
	if pid := readPIDFile(p.PIDFile(n.Index)); pid > 0 && isNodeProcess(pid, nodeDir) {
		pids = append(pids, pid)
	}
	for _, pid := range allPIDs() {
		if isNodeProcess(pid, nodeDir) {
			pids = append(pids, pid)
		}
	}
	return uniqueInts(pids)
}

// isNodeProcess: a `berth server|agent` whose own directories are the
// node's (so a pid reused by something else is never killed).
func isNodeProcess(pid int, nodeDir string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	return isNodeCmdline(strings.Split(strings.TrimRight(string(b), "\x00"), "\x00"), nodeDir)
}

// nodeDirFlags name a node process's own directories (an agent's --ca-file
// points into node 0's directory without being node 0's process).
var nodeDirFlags = map[string]bool{"--data-dir": true, "--root-dir": true, "--agent-root-dir": true}

func isNodeCmdline(args []string, nodeDir string) bool {
	if len(args) < 2 || (args[1] != "server" && args[1] != "agent") {
		return false
	}
	for i := 2; i < len(args); i++ {
		flag, val, hasVal := strings.Cut(args[i], "=")
		if !nodeDirFlags[flag] {
			continue
		}
		if !hasVal && i+1 < len(args) {
			val = args[i+1]
		}
		if strings.HasPrefix(val, nodeDir) {
			return true
		}
	}
	return false
}

// stopContainers kills and deletes the node's runc containers (runc's state
// is plain files under the node's run directory).
func stopContainers(p Paths, n Node) {
	root := filepath.Join(p.AgentRunDir(n.Index), "runc")
	if _, err := os.Stat(root); err != nil {
		return
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		return
	}
	out, err := exec.Command(runc, "--root", root, "list", "-q").Output()
	if err != nil {
		slog.Warn("cluster: runc list", "node", n.Name, "err", err)
		return
	}
	for _, id := range strings.Fields(string(out)) {
		_ = exec.Command(runc, "--root", root, "kill", "--all", id, "KILL").Run()
		if err := exec.Command(runc, "--root", root, "delete", "--force", id).Run(); err != nil {
			slog.Warn("cluster: runc delete", "node", n.Name, "container", id, "err", err)
		}
	}
}

// unmountInNode detaches the mounts below dirs inside a node's pinned mount
// namespace (pod network namespaces, rootfs overlays, volumes), so they are
// released even while something else still holds the namespace.
func unmountInNode(pin string, dirs ...string) {
	if !isNSMount(pin) {
		return
	}
	out, err := inMountNS(pin, "cat", "/proc/self/mountinfo")
	if err != nil {
		slog.Warn("cluster: reading a node's mounts", "pin", pin, "err", err)
		return
	}
	points, err := parseMountPoints(strings.NewReader(string(out)))
	if err != nil {
		return
	}
	todo := mountsUnder(points, dirs...)
	if len(todo) == 0 {
		return
	}
	if out, err := inMountNS(pin, "umount", append([]string{"-l"}, todo...)...); err != nil {
		slog.Debug("cluster: unmounting in a node", "pin", pin, "err", err, "out", string(out))
	}
}
