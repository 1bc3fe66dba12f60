package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"
)

// AddNodeOptions configure AddNode.
type AddNodeOptions struct {
	Name      string // cluster
	StateRoot string
	RunRoot   string
	Binary    string        // berth executable; "" = this one
	Wait      time.Duration // for the node to be Ready (default 120s)
	Out       io.Writer
}

// AddNode grows a running cluster by one node, as create makes its nodes:
// a namespace on the underlay with the next address, a pinned mount
// namespace, the cluster's images, and `berth agent` joining with the
// cluster's token. It returns the new node once it is Ready; on failure
// the node is taken out again.
func AddNode(ctx context.Context, o AddNodeOptions) (node Node, err error) {
	if o.StateRoot == "" {
		o.StateRoot = DefaultStateRoot
	}
	if o.RunRoot == "" {
		o.RunRoot = DefaultRunRoot
	}
	if o.Wait == 0 {
		o.Wait = 120 * time.Second
	}
	if o.Binary == "" {
		if o.Binary, err = os.Executable(); err != nil {
			return Node{}, err
		}
	}
	for _, d := range []*string{&o.StateRoot, &o.RunRoot} {
		if *d, err = filepath.Abs(*d); err != nil {
			return Node{}, err
		}
	}
	p := NewPaths(o.StateRoot, o.RunRoot, o.Name)
	st, n, err := reserveNode(o, p)
	if err != nil {
		return Node{}, err
	}
	s := newSteps(o.Out)
	defer func() {
		if err != nil {
			s.printf("Taking %s out again …\n", n.Name)
			if rerr := removeNode(context.Background(), o, p, n); rerr != nil {
				err = errors.Join(err, fmt.Errorf("removing %s: %w", n.Name, rerr))
			}
		}
	}()
	_, subnet, _ := net.ParseCIDR(st.Subnet)
	if err := s.do(fmt.Sprintf("Creating node %s (%s)", n.Name, n.IP), func() error {
		if err := addNetNS(n.NetNS); err != nil {
			return err
		}
		if err := plugNode(st.Bridge, st.Name, n, GatewayIP(subnet)); err != nil {
			return err
		}
		if err := os.MkdirAll(p.NodeDir(n.Index), 0o700); err != nil {
			return err
		}
		return pinMountNS(p.MountNSPin(n.Index))
	}); err != nil {
		return n, err
	}
	dir := st.ImagesDir
	if dir == "" {
		dir = p.Images()
	}
	tars, err := imageTarballs(dir)
	if err != nil {
		return n, err
	}
	if err := s.do(fmt.Sprintf("Loading %d image tarball(s)", len(tars)), func() error {
		return loadImages(ctx, p.NodeImages(n.Index), tars)
	}); err != nil {
		return n, err
	}
	procs, logs := map[string]*nodeProcess{}, map[string]string{}
	if err := s.do("Starting the agent", func() error {
		tok, err := joinToken(p.ServerDir(0))
		if err != nil {
			return err
		}
		proc, err := startNode(p, n, o.Binary, nodeArgs(p, st, n), agentEnv(p, tok))
		if err != nil {
			return err
		}
		procs[n.Name], logs[n.Name] = proc, p.NodeLog(n.Index)
		return nil
	}); err != nil {
		return n, err
	}
	cs, err := clientFor(p.Kubeconfig())
	if err != nil {
		return n, err
	}
	wctx, cancel := context.WithTimeout(ctx, o.Wait)
	defer cancel()
	if err := s.do(fmt.Sprintf("Waiting for %s to be Ready", n.Name), func() error {
		return waitNodesReady(wctx, cs, []string{n.Name}, procs, logs)
	}); err != nil {
		return n, err
	}
	return n, nil
}

// reserveNode appends the next node to the state file under the state
// root's lock, so two adds never pick the same index and delete knows the
// node from the first moment.
func reserveNode(o AddNodeOptions, p Paths) (*State, Node, error) {
	unlock, err := flock(filepath.Join(o.StateRoot, ".lock"))
	if err != nil {
		return nil, Node{}, err
	}
	defer unlock()
	st, err := LoadState(p)
	if err != nil {
		return nil, Node{}, fmt.Errorf("cluster %q: %w", o.Name, err)
	}
	if st.NoAgent {
		return nil, Node{}, fmt.Errorf("cluster %q runs without agents (--no-agent): nodes cannot be added", o.Name)
	}
	n, err := nextNode(st)
	if err != nil {
		return nil, Node{}, err
	}
	st.Nodes = append(st.Nodes, n)
	if err := SaveState(p, st); err != nil {
		return nil, Node{}, err
	}
	return st, n, nil
}

// nextNode is the node AddNode adds: the lowest free index, its address
// and names.
func nextNode(st *State) (Node, error) {
	_, subnet, err := net.ParseCIDR(st.Subnet)
	if err != nil {
		return Node{}, fmt.Errorf("cluster %q: subnet %q: %w", st.Name, st.Subnet, err)
	}
	used := map[int]bool{}
	for _, n := range st.Nodes {
		used[n.Index] = true
	}
	for i := 1; i < MaxNodes; i++ {
		if !used[i] {
			return Node{Index: i, Name: NodeName(st.Name, i), NetNS: NodeNetNS(st.Name, i),
				IP: NodeIP(subnet, i).String(), HostVeth: HostVethName(st.Name, i), Role: "agent"}, nil
		}
	}
	return Node{}, fmt.Errorf("cluster %q has %d nodes, the most there can be", st.Name, MaxNodes)
}

// removeNode undoes a failed add: the node's processes and containers,
// mounts, links, namespace and directories, and its entry in the state.
func removeNode(ctx context.Context, o AddNodeOptions, p Paths, n Node) error {
	var errs []error
	errs = append(errs, killAll(berthPIDs(p, n), stopGrace))
	stopContainers(p, n)
	errs = append(errs, sweepNodeCgroups("/sys/fs/cgroup", n.Name))
	errs = append(errs, killAll(nodePIDs(p, n), stragglerGrace))
	unmountInNode(p.MountNSPin(n.Index), p.NodeDir(n.Index), p.AgentRunDir(n.Index))
	errs = append(errs, unmountUnder(p.NodeDir(n.Index), p.AgentRunDir(n.Index)))
	errs = append(errs, deleteLink(n.HostVeth, o.Name), delNetNS(n.NetNS))
	if err := errors.Join(errs...); err != nil {
		return err // keep the state entry: cluster delete finishes the job
	}
	errs = append(errs, os.RemoveAll(p.NodeDir(n.Index)), os.RemoveAll(p.AgentRunDir(n.Index)))
	unlock, err := flock(filepath.Join(o.StateRoot, ".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	st, err := LoadState(p)
	if err != nil {
		return err
	}
	kept := st.Nodes[:0]
	for _, m := range st.Nodes {
		if m.Index != n.Index {
			kept = append(kept, m)
		}
	}
	st.Nodes = kept
	errs = append(errs, SaveState(p, st))
	return errors.Join(errs...)
}
