package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/berth-project/berth/internal/network"
	"github.com/berth-project/berth/internal/proxy"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// overlayResync re-applies the overlay even without Node events, repairing
// entries removed by hand.
const overlayResync = time.Minute

// overlayConfig is this node's side of the cross-node pod network, or an
// error when the agent does not know enough to build it.
func (a *Agent) overlayConfig(podCIDR *net.IPNet) (network.OverlayConfig, error) {
	mode, err := network.ParseMode(a.cfg.PodNetwork)
	if err != nil {
		return network.OverlayConfig{}, err
	}
	ip, ok := netip.AddrFromSlice(a.cfg.NodeIP.To4())
	if !ok {
		return network.OverlayConfig{}, fmt.Errorf("no IPv4 node address (--node-ip): pods on other nodes are unreachable")
	}
	pc, err := netip.ParsePrefix(podCIDR.String())
	if err != nil {
		return network.OverlayConfig{}, err
	}
	cc, err := netip.ParsePrefix(a.cfg.ClusterCIDR)
	if err != nil {
		return network.OverlayConfig{}, fmt.Errorf("cluster CIDR %q: %w", a.cfg.ClusterCIDR, err)
	}
	return network.OverlayConfig{Mode: mode, NodeName: a.cfg.NodeName, NodeIP: ip, PodCIDR: pc, ClusterCIDR: cc}, nil
}

// runOverlay keeps routes, forwarding and neighbour entries for every
// other Node programmed (the flannel role): on every Node change and once
// a minute. Runs until ctx ends; entries stay in the kernel after.
func (a *Agent) runOverlay(ctx context.Context, cfg network.OverlayConfig) {
	factory := informers.NewSharedInformerFactory(a.client, 0)
	inf := factory.Core().V1().Nodes().Informer()
	kick := make(chan struct{}, 1)
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(interface{}) { poke() },
		UpdateFunc: func(old, cur interface{}) { overlayNodeChanged(old, cur, poke) },
		DeleteFunc: func(interface{}) { poke() },
	})
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return
	}
	t := time.NewTicker(overlayResync)
	defer t.Stop()
	lastSkipped := ""
	for {
		var nodes []*corev1.Node
		for _, obj := range inf.GetStore().List() {
			nodes = append(nodes, obj.(*corev1.Node))
		}
		addrs, bad := network.NodeAddrs(nodes)
		skipped, err := network.SyncOverlay(cfg, addrs)
		if msg := fmt.Sprint(append(bad, skipped...)); msg != lastSkipped {
			// Misconfigured peers are logged when the set changes, not
			// on every resync.
			for _, e := range append(bad, skipped...) {
				a.log.Error("pod network: peer not reachable", "mode", cfg.Mode, "err", e)
			}
			lastSkipped = msg
		}
		if err != nil {
			a.log.Error("pod network: programming peers", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-t.C:
		}
	}
}

// overlayNodeChanged pokes only when what the overlay uses changed, not
// on every status heartbeat.
func overlayNodeChanged(old, cur interface{}, poke func()) {
	o, ok1 := old.(*corev1.Node)
	c, ok2 := cur.(*corev1.Node)
	if !ok1 || !ok2 {
		poke()
		return
	}
	oa, _ := network.NodeAddrs([]*corev1.Node{o})
	ca, _ := network.NodeAddrs([]*corev1.Node{c})
	if fmt.Sprint(oa) != fmt.Sprint(ca) {
		poke()
	}
}

// Cleanup removes what the agent programmed into the node's network
// namespace (the one it runs in): the pod overlay and the service proxy's
// table. Pods' own namespaces are not touched. For `berth agent --cleanup`.
func Cleanup() error {
	return errors.Join(network.CleanupOverlay(""), proxy.Cleanup(proxy.Options{}))
}
