// Package dns is berth's cluster DNS: the part of Kubernetes that CoreDNS
// (or kube-dns) plays, serving the Kubernetes DNS-Based Service Discovery
// specification, schema 1.0.1, for the cluster domain from client-go
// informer caches of Services and EndpointSlices (and, optionally, Pods).
//
// Records (zone "cluster.local" unless configured):
//
//   - <svc>.<ns>.svc.<zone>: A/AAAA with the ClusterIPs; for a headless
//     Service one A/AAAA per ready endpoint (NXDOMAIN with none); CNAME to
//     the external name for an ExternalName Service, followed by the
//     target's records.
//   - <hostname>.<svc>.<ns>.svc.<zone>: A/AAAA of the endpoint with that
//     hostname, or with that dashed IP (10-42-0-7) when it has none.
//   - _<port>._<proto>.<svc>.<ns>.svc.<zone>: SRV for named ports, to the
//     Service name, or to each ready endpoint of a headless Service with
//     its own port; the targets' addresses in the additional section.
//   - PTR for ClusterIPs and for ready endpoints of headless Services.
//   - <a-b-c-d>.<ns>.pod.<zone>: A/AAAA of the dashed IP.
//   - dns-version.<zone>: TXT "1.0.1"; SOA and NS at the apex, and
//     ns.dns.<zone> for the server's own addresses.
//
// Names are compared case-insensitively. A name that does not exist gets
// NXDOMAIN, one that exists without records of the asked type NOERROR and
// no answer (NODATA); both carry the zone's SOA in the authority section.
//
// Names outside the zone, and reverse names without a cluster record, are
// forwarded to the upstream servers of a resolv.conf, through a small
// cache. A question that looks like the first try of a pod's ndots:5 search
// list (<x>.<ns>.svc.<zone>) and does not exist is expanded on the server:
// the answer is that of the first name on the rest of the list that exists,
// with a CNAME to it (CoreDNS's autopath).
//
// Over UDP, answers larger than the client's buffer (512 bytes, or its
// EDNS(0) size) are truncated with the TC bit; TCP is served on the same
// addresses. Until the caches are filled, zone questions get SERVFAIL; after
// that answers come from the caches, which keep their last state while the
// API server is unreachable.
//
// The record logic (names.go, records.go, endpoints.go, autopath.go) is
// pure over a view of the caches (view.go); server.go, handler.go,
// forward.go, cache.go and metrics.go are the I/O.
package dns
