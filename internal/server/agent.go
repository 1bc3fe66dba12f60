package server

import (
	"context"
	"log/slog"
	"net"
	"os"

	"github.com/berth-project/berth/internal/agent"
	"github.com/berth-project/berth/internal/apiserver"
	"github.com/berth-project/berth/internal/proxy"
)

// validateProxyOptions rejects bad --proxy-balance / --proxy-mode values
// before the server starts anything (they are the in-process agent's).
func validateProxyOptions(o Options) error { return proxy.ValidateFlags(o.ProxyBalance, o.ProxyMode) }

// runAgent runs the node agent of the server's own node in-process; it
// talks to the API over the loopback client like any other client.
func runAgent(ctx context.Context, o Options, srv *apiserver.Server, advertise net.IP, agentToken string) {
	nodeIP := advertise
	if ip := net.ParseIP(o.NodeIP); ip != nil {
		nodeIP = ip
	}
	name := o.NodeName
	if name == "" {
		name, _ = os.Hostname()
	}
	a, err := agent.New(agent.Config{
		NodeName: name, NodeIP: nodeIP, RootDir: o.AgentRootDir, RunDir: o.AgentRunDir, StorageCapacity: o.AgentStorageCapacity,
		ClusterDNS: net.ParseIP(o.ClusterDNS), ClusterDomain: o.ClusterDomain, ClusterCIDR: o.ClusterCIDR,
		PodNetwork:   o.PodNetwork,
		ProxyBalance: o.ProxyBalance, ProxyMode: o.ProxyMode,
		AgentToken: agentToken, Rest: srv.LoopbackConfig(), NodeLeaseDurationSeconds: o.NodeLeaseDurationSeconds,
		IngressHTTPPort: o.IngressHTTPPort, IngressHTTPSPort: o.IngressHTTPSPort,
		Labels: map[string]string{"node-role.kubernetes.io/control-plane": ""},
	}, apiserver.GitVersion())
	if err != nil {
		slog.Error("node agent", "err", err)
		return
	}
	if err := a.Run(ctx); err != nil && ctx.Err() == nil {
		slog.Error("node agent stopped", "err", err)
	}
}
