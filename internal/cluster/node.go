package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// NodeOptions name one node of a cluster for `berth cluster node …`.
type NodeOptions struct {
	Name      string // cluster
	Node      string // node name (e.g. berth-node1) or index ("1")
	StateRoot string
	RunRoot   string
	Binary    string // berth executable; "" = this one
	// Kill stops with SIGKILL at once — a crash, not a shutdown.
	Kill bool
}

func (o *NodeOptions) resolve() (Paths, *State, Node, error) {
	if o.StateRoot == "" {
		o.StateRoot = DefaultStateRoot
	}
	if o.RunRoot == "" {
		o.RunRoot = DefaultRunRoot
	}
	p := NewPaths(o.StateRoot, o.RunRoot, o.Name)
	st, err := LoadState(p)
	if err != nil {
		return p, nil, Node{}, fmt.Errorf("cluster %q: %w", o.Name, err)
	}
	for _, n := range st.Nodes {
		if n.Name == o.Node || fmt.Sprint(n.Index) == o.Node {
			return p, st, n, nil
		}
	}
	return p, st, Node{}, fmt.Errorf("cluster %q has no node %q", o.Name, o.Node)
}

// StopNode stops a node's berth process (server or agent). Its pods'
// containers keep running, as they do when a kubelet stops.
func StopNode(ctx context.Context, o NodeOptions) error {
	p, _, n, err := o.resolve()
	if err != nil {
		return err
	}
	pid := readPIDFile(p.PIDFile(n.Index))
	if pid <= 0 || !alive(pid) || !isNodeProcess(pid, p.NodeDir(n.Index)+"/") {
		return nil // already stopped
	}
	if o.Kill {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		if !waitGone([]int{pid}, 10*time.Second) {
			return fmt.Errorf("node %s (pid %d) did not die", n.Name, pid)
		}
		return nil
	}
	return killAll([]int{pid}, stopGrace)
}

// StartNode starts a stopped node's berth process again, in the node's
// namespaces, with the arguments create gave it.
func StartNode(ctx context.Context, o NodeOptions) error {
	p, st, n, err := o.resolve()
	if err != nil {
		return err
	}
	if pid := readPIDFile(p.PIDFile(n.Index)); pid > 0 && alive(pid) && isNodeProcess(pid, p.NodeDir(n.Index)+"/") {
		return fmt.Errorf("node %s is running (pid %d)", n.Name, pid)
	}
	bin := o.Binary
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return err
		}
	}
	if n.Index == 0 {
		_, err = startNode(p, n, bin, nodeArgs(p, st, n), nil)
		return err
	}
	tok, err := joinToken(p.ServerDir(0))
	if err != nil {
		return err
	}
	_, err = startNode(p, n, bin, nodeArgs(p, st, n), agentEnv(p, tok))
	return err
}

// agentEnv passes an agent its secrets in the environment, off the command
// line: the join token, and the token the API server presents to it for
// logs/exec/port-forward (node 0's <data-dir>/agent-token).
func agentEnv(p Paths, joinToken string) []string {
	env := []string{"BERTH_TOKEN=" + joinToken}
	if b, err := os.ReadFile(filepath.Join(p.ServerDir(0), "agent-token")); err == nil {
		env = append(env, "BERTH_AGENT_TOKEN="+strings.TrimSpace(string(b)))
	}
	return env
}
