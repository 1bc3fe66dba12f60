package main

import (
	"fmt"
	"net"
	"os"

	"github.com/berth-project/berth/internal/agent"
	"github.com/berth-project/berth/internal/apiserver"
	"github.com/berth-project/berth/internal/network"
	"github.com/berth-project/berth/internal/pki"
	"github.com/berth-project/berth/internal/proxy"
	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
)

func agentCommand() *cobra.Command {
	var (
		server, token, caFile, nodeIP string
		cfg                           agent.Config
		clusterDNS                    string
		cleanup                       bool
	)
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Run a node: register it and run the pods bound to it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cleanup {
				// kube-proxy --cleanup: remove what the agent programmed into
				// this network namespace, then exit.
				if err := agent.Cleanup(); err != nil {
					return fmt.Errorf("cleanup: %w", err)
				}
				fmt.Fprintln(cmd.OutOrStdout(), "removed the pod overlay, the masquerade table and the service proxy's nftables table and iptables chains")
				return nil
			}
			if _, err := network.ParseMode(cfg.PodNetwork); err != nil {
				return err
			}
			if err := proxy.ValidateFlags(cfg.ProxyBalance, cfg.ProxyMode); err != nil {
				return err
			}
			if server == "" || token == "" {
				return fmt.Errorf("--server and --token are required")
			}
			rc := &rest.Config{Host: server}
			caHash, secret, err := pki.ParseJoinToken(token)
			if err != nil {
				return err
			}
			rc.BearerToken = secret
			switch {
			case caFile != "":
				rc.TLSClientConfig.CAFile = caFile
			case caHash != "":
				ca, err := fetchAndPinCA(server, caHash)
				if err != nil {
					return err
				}
				rc.TLSClientConfig.CAData = ca
			default:
				return fmt.Errorf("the token does not pin the server CA: pass --ca-file or a K10… join token")
			}
			if cfg.NodeName == "" {
				if cfg.NodeName, err = os.Hostname(); err != nil {
					return err
				}
			}
			// the token buys a client certificate for this node's
			// identity; the agent acts with that alone
			if rc, err = agent.NodeCredentials(cmd.Context(), rc, agent.CredentialsDir(cfg.RootDir), cfg.NodeName); err != nil {
				return err
			}
			cfg.Rest = rc
			cfg.NodeIP = net.ParseIP(nodeIP)
			cfg.ClusterDNS = net.ParseIP(clusterDNS)
			a, err := agent.New(cfg, apiserver.GitVersion())
			if err != nil {
				return err
			}
			return a.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&server, "server", "", "API server URL, e.g. https://172.28.0.10:6443")
	f.StringVar(&token, "token", os.Getenv("BERTH_TOKEN"), "join token (K10<ca hash>::server:<secret>) or bearer token")
	f.StringVar(&caFile, "ca-file", "", "the cluster CA (not needed with a K10 join token)")
	f.StringVar(&cfg.NodeName, "node-name", "", "node name (default: host name)")
	f.StringVar(&nodeIP, "node-ip", "", "this node's address")
	f.StringVar(&cfg.RootDir, "root-dir", "/var/lib/berth/agent", "state: images, pods, logs")
	f.StringVar(&cfg.RunDir, "run-dir", "/run/berth", "runtime state: runc, network namespaces")
	f.StringVar(&cfg.StorageCapacity, "storage-capacity", os.Getenv("BERTH_STORAGE_CAPACITY"), "berth.dev/local-storage this node publishes, e.g. 20Gi (default: the size of the filesystem holding <root-dir>/storage)")
	f.StringVar(&clusterDNS, "cluster-dns", "10.43.0.10", "cluster DNS address written into pods' resolv.conf")
	f.StringVar(&cfg.ClusterDomain, "cluster-domain", "cluster.local", "cluster DNS domain")
	f.IntVar(&cfg.IngressHTTPPort, "ingress-http-port", 80, "port of the node's ingress proxy for HTTP (0: none)")
	f.IntVar(&cfg.IngressHTTPSPort, "ingress-https-port", 443, "port of the node's ingress proxy for HTTPS (0: none)")
	f.IntVar(&cfg.StreamingPort, "streaming-port", 10250, "port for logs/exec/port-forward")
	f.IntVar(&cfg.NodeLeaseDurationSeconds, "node-lease-duration-seconds", agent.DefaultNodeLeaseDurationSeconds, "duration of the node's Lease; renewed every quarter of it")
	f.StringVar(&cfg.PodNetwork, "pod-network", "vxlan", "how pods reach pods on other nodes: vxlan, or host-gw (all nodes on one L2 segment)")
	f.StringVar(&cfg.ClusterCIDR, "cluster-cidr", "10.42.0.0/16", "range of all pod IPs (pod traffic leaving it is masqueraded)")
	f.BoolVar(&cleanup, "cleanup", false, "remove the pod overlay (VXLAN device, routes, masquerade table) and the service proxy's nftables table and iptables chains from this node, then exit")
	addProxyFlags(f, &cfg.ProxyBalance, &cfg.ProxyMode)
	f.StringVar(&cfg.AgentToken, "agent-token", os.Getenv("BERTH_AGENT_TOKEN"), "token the API server presents for logs/exec/port-forward (the server's <data-dir>/agent-token)")
	return cmd
}
