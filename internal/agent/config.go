package agent

import (
	"net"
	"path/filepath"

	"k8s.io/client-go/rest"
)

// Config is what one agent needs.
type Config struct {
	NodeName string
	// NodeIP is the node's address on the node network (InternalIP).
	NodeIP net.IP
	// RootDir holds persistent state: images, pod directories, IPAM, logs
	// (default /var/lib/berth/agent).
	RootDir string
	// RunDir holds runtime state that does not survive a reboot: runc's
	// root, container records, network namespace files (default /run/berth).
	RunDir string
	// ClusterDNS is the cluster DNS address written into pods'
	// resolv.conf; ClusterDomain its zone.
	ClusterDNS    net.IP
	ClusterDomain string
	// StreamingPort is where logs/exec/port-forward are served (10250).
	StreamingPort int
	// AgentToken authenticates the API server to this agent's streaming
	// endpoints.
	AgentToken string
	// ClusterCIDR is the range of all pod IPs (default 10.42.0.0/16);
	// ProxyBalance the node's default backend choice for Services
	// ("round-robin" or "random"); ProxyMode the service proxy's dataplane
	// ("nftables", the default, or "iptables").
	ClusterCIDR  string
	ProxyBalance string
	// PodNetwork is how pods reach pods on other nodes: "vxlan" (default)
	// or "host-gw" (network.ParseMode).
	PodNetwork string
	ProxyMode  string
	// IngressHTTPPort and IngressHTTPSPort are where the node's ingress
	// proxy listens (berth uses 80 and 443); 0 leaves that listener out.
	IngressHTTPPort  int
	IngressHTTPSPort int
	// RuncBinary is the runc executable (default "runc" from PATH).
	RuncBinary string
	// NodeLeaseDurationSeconds is the duration of the node's Lease in
	// kube-node-lease; the agent renews it every quarter of that, as the
	// kubelet does (default 40).
	NodeLeaseDurationSeconds int
	// StorageCapacity is the node's published berth.dev/local-storage
	// (a quantity such as 20Gi); empty: env BERTH_STORAGE_CAPACITY, else
	// the size of the filesystem holding <RootDir>/storage.
	StorageCapacity string
	// Labels are added to the Node on registration.
	Labels map[string]string
	// Rest is the client configuration for the API server.
	Rest *rest.Config
}

func (c Config) imagesDir() string    { return filepath.Join(c.RootDir, "images") }
func (c Config) podsDir() string      { return filepath.Join(c.RootDir, "pods") }
func (c Config) logsDir() string      { return filepath.Join(c.RootDir, "logs") }
func (c Config) ipamDir() string      { return filepath.Join(c.RootDir, "ipam") }
func (c Config) storageDir() string   { return filepath.Join(c.RootDir, "storage") }
func (c Config) netnsDir() string     { return filepath.Join(c.RunDir, "netns") }
func (c Config) ipcDir() string       { return filepath.Join(c.RunDir, "ipc") }
func (c Config) runcRoot() string     { return filepath.Join(c.RunDir, "runc") }
func (c Config) containerDir() string { return filepath.Join(c.RunDir, "containers") }

func (c Config) withDefaults() Config {
	if c.RootDir == "" {
		c.RootDir = "/var/lib/berth/agent"
	}
	if c.RunDir == "" {
		c.RunDir = "/run/berth"
	}
	if c.ClusterDomain == "" {
		c.ClusterDomain = "cluster.local"
	}
	if c.ClusterDNS == nil {
		c.ClusterDNS = net.ParseIP("10.43.0.10")
	}
	if c.ClusterCIDR == "" {
		c.ClusterCIDR = "10.42.0.0/16"
	}
	if c.NodeLeaseDurationSeconds <= 0 {
		c.NodeLeaseDurationSeconds = DefaultNodeLeaseDurationSeconds
	}
	if c.StreamingPort == 0 {
		c.StreamingPort = 10250
	}
	return c
}
