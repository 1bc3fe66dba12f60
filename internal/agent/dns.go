package agent

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/berth-project/berth/internal/dns"
	"github.com/vishvananda/netlink"
)

// serveClusterDNS answers cluster DNS on this node at the cluster DNS
// address (the kube-dns Service's ClusterIP, 10.43.0.10): the address is put
// on the node's loopback, so pods' queries are delivered locally instead of
// riding conntrack'd UDP through the service proxy (the 5-second DNS
// timeouts of Kubernetes issue 56903 cannot happen).
func (a *Agent) serveClusterDNS(ctx context.Context) error {
	ip := a.cfg.ClusterDNS
	if ip == nil {
		return nil
	}
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return err
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: net.CIDRMask(32, 32)}, Label: "lo"}
	if err := netlink.AddrReplace(lo, addr); err != nil {
		return fmt.Errorf("adding %s to lo: %w", ip, err)
	}
	resolv := "/etc/resolv.conf"
	if _, err := os.Stat(resolv); err != nil {
		resolv = ""
	}
	srv, err := dns.New(dns.Config{
		Listen:     []string{net.JoinHostPort(ip.String(), "53")},
		Zone:       a.cfg.ClusterDomain,
		ResolvConf: resolv,
		Client:     a.client,
		WatchPods:  true,
	})
	if err != nil {
		return err
	}
	go func() {
		if err := srv.Run(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("cluster DNS stopped", "err", err)
		}
	}()
	a.log.Info("cluster DNS serving", "address", ip.String())
	return nil
}
