package cluster

import (
	"context"
	"fmt"

	"github.com/vishvananda/netlink"
)

// IsolateNode cuts a node off the underlay, as a pulled cable: the bridge
// side of its veth goes down, so the node's eth0 loses its carrier and
// nothing passes either way. The node's processes keep running; the
// node's own configuration (address, routes) is untouched.
func IsolateNode(ctx context.Context, o NodeOptions) error {
	return setNodeLink(o, false)
}

// HealNode plugs an isolated node back in.
func HealNode(ctx context.Context, o NodeOptions) error {
	return setNodeLink(o, true)
}

func setNodeLink(o NodeOptions, up bool) error {
	_, st, n, err := o.resolve()
	if err != nil {
		return err
	}
	if st.UnderlayNetNS != "" && st.UnderlayNetNS != currentNetNSID() {
		return fmt.Errorf("cluster %q: run this in the network namespace the cluster was created in (its underlay bridge is there)", o.Name)
	}
	link, err := netlink.LinkByName(n.HostVeth)
	if err != nil {
		return fmt.Errorf("node %s: veth %s: %w", n.Name, n.HostVeth, err)
	}
	if !aliasOwned(link.Attrs().Alias, o.Name) {
		return fmt.Errorf("link %s does not belong to cluster %q", n.HostVeth, o.Name)
	}
	if up {
		return netlink.LinkSetUp(link)
	}
	return netlink.LinkSetDown(link)
}
