// Package proxy is berth's service proxy — the kube-proxy of the seed's
// networking picture: "Traffic to a ClusterIP is managed by kube-proxy, which
// routes requests to the appropriate pods … load balance traffic across
// multiple pods using either round-robin or random selection".
//
// It runs in each node's network namespace (inside the agent) and programs
// one nftables table of its own, "ip berth-proxy", modelled on kube-proxy's
// nftables mode:
//
//   - Desired turns Services and EndpointSlices into a Ruleset, a pure value
//     (verdict maps keyed by daddr . l4proto . dport, a chain per service port
//     choosing an endpoint with numgen inc/random, a chain per endpoint doing
//     the DNAT, masquerade by mark, reject for Services without endpoints).
//     Ruleset.String renders it as nft(8) input.
//   - Proxier applies a Ruleset as one atomic nftables transaction per sync
//     (a full rebuild first, then only what changed), debounced, and flushes
//     stale UDP conntrack entries of removed endpoints.
//   - Controller (New + Run) feeds the Proxier from Service and EndpointSlice
//     informers; when the API server is unreachable the last rules stay.
//
// With Options.Mode ModeIPTables (hosts without nftables) DesiredIPTables
// renders the same semantics as BERTH-* iptables chains, applied by a full
// iptables-restore --noflush per sync. HealthChecks and the health server
// answer externalTrafficPolicy Local health-check NodePorts. Cleanup
// (berth agent --cleanup) removes what either mode made.
//
// README.md describes the tables, chains and maps, and why.
package proxy
