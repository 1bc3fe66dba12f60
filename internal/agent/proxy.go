package agent

import (
	"context"
	"net"
	"net/netip"

	"github.com/berth-project/berth/internal/proxy"
)

// runServiceProxy programs this node's nftables table so traffic to
// Service addresses reaches one of the Services' ready pods (the kube-proxy
// role). The rules stay in the kernel when the agent stops, so Services keep
// working from the last known state.
func (a *Agent) runServiceProxy(ctx context.Context, podCIDR *net.IPNet) error {
	node := proxy.NodeInfo{Name: a.cfg.NodeName}
	if ip, ok := netip.AddrFromSlice(a.cfg.NodeIP.To4()); ok {
		node.IPs = []netip.Addr{ip}
	}
	if p, err := netip.ParsePrefix(podCIDR.String()); err == nil {
		node.PodCIDR = p
	}
	if p, err := netip.ParsePrefix(a.cfg.ClusterCIDR); err == nil {
		node.ClusterCIDR = p
	}
	balance, _ := proxy.ParseBalance(a.cfg.ProxyBalance) // validated by New
	mode, _ := proxy.ParseMode(a.cfg.ProxyMode)
	c, err := proxy.New(a.client, node, proxy.Options{Balance: balance, Mode: mode})
	if err != nil {
		return err
	}
	go func() {
		if err := c.Run(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("service proxy stopped", "err", err)
		}
	}()
	return nil
}

// validateProxy rejects bad --proxy-balance / --proxy-mode values before
// the agent starts anything.
func (c Config) validateProxy() error { return proxy.ValidateFlags(c.ProxyBalance, c.ProxyMode) }
