package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-project/berth/internal/agent"
	"github.com/berth-project/berth/internal/apiserver"
	"github.com/berth-project/berth/internal/controller/loadbalancer"
	"github.com/berth-project/berth/internal/controller/nodelifecycle"
	"github.com/berth-project/berth/internal/pki"
	"github.com/berth-project/berth/internal/store"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/client-go/kubernetes"
	"k8s.io/component-base/metrics/legacyregistry"
)

// Options are `berth server`'s settings.
type Options struct {
	DataDir          string
	Listen           string // host:port, default 0.0.0.0:6443
	AdvertiseAddress string // default: first non-loopback address, else 127.0.0.1
	EtcdEndpoints    []string
	EtcdClientAddr   string // embedded etcd's client listener
	EtcdPeerAddr     string
	ServiceCIDR      string
	NodePortRange    string // "30000-32767"
	ClusterCIDR      string
	// LBPools are the address pools of LoadBalancer Services (--lb-pool,
	// "[NAME=]CIDR|FIRST-LAST[,…]"); none: LoadBalancers stay <pending>.
	LBPools      []string
	DisableAgent bool
	TLSSANs      []string
	// The in-process agent's settings (see berth agent).
	NodeName      string
	NodeIP        string
	AgentRootDir  string
	AgentRunDir   string
	ClusterDNS    string
	ClusterDomain string
	// PodNetwork is the cross-node pod network mode: vxlan or host-gw.
	PodNetwork string
	// ProxyBalance and ProxyMode: the in-process agent's service proxy
	// (--proxy-balance, --proxy-mode; see internal/proxy).
	ProxyBalance string
	ProxyMode    string
	// AgentStorageCapacity is the in-process agent's published
	// berth.dev/local-storage (empty: env BERTH_STORAGE_CAPACITY or statfs).
	AgentStorageCapacity string
	// AgentToken is the bearer token the API server presents to node agents
	// (logs, exec, attach, port-forward); empty: the one in
	// <DataDir>/agent-token, created on first start.
	AgentToken string
	// NodeMonitorGracePeriod: a node whose Lease is not renewed for this
	// long is NotReady (Ready Unknown) and tainted unreachable.
	NodeMonitorGracePeriod time.Duration
	// NodeLeaseDurationSeconds is the in-process agent's Lease duration; it
	// renews every quarter of it.
	NodeLeaseDurationSeconds int
	// Default tolerations for not-ready/unreachable NoExecute taints added
	// to every pod (DefaultTolerationSeconds admission).
	DefaultNotReadyTolerationSeconds    int64
	DefaultUnreachableTolerationSeconds int64
	// ClusterInit starts the first server of an HA control plane: its
	// embedded etcd member's peer URL is on the advertise address, and
	// other servers may join. Join (https://first:6443) and JoinToken (the
	// K10 join token) make this server join one.
	ClusterInit bool
	Join        string
	JoinToken   string
	// IngressHTTPPort and IngressHTTPSPort are the node ingress proxy's
	// ports (80, 443; 0: none), also published as the endpoints of the
	// kube-system/berth-ingress Service.
	IngressHTTPPort  int
	IngressHTTPSPort int
}

// DefaultOptions mirror the documented defaults.
func DefaultOptions() Options {
	return Options{
		DataDir:          "/var/lib/berth/server",
		Listen:           "0.0.0.0:6443",
		EtcdClientAddr:   "127.0.0.1:2379",
		EtcdPeerAddr:     "127.0.0.1:2380",
		ServiceCIDR:      "10.43.0.0/16",
		NodePortRange:    "30000-32767",
		ClusterCIDR:      "10.42.0.0/16",
		AgentRootDir:     "/var/lib/berth/agent",
		AgentRunDir:      "/run/berth",
		ClusterDNS:       "10.43.0.10",
		ClusterDomain:    "cluster.local",
		PodNetwork:       "vxlan",
		IngressHTTPPort:  80,
		IngressHTTPSPort: 443,

		NodeMonitorGracePeriod:              nodelifecycle.DefaultGracePeriod,
		NodeLeaseDurationSeconds:            agent.DefaultNodeLeaseDurationSeconds,
		DefaultNotReadyTolerationSeconds:    apiserver.DefaultTolerationSecondsValue,
		DefaultUnreachableTolerationSeconds: apiserver.DefaultTolerationSecondsValue,
	}
}

// AdminKubeconfig is where the admin kubeconfig is written.
func AdminKubeconfig(dataDir string) string { return filepath.Join(dataDir, "admin.kubeconfig") }

// AgentTokenFile is where the token for node agents is kept when none is
// given.
func AgentTokenFile(dataDir string) string { return filepath.Join(dataDir, "agent-token") }

// Run starts the control plane and blocks until ctx ends.
func Run(ctx context.Context, o Options) error {
	start := time.Now()
	if err := validateProxyOptions(o); err != nil {
		return err
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return err
	}
	host, portStr, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", o.Listen, err)
	}
	var port int
	if _, err := fmt.Sscanf(portStr, "%d", &port); err != nil {
		return fmt.Errorf("--listen %q: bad port", o.Listen)
	}
	bind := net.ParseIP(host)
	if bind == nil {
		bind = net.IPv4zero
	}
	advertise := net.ParseIP(o.AdvertiseAddress)
	if advertise == nil {
		advertise = defaultAdvertiseAddress(bind)
	}
	_, serviceCIDR, err := net.ParseCIDR(o.ServiceCIDR)
	if err != nil {
		return fmt.Errorf("--service-cidr: %w", err)
	}
	_, clusterCIDR, err := net.ParseCIDR(o.ClusterCIDR)
	if err != nil {
		return fmt.Errorf("--cluster-cidr: %w", err)
	}
	npBase, npSize, err := parsePortRange(o.NodePortRange)
	if err != nil {
		return fmt.Errorf("--service-node-port-range: %w", err)
	}
	lbPools, err := loadbalancer.ParsePools(o.LBPools)
	if err != nil {
		return fmt.Errorf("--lb-pool: %w", err)
	}

	// An HA member names its etcd member after its address and listens
	// for peers there; a joining one gets the cluster's credentials first.
	ha := o.ClusterInit || o.Join != ""
	memberName, peerAddr, initialCluster, clusterState := "", o.EtcdPeerAddr, "", ""
	if ha {
		memberName = etcdMemberName(advertise)
		if peerAddr == DefaultOptions().EtcdPeerAddr {
			peerAddr = net.JoinHostPort(advertise.String(), "2380")
		}
	}
	if o.Join != "" {
		if initialCluster, err = joinControlPlane(ctx, o, memberName, store.PeerURL(peerAddr)); err != nil {
			return err
		}
		if initialCluster != "" {
			clusterState = "existing"
		}
	}

	// Credentials, as k3s does it: a CA, a serving certificate, an admin token.
	tlsDir := filepath.Join(o.DataDir, "tls")
	ca, err := pki.EnsureCA(tlsDir)
	if err != nil {
		return err
	}
	var sanIPs []net.IP
	var sanHosts []string
	sanIPs = append(sanIPs, advertise, apiserver.FirstServiceIP(serviceCIDR))
	if !bind.IsUnspecified() {
		sanIPs = append(sanIPs, bind)
	}
	if hn, err := os.Hostname(); err == nil {
		sanHosts = append(sanHosts, hn)
	}
	for _, san := range o.TLSSANs {
		if ip := net.ParseIP(san); ip != nil {
			sanIPs = append(sanIPs, ip)
		} else {
			sanHosts = append(sanHosts, san)
		}
	}
	leafFile, keyFile, err := ca.EnsureServingCert(tlsDir, sanHosts, sanIPs)
	if err != nil {
		return err
	}
	// Serve the chain (leaf, then CA) so that agents joining with a K10
	// token can check the CA's hash against the TLS handshake.
	certFile := filepath.Join(tlsDir, "apiserver-chain.crt")
	if err := writeChain(certFile, leafFile, ca.CertPEM()); err != nil {
		return err
	}
	saKey, err := pki.EnsureServiceAccountKey(tlsDir)
	if err != nil {
		return err
	}
	token, err := pki.EnsureToken(filepath.Join(o.DataDir, "token"))
	if err != nil {
		return err
	}
	agentToken := o.AgentToken
	if agentToken == "" {
		if agentToken, err = pki.EnsureToken(AgentTokenFile(o.DataDir)); err != nil {
			return err
		}
	}
	serverURL := "https://" + net.JoinHostPort(advertise.String(), fmt.Sprint(port))
	if err := pki.WriteKubeconfig(AdminKubeconfig(o.DataDir), serverURL, ca.CertPEM(), token, "berth"); err != nil {
		return err
	}

	// State: embedded etcd unless external endpoints are given.
	endpoints := o.EtcdEndpoints
	if len(endpoints) == 0 {
		e, err := store.StartEmbedded(ctx, store.EmbeddedConfig{
			DataDir: filepath.Join(o.DataDir, "etcd"), ClientAddr: o.EtcdClientAddr, PeerAddr: peerAddr,
			Name: memberName, InitialCluster: initialCluster, ClusterState: clusterState,
		})
		if err != nil {
			return err
		}
		defer e.Close()
		endpoints = e.Endpoints
	}
	etcdClient, err := store.NewClient(endpoints)
	if err != nil {
		return err
	}
	defer etcdClient.Close()

	var joinServer func(context.Context, apiserver.ServerJoinRequest) (any, error)
	if ha && len(o.EtcdEndpoints) == 0 {
		joinServer = admitServer(o.DataDir, agentToken, etcdClient)
	}
	srv, err := apiserver.New(apiserver.Config{
		BindAddress: bind, Port: port, AdvertiseAddress: advertise,
		CertFile: certFile, KeyFile: keyFile, CAPEM: ca.CertPEM(),
		Tokens: map[string]*user.DefaultInfo{
			token: {Name: "admin", UID: "admin", Groups: []string{"system:masters", user.AllAuthenticated}},
		},
		EtcdEndpoints: endpoints, EtcdClient: etcdClient,
		ServiceCIDR: serviceCIDR, NodePortBase: npBase, NodePortSize: npSize,
		AgentToken:        agentToken,
		ServiceAccountKey: saKey,
		JoinServer:        joinServer,
		SignNodeCSR:       func(csrPEM []byte, node string) ([]byte, error) { return ca.SignNodeCSR(csrPEM, node, time.Now()) },
		Tolerations: apiserver.DefaultTolerationSeconds{
			NotReady: o.DefaultNotReadyTolerationSeconds, Unreachable: o.DefaultUnreachableTolerationSeconds,
		},
	})
	if err != nil {
		return err
	}
	if err := srv.AddPostStartHook("berth-controllers", func(ctx context.Context) error {
		client, err := kubernetes.NewForConfig(srv.LoopbackConfig())
		if err != nil {
			return err
		}
		controllers := func(ctx context.Context) {
			runControllers(ctx, srv, client, ca.CertPEM(), clusterCIDR, lbPools, o, nodelifecycle.Options{
				GracePeriod: o.NodeMonitorGracePeriod, Registerer: legacyregistry.Registerer(), // served at the API server's /metrics
			})
		}
		if ha {
			// kube-system (where the Lease lives) before the election
			if err := srv.Bootstrap(ctx, client); err != nil {
				slog.Error("bootstrap", "err", err)
			}
			go runControllersLeading(ctx, client, memberName, controllers)
		} else {
			go controllers(ctx)
		}
		if !o.DisableAgent {
			go runAgent(ctx, o, srv, advertise, agentToken)
		}
		slog.Info("berth server ready", "url", serverURL, "kubeconfig", AdminKubeconfig(o.DataDir), "startup", time.Since(start).Round(time.Millisecond))
		return nil
	}); err != nil {
		return err
	}
	return srv.Run(ctx)
}

func parsePortRange(s string) (base, size int, err error) {
	var lo, hi int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d-%d", &lo, &hi); err != nil {
		return 0, 0, fmt.Errorf("%q is not a range like 30000-32767", s)
	}
	if lo <= 0 || hi > 65535 || hi < lo {
		return 0, 0, fmt.Errorf("%q is not a valid port range", s)
	}
	return lo, hi - lo + 1, nil
}

// defaultAdvertiseAddress picks the bind address if specific, else the
// first global unicast IPv4 address of the host, else loopback.
func defaultAdvertiseAddress(bind net.IP) net.IP {
	if !bind.IsUnspecified() {
		return bind
	}
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && ipn.IP.IsGlobalUnicast() {
				return ipn.IP.To4()
			}
		}
	}
	return net.ParseIP("127.0.0.1")
}

// writeChain writes leaf followed by the CA certificate into file.
func writeChain(file, leafFile string, caPEM []byte) error {
	leaf, err := os.ReadFile(leafFile)
	if err != nil {
		return err
	}
	chain := append(append(append([]byte{}, leaf...), '\n'), caPEM...)
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, chain, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}
