package proxy

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// FlushConntrack deletes UDP conntrack entries that would keep steering a
// client's datagrams to an endpoint that is gone (UDP has no connection to
// reset, so the entry would live on for as long as the client keeps
// sending), and entries to frontends that just got their first endpoint.
func (b *nftBackend) FlushConntrack(stale staleFlows) (int, error) {
	if stale.empty() {
		return 0, nil
	}
	h, err := b.netlinkHandle()
	if err != nil {
		return 0, err
	}
	defer h.Close()
	n, err := h.ConntrackDeleteFilters(netlink.ConntrackTable, unix.AF_INET, newStaleFilter(stale))
	if err != nil {
		return int(n), fmt.Errorf("conntrack delete: %w", err)
	}
	return int(n), nil
}

func (b *nftBackend) netlinkHandle() (*netlink.Handle, error) {
	if b.nsPath == "" {
		return netlink.NewHandle(unix.NETLINK_NETFILTER)
	}
	ns, err := netns.GetFromPath(b.nsPath)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	return netlink.NewHandleAt(ns, unix.NETLINK_NETFILTER)
}

// staleFilter matches UDP flows NATed to a removed endpoint (reply source
// is the endpoint, original destination is not), or addressed to a
// frontend or NodePort that just got endpoints.
type staleFilter struct {
	endpoints map[netip.AddrPort]bool
	frontends map[netip.AddrPort]bool
	nodePorts map[uint16]bool
}

func newStaleFilter(s staleFlows) *staleFilter {
	f := &staleFilter{endpoints: map[netip.AddrPort]bool{}, frontends: map[netip.AddrPort]bool{}, nodePorts: map[uint16]bool{}}
	for _, e := range s.Endpoints {
		f.endpoints[e] = true
	}
	for _, e := range s.Frontends {
		f.frontends[e] = true
	}
	for _, p := range s.NodePorts {
		f.nodePorts[p] = true
	}
	return f
}

func (f *staleFilter) MatchConntrackFlow(flow *netlink.ConntrackFlow) bool {
	if flow.Forward.Protocol != unix.IPPROTO_UDP {
		return false
	}
	origDst := addrPort(flow.Forward.DstIP, flow.Forward.DstPort)
	replySrc := addrPort(flow.Reverse.SrcIP, flow.Reverse.SrcPort)
	if f.endpoints[replySrc] && origDst != replySrc {
		return true
	}
	return f.frontends[origDst] || f.nodePorts[flow.Forward.DstPort]
}

func addrPort(ip net.IP, port uint16) netip.AddrPort {
	a, _ := netip.AddrFromSlice(ip.To4())
	return netip.AddrPortFrom(a, port)
}
