package main

import (
	"github.com/berth-project/berth/internal/proxy"
	"github.com/spf13/pflag"
)

// addProxyFlags adds the service proxy's flags (berth agent, berth server
// for its in-process agent, berth cluster create for every node); values
// are checked by proxy.ValidateFlags before anything starts.
func addProxyFlags(f *pflag.FlagSet, balance, mode *string) {
	f.StringVar(balance, "proxy-balance", string(proxy.RoundRobin), "service proxy's default backend choice: round-robin or random (a Service's berth.dev/load-balancing annotation wins)")
	f.StringVar(mode, "proxy-mode", string(proxy.ModeNFTables), "service proxy dataplane: nftables or iptables (for hosts without nftables)")
}
