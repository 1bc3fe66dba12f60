package main

import (
	"os"

	"github.com/berth-project/berth/internal/network"
	"github.com/berth-project/berth/internal/server"
	"github.com/spf13/cobra"
)

func serverCommand() *cobra.Command {
	o := server.DefaultOptions()
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the control plane: etcd, the Kubernetes API server and controllers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := network.ParseMode(o.PodNetwork); err != nil {
				return err
			}
			return server.Run(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.DataDir, "data-dir", o.DataDir, "directory for etcd data, certificates, tokens and the admin kubeconfig")
	f.StringVar(&o.Listen, "listen", o.Listen, "HTTPS address of the API server")
	f.StringVar(&o.AdvertiseAddress, "advertise-address", o.AdvertiseAddress, "address other nodes and the kubernetes Service use to reach the API (default: first host address)")
	f.StringSliceVar(&o.EtcdEndpoints, "etcd-endpoints", nil, "use an external etcd cluster at these URLs instead of the embedded one")
	f.StringVar(&o.EtcdClientAddr, "etcd-client-addr", o.EtcdClientAddr, "client address of the embedded etcd")
	f.StringVar(&o.EtcdPeerAddr, "etcd-peer-addr", o.EtcdPeerAddr, "peer address of the embedded etcd")
	f.StringVar(&o.ServiceCIDR, "service-cidr", o.ServiceCIDR, "range of Service ClusterIPs")
	f.StringVar(&o.NodePortRange, "service-node-port-range", o.NodePortRange, "range of NodePorts")
	f.StringVar(&o.ClusterCIDR, "cluster-cidr", o.ClusterCIDR, "range of pod IPs; each node gets a /24")
	f.StringArrayVar(&o.LBPools, "lb-pool", nil, "addresses for LoadBalancer Services: [NAME=]CIDR|FIRST-LAST[,...] (repeatable; Services pick a pool by the berth.dev/lb-pool annotation, else the one named default or the first)")
	f.BoolVar(&o.DisableAgent, "disable-agent", false, "do not run a node agent in the server process")
	f.StringSliceVar(&o.TLSSANs, "tls-san", nil, "extra host names or IPs for the serving certificate")
	f.StringVar(&o.AgentToken, "agent-token", "", "bearer token for node agents' streaming servers (logs, exec, port-forward) (default: <data-dir>/agent-token, created on first start)")
	f.StringVar(&o.NodeName, "node-name", "", "name of this server's node (default: the host name)")
	f.StringVar(&o.NodeIP, "node-ip", "", "address of this server's node (default: the advertise address)")
	f.StringVar(&o.AgentRootDir, "agent-root-dir", o.AgentRootDir, "the node agent's state: images, pods, logs")
	f.StringVar(&o.AgentRunDir, "agent-run-dir", o.AgentRunDir, "the node agent's runtime state: runc, network namespaces")
	f.StringVar(&o.AgentStorageCapacity, "agent-storage-capacity", "", "berth.dev/local-storage the node publishes, e.g. 20Gi (default: env BERTH_STORAGE_CAPACITY, else the size of the filesystem holding <agent-root-dir>/storage)")
	f.StringVar(&o.ClusterDNS, "cluster-dns", o.ClusterDNS, "cluster DNS address written into pods' resolv.conf")
	f.StringVar(&o.PodNetwork, "pod-network", o.PodNetwork, "how pods reach pods on other nodes: vxlan, or host-gw (all nodes on one L2 segment)")
	f.StringVar(&o.ClusterDomain, "cluster-domain", o.ClusterDomain, "cluster DNS domain")
	f.DurationVar(&o.NodeMonitorGracePeriod, "node-monitor-grace-period", o.NodeMonitorGracePeriod, "a node whose Lease is not renewed for this long becomes NotReady (Ready Unknown) and is tainted unreachable")
	f.IntVar(&o.NodeLeaseDurationSeconds, "node-lease-duration-seconds", o.NodeLeaseDurationSeconds, "duration of the in-process agent's node Lease; renewed every quarter of it")
	f.Int64Var(&o.DefaultNotReadyTolerationSeconds, "default-not-ready-toleration-seconds", o.DefaultNotReadyTolerationSeconds, "tolerationSeconds of the node.kubernetes.io/not-ready:NoExecute toleration added to every pod without one")
	f.Int64Var(&o.DefaultUnreachableTolerationSeconds, "default-unreachable-toleration-seconds", o.DefaultUnreachableTolerationSeconds, "tolerationSeconds of the node.kubernetes.io/unreachable:NoExecute toleration added to every pod without one")
	f.BoolVar(&o.ClusterInit, "cluster-init", false, "start the first server of an HA control plane (embedded etcd member on the advertise address; others --join it)")
	f.StringVar(&o.Join, "join", "", "join the HA control plane of the server at this URL (https://first:6443); needs --token")
	f.StringVar(&o.JoinToken, "token", os.Getenv("BERTH_TOKEN"), "join token (K10…) of the server to --join (env BERTH_TOKEN)")
	addProxyFlags(f, &o.ProxyBalance, &o.ProxyMode)
	f.IntVar(&o.IngressHTTPPort, "ingress-http-port", o.IngressHTTPPort, "port of the node's ingress proxy for HTTP (0: none); also the berth-ingress Service's endpoints")
	f.IntVar(&o.IngressHTTPSPort, "ingress-https-port", o.IngressHTTPSPort, "port of the node's ingress proxy for HTTPS (0: none)")
	return cmd
}
