package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-project/berth/internal/network"
	"github.com/berth-project/berth/internal/proxy"
	"golang.org/x/sys/unix"
)

// CreateOptions configure Create.
type CreateOptions struct {
	Name      string // default DefaultName
	Nodes     int    // default 1; node 0 runs the server
	StateRoot string // default DefaultStateRoot
	RunRoot   string // default DefaultRunRoot
	// Kubeconfig receives the berth-NAME context (merged; created if
	// missing); "" means DefaultKubeconfig(). The cluster's own kubeconfig
	// is always STATE/kubeconfig.
	Kubeconfig string
	// ImagesDir holds image tarballs (*.tar) loaded into every node; ""
	// means STATE/images, where the demo images are built.
	ImagesDir string
	// NoAgent runs node 0 as `berth server --disable-agent`, starts no
	// agents and waits only for the API, not for Ready nodes.
	NoAgent bool
	// PodNetwork is every node's --pod-network: vxlan (default) or host-gw.
	PodNetwork string
	Wait       time.Duration // default 120s
	Subnet     string        // underlay /24; "" = first free one of UnderlayPool
	Retain     bool          // keep what a failed create made, for debugging
	Binary     string        // berth executable for the nodes; "" = this one
	// ProxyMode and ProxyBalance are passed to every node's server/agent
	// (--proxy-mode, --proxy-balance); "" leaves the node default.
	ProxyMode    string
	ProxyBalance string
	// ServerArgs/AgentArgs are appended to node 0's `berth server` and the
	// other nodes' `berth agent` command lines (--server-arg, --agent-arg),
	// e.g. --node-monitor-grace-period=10s.
	ServerArgs []string
	AgentArgs  []string
	Out        io.Writer // progress; nil = discard
}

func (o *CreateOptions) defaults() error {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.Nodes == 0 {
		o.Nodes = 1
	}
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
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		o.Binary = exe
	}
	if err := ValidateName(o.Name); err != nil {
		return err
	}
	mode, err := network.ParseMode(o.PodNetwork)
	if err != nil {
		return err
	}
	o.PodNetwork = string(mode)
	if err := proxy.ValidateFlags(o.ProxyBalance, o.ProxyMode); err != nil {
		return err
	}
	if o.Nodes < 1 || o.Nodes > MaxNodes {
		return fmt.Errorf("--nodes must be between 1 and %d", MaxNodes)
	}
	for _, p := range []*string{&o.StateRoot, &o.RunRoot, &o.Binary} {
		if *p, err = filepath.Abs(*p); err != nil {
			return err
		}
	}
	if o.ImagesDir != "" {
		if o.ImagesDir, err = filepath.Abs(o.ImagesDir); err != nil {
			return err
		}
	}
	if o.Kubeconfig == "" {
		if o.Kubeconfig, err = DefaultKubeconfig(); err != nil {
			return err
		}
	}
	return nil
}

// Create builds a cluster: underlay, node namespaces, images, the server on
// node 0 and agents on the others, a kubeconfig; it returns once the API
// answers and every node is Ready (only the API with NoAgent). Unless
// Retain, a failed create deletes what it made.
func Create(ctx context.Context, o CreateOptions) (err error) {
	if err := o.defaults(); err != nil {
		return err
	}
	s := newSteps(o.Out)
	p := NewPaths(o.StateRoot, o.RunRoot, o.Name)
	var st *State
	if err := s.do("Reserving cluster "+o.Name, func() error {
		var err error
		st, err = reserve(o, p)
		return err
	}); err != nil {
		return err
	}
	defer func() {
		if err == nil || o.Retain {
			if err != nil {
				s.printf("Keeping what was made (--retain); remove it with: berth cluster delete %s\n", o.Name)
			}
			return
		}
		s.printf("Cleaning up after the failure …\n")
		if derr := Delete(context.Background(), DeleteOptions{Name: o.Name, StateRoot: o.StateRoot, RunRoot: o.RunRoot}); derr != nil {
			err = errors.Join(err, fmt.Errorf("cleaning up: %w", derr))
		}
	}()
	c := &creation{o: o, p: p, st: st, s: s, procs: map[string]*nodeProcess{}, logs: map[string]string{}}
	if err := c.run(ctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Errorf("not ready within --wait %s: %w", o.Wait, err)
		}
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted: %w", err)
		}
		return err
	}
	return nil
}

// reserve claims the cluster's name and underlay under the state root's
// lock: it refuses an existing cluster, picks the subnet and writes the
// first state file. Nothing outside STATE is created yet.
func reserve(o CreateOptions, p Paths) (*State, error) {
	if err := os.MkdirAll(o.StateRoot, 0o700); err != nil {
		return nil, err
	}
	unlock, err := flock(filepath.Join(o.StateRoot, ".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := os.Lstat(p.State); err == nil {
		return nil, fmt.Errorf("cluster %q already exists (%s); delete it with: berth cluster delete %s", o.Name, p.State, o.Name)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if ns := clusterNetNSes(o.Name); len(ns) > 0 {
		return nil, fmt.Errorf("network namespaces of a cluster %q exist (%s), perhaps under another state directory; delete that cluster first",
			o.Name, ns[sortedKeys(ns)[0]])
	}
	if linkExists(BridgeName(o.Name)) {
		return nil, fmt.Errorf("bridge %s of a cluster %q exists here; delete that cluster first", BridgeName(o.Name), o.Name)
	}
	if _, err := os.Lstat(p.Run); err == nil {
		return nil, fmt.Errorf("%s exists: a cluster %q runs under another state directory; delete it first", p.Run, o.Name)
	}
	subnet, err := pickSubnet(o)
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(p.State, 0o700); err != nil {
		return nil, err
	}
	st := &State{
		Name: o.Name, Subnet: subnet.String(), Gateway: GatewayIP(subnet).String(), Bridge: BridgeName(o.Name),
		APIServer: APIServerURL(NodeIP(subnet, 0).String()), Kubeconfig: p.Kubeconfig(),
		NoAgent: o.NoAgent, PodNetwork: o.PodNetwork, ProxyMode: o.ProxyMode, ProxyBalance: o.ProxyBalance, ServerArgs: o.ServerArgs, AgentArgs: o.AgentArgs, ImagesDir: o.ImagesDir, Created: time.Now().UTC().Truncate(time.Second), UnderlayNetNS: currentNetNSID(),
	}
	for i := 0; i < o.Nodes; i++ {
		role := "agent"
		if i == 0 {
			role = "server"
		}
		st.Nodes = append(st.Nodes, Node{Index: i, Name: NodeName(o.Name, i), NetNS: NodeNetNS(o.Name, i),
			IP: NodeIP(subnet, i).String(), HostVeth: HostVethName(o.Name, i), Role: role})
	}
	if err := SaveState(p, st); err != nil {
		os.RemoveAll(p.State)
		return nil, err
	}
	return st, nil
}

// pickSubnet takes --subnet, or the first /24 of the pool that neither this
// namespace nor another cluster's state uses.
func pickSubnet(o CreateOptions) (*net.IPNet, error) {
	used, err := usedPrefixes()
	if err != nil {
		return nil, err
	}
	others, err := ListStates(o.StateRoot)
	if err != nil {
		return nil, err
	}
	for _, s := range others {
		if _, n, err := net.ParseCIDR(s.Subnet); err == nil {
			used = append(used, n)
		}
	}
	if o.Subnet != "" {
		n, err := ParseSubnet(o.Subnet)
		if err != nil {
			return nil, err
		}
		if overlapsAny(n, used) {
			return nil, fmt.Errorf("--subnet %s overlaps an address or route in use", n)
		}
		return n, nil
	}
	_, pool, _ := net.ParseCIDR(UnderlayPool)
	return ChooseSubnet(pool, used)
}

// flock takes an exclusive lock on file, waiting for other creates.
func flock(file string) (func(), error) {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// creation is one Create after the reservation.
type creation struct {
	o     CreateOptions
	p     Paths
	st    *State
	s     *steps
	procs map[string]*nodeProcess // node name → process started here
	logs  map[string]string       // node name → log file
}

func (c *creation) run(ctx context.Context) error {
	st, p, s := c.st, c.p, c.s
	_, subnet, _ := net.ParseCIDR(st.Subnet)
	gw := GatewayIP(subnet)

	if err := s.do(fmt.Sprintf("Creating underlay %s (bridge %s)", st.Subnet, st.Bridge), func() error {
		return createBridge(st.Bridge, st.Name, gw)
	}); err != nil {
		return err
	}
	if err := s.do(fmt.Sprintf("Creating %d node namespace(s): %s", len(st.Nodes), nodeSummary(st.Nodes)), func() error {
		for _, n := range st.Nodes {
			if err := addNetNS(n.NetNS); err != nil {
				return err
			}
			if err := plugNode(st.Bridge, st.Name, n, gw); err != nil {
				return err
			}
			if err := os.MkdirAll(p.NodeDir(n.Index), 0o700); err != nil {
				return err
			}
			if err := pinMountNS(p.MountNSPin(n.Index)); err != nil {
				return fmt.Errorf("%s: mount namespace: %w", n.Name, err)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := c.images(ctx); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}

	node0 := st.Nodes[0]
	admin := filepath.Join(p.ServerDir(0), "admin.kubeconfig")
	if err := s.do(fmt.Sprintf("Starting the control plane on %s (%s)", node0.Name, st.APIServer), func() error {
		proc, err := startNode(p, node0, c.o.Binary, nodeArgs(p, st, node0), nil)
		if err != nil {
			return err
		}
		c.procs[node0.Name], c.logs[node0.Name] = proc, p.NodeLog(0)
		wctx, cancel := context.WithTimeout(ctx, c.o.Wait)
		defer cancel()
		return waitFile(wctx, admin, c.procs, c.logs)
	}); err != nil {
		return err
	}

	st.MergedInto = c.o.Kubeconfig // recorded before merging: delete undoes it
	if err := SaveState(p, st); err != nil {
		return err
	}
	if err := s.do(fmt.Sprintf("Writing kubeconfig %s (context %s)", c.o.Kubeconfig, ContextName(st.Name)), func() error {
		return writeKubeconfigs(admin, p.Kubeconfig(), c.o.Kubeconfig, st.Name, st.APIServer)
	}); err != nil {
		return err
	}

	wctx, cancel := context.WithTimeout(ctx, c.o.Wait)
	defer cancel()
	cs, err := clientFor(p.Kubeconfig())
	if err != nil {
		return err
	}
	if err := s.do("Waiting for the API server", func() error {
		return waitAPI(wctx, cs, c.procs, c.logs)
	}); err != nil {
		return err
	}
	// agents fetch and pin the CA at start: only once the API answers
	if len(st.Nodes) > 1 && !c.o.NoAgent {
		if err := s.do(fmt.Sprintf("Starting agents on %d node(s)", len(st.Nodes)-1), func() error {
			tok, err := joinToken(p.ServerDir(0))
			if err != nil {
				return err
			}
			for _, n := range st.Nodes[1:] {
				proc, err := startNode(p, n, c.o.Binary, nodeArgs(p, st, n), agentEnv(p, tok))
				if err != nil {
					return err
				}
				c.procs[n.Name], c.logs[n.Name] = proc, p.NodeLog(n.Index)
			}
			return nil
		}); err != nil {
			return err
		}
	}

	if !c.o.NoAgent {
		var names []string
		for _, n := range st.Nodes {
			names = append(names, n.Name)
		}
		if err := s.do(fmt.Sprintf("Waiting for %d node(s) to be Ready", len(names)), func() error {
			return waitNodesReady(wctx, cs, names, c.procs, c.logs)
		}); err != nil {
			return err
		}
	}
	s.printf("Cluster %q is ready: kubectl --kubeconfig %s --context %s get nodes\n", st.Name, c.o.Kubeconfig, ContextName(st.Name))
	slog.Debug("cluster created", "name", st.Name, "state", p.State)
	return nil
}

// images makes sure the tarballs exist and loads them into every node.
func (c *creation) images(ctx context.Context) error {
	dir := c.o.ImagesDir
	if dir == "" {
		dir = c.p.Images()
		if !demoImagesPresent(dir) {
			if err := c.s.do("Building the demo images into "+dir, func() error {
				return buildDemoImages(ctx, dir)
			}); err != nil {
				return err
			}
		}
	}
	tars, err := imageTarballs(dir)
	if err != nil {
		return err
	}
	if len(tars) == 0 {
		return fmt.Errorf("no image tarballs (*.tar) in %s", dir)
	}
	return c.s.do(fmt.Sprintf("Loading %d image tarball(s) into %d node(s)", len(tars), len(c.st.Nodes)), func() error {
		for _, n := range c.st.Nodes {
			if err := loadImages(ctx, c.p.NodeImages(n.Index), tars); err != nil {
				return err
			}
		}
		return nil
	})
}

func nodeSummary(nodes []Node) string {
	var parts []string
	for _, n := range nodes {
		parts = append(parts, n.Name+" "+n.IP)
		if len(parts) == 3 && len(nodes) > 3 {
			parts = append(parts, "…")
			break
		}
	}
	return strings.Join(parts, ", ")
}
