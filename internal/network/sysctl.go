package network

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/vishvananda/netns"
)

// sysctl is one /proc/sys setting. Path holds the components under
// /proc/sys (kept apart, not dotted, because interface names may contain
// dots).
type sysctl struct {
	Path  []string
	Value string
	// Optional settings are skipped when the file does not exist, e.g. the
	// br_netfilter knobs when that module is not loaded.
	Optional bool
}

func (s sysctl) file() string { return filepath.Join(append([]string{"/proc/sys"}, s.Path...)...) }

// nodeSysctls are the per-namespace settings EnsureNode applies inside the
// node's network namespace.
func nodeSysctls(bridge string) []sysctl {
	return []sysctl{
		// The node routes pod traffic: pod → other node, pod → ClusterIP.
		{Path: []string{"net", "ipv4", "ip_forward"}, Value: "1"},
		// Pods share one segment with the gateway. When the node routes a
		// pod's packet back out of the bridge (a ClusterIP DNATed to a pod
		// on the same node) the kernel would send an ICMP redirect telling
		// the client to bypass the node — and with it the service NAT.
		// The effective value is all OR device, so both must be 0.
		{Path: []string{"net", "ipv4", "conf", "all", "send_redirects"}, Value: "0"},
		{Path: []string{"net", "ipv4", "conf", bridge, "send_redirects"}, Value: "0"},
		// Let nftables see bridged IPv4 traffic, so a service's reply from
		// a pod on the same bridge can be un-NATed (what kubenet relied
		// on). Per-namespace, and only present with br_netfilter loaded;
		// loading the module is the host's business, not ours.
		{Path: []string{"net", "bridge", "bridge-nf-call-iptables"}, Value: "1", Optional: true},
	}
}

// podSysctls are applied inside a pod's namespace before eth0 comes up.
func podSysctls(ifname string) []sysctl {
	return []sysctl{
		// Announce the address with a gratuitous ARP when eth0 comes up,
		// so the bridge and any neighbour caching a previous owner of this
		// IP learn the new port at once.
		{Path: []string{"net", "ipv4", "conf", ifname, "arp_notify"}, Value: "1"},
	}
}

// applySysctls writes settings inside namespace ns, skipping values that
// are already right (no needless writes, and read-only /proc/sys mounts are
// fine when nothing needs changing).
func applySysctls(ns netns.NsHandle, settings []sysctl) error {
	return inNetNS(ns, func() error {
		var errs []error
		for _, s := range settings {
			cur, err := os.ReadFile(s.file())
			if err != nil {
				if s.Optional && errors.Is(err, fs.ErrNotExist) {
					slog.Debug("network: optional sysctl not present", "sysctl", s.file())
					continue
				}
				errs = append(errs, fmt.Errorf("network: read %s: %w", s.file(), err))
				continue
			}
			if string(bytes.TrimSpace(cur)) == s.Value {
				continue
			}
			if err := os.WriteFile(s.file(), []byte(s.Value), 0o644); err != nil {
				errs = append(errs, fmt.Errorf("network: set %s=%s: %w", s.file(), s.Value, err))
			}
		}
		return errors.Join(errs...)
	})
}
