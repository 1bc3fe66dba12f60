package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// DefaultStateRoot holds one directory per cluster.
const DefaultStateRoot = "/var/lib/berth/clusters"

// DefaultRunRoot holds one runtime directory per cluster (agents' run dirs).
const DefaultRunRoot = "/run/berth"

// stateFile is the record of a cluster inside its state directory.
const stateFile = "cluster.json"

// State is what a cluster owns, written to STATE/cluster.json as soon as
// the underlay subnet is chosen and updated as create goes on.
type State struct {
	Name    string `json:"name"`
	Subnet  string `json:"subnet"`  // underlay, e.g. 172.28.3.0/24
	Gateway string `json:"gateway"` // bridge address, .1
	Bridge  string `json:"bridge"`
	// APIServer is node 0's API URL, https://<node0 IP>:6443.
	APIServer string `json:"apiServer"`
	// Kubeconfig is the cluster's own kubeconfig (STATE/kubeconfig);
	// MergedInto the file the context was merged into ("" if none yet).
	Kubeconfig string `json:"kubeconfig"`
	MergedInto string `json:"mergedInto,omitempty"`
	// NoAgent: nodes run without agents (server --disable-agent).
	NoAgent bool `json:"noAgent,omitempty"`
	// PodNetwork is the nodes' --pod-network (vxlan, host-gw).
	PodNetwork string `json:"podNetwork,omitempty"`
	// ProxyMode, ProxyBalance: forwarded to every node (create's flags).
	ProxyMode    string `json:"proxyMode,omitempty"`
	ProxyBalance string `json:"proxyBalance,omitempty"`
	// ServerArgs/AgentArgs are extra arguments of every `berth server` /
	// `berth agent` (create's --server-arg/--agent-arg), kept for node
	// start and node add; ImagesDir the tarballs loaded into new nodes.
	ServerArgs []string  `json:"serverArgs,omitempty"`
	AgentArgs  []string  `json:"agentArgs,omitempty"`
	ImagesDir  string    `json:"imagesDir,omitempty"`
	Nodes      []Node    `json:"nodes"`
	Created    time.Time `json:"created"`
	// UnderlayNetNS identifies (dev:inode) the network namespace the bridge
	// was created in, so delete can warn when run from another one.
	UnderlayNetNS string `json:"underlayNetNS,omitempty"`
}

// Node is one node of the cluster.
type Node struct {
	Index    int    `json:"index"`
	Name     string `json:"name"`     // Kubernetes node name
	NetNS    string `json:"netns"`    // network namespace name (/run/netns/…)
	IP       string `json:"ip"`       // underlay address
	HostVeth string `json:"hostVeth"` // bridge side of the veth
	Role     string `json:"role"`     // "server" or "agent"
}

// Paths are the files and directories of one cluster.
type Paths struct {
	State string // STATE = <state root>/NAME
	Run   string // <run root>/NAME
}

// NewPaths derives a cluster's directories from the roots and its name.
func NewPaths(stateRoot, runRoot, name string) Paths {
	return Paths{State: filepath.Join(stateRoot, name), Run: filepath.Join(runRoot, name)}
}

func (p Paths) StateFile() string  { return filepath.Join(p.State, stateFile) }
func (p Paths) Kubeconfig() string { return filepath.Join(p.State, "kubeconfig") }
func (p Paths) Images() string     { return filepath.Join(p.State, "images") }
func (p Paths) NodeDir(i int) string {
	return filepath.Join(p.State, "nodes", fmt.Sprintf("node%d", i))
}
func (p Paths) ServerDir(i int) string   { return filepath.Join(p.NodeDir(i), "server") }
func (p Paths) AgentRoot(i int) string   { return filepath.Join(p.NodeDir(i), "agent") }
func (p Paths) NodeImages(i int) string  { return filepath.Join(p.AgentRoot(i), "images") }
func (p Paths) NodeLog(i int) string     { return filepath.Join(p.NodeDir(i), "log") }
func (p Paths) PIDFile(i int) string     { return filepath.Join(p.NodeDir(i), "pid") }
func (p Paths) MountNSPin(i int) string  { return filepath.Join(p.NodeDir(i), "mntns") }
func (p Paths) AgentRunDir(i int) string { return filepath.Join(p.Run, fmt.Sprintf("node%d", i)) }

// SaveState writes the state file atomically.
func SaveState(p Paths, s *State) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(p.StateFile(), append(data, '\n'), 0o600)
}

// LoadState reads a cluster's state file; a missing file is fs.ErrNotExist.
func LoadState(p Paths) (*State, error) {
	data, err := os.ReadFile(p.StateFile())
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", p.StateFile(), err)
	}
	return &s, nil
}

// ListStates returns the states of all clusters under root, by name;
// directories without a readable state file (a create killed very early)
// are returned with just the name set.
func ListStates(root string) ([]*State, error) {
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*State
	for _, e := range entries {
		if !e.IsDir() || ValidateName(e.Name()) != nil {
			continue
		}
		s, err := LoadState(Paths{State: filepath.Join(root, e.Name())})
		if err != nil {
			s = &State{Name: e.Name()}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
