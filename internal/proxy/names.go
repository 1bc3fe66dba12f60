package proxy

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/netip"
)

// Fixed chain, map and set names of the table.
const (
	chainNatPrerouting   = "nat-prerouting"
	chainNatOutput       = "nat-output"
	chainNatPostrouting  = "nat-postrouting"
	chainFilterInput     = "filter-input"
	chainFilterForward   = "filter-forward"
	chainFilterOutput    = "filter-output"
	chainServices        = "services"
	chainMasquerading    = "masquerading"
	chainMarkForMasq     = "mark-for-masquerade"
	chainReject          = "reject-chain"
	chainEndpointsCheck  = "service-endpoints-check"
	chainNodePortsCheck  = "nodeport-endpoints-check"
	chainClusterIPsCheck = "cluster-ips-check"
	chainFilterPreDNAT   = "filter-prerouting-pre-dnat"
	chainOutputPreDNAT   = "filter-output-pre-dnat"
	chainFirewallCheck   = "firewall-check"

	mapServiceIPs          = "service-ips"
	mapServiceNodePorts    = "service-nodeports"
	mapNoEndpointServices  = "no-endpoint-services"
	mapNoEndpointNodePorts = "no-endpoint-nodeports"
	setClusterIPs          = "cluster-ips"
	mapFirewallIPs         = "firewall-ips"
)

// Prefixes of the per-service-port objects.
const (
	prefixService  = "svc-"
	prefixLocal    = "local-"
	prefixExternal = "ext-"
	prefixEndpoint = "ep-"
	prefixAffinity = "aff-"
	prefixFirewall = "fw-"
)

// servicePortID names a service port: "ns/name/proto/port", where port is
// the port's name, or its number when unnamed. nft identifiers allow '/',
// '.', '-' and '_', so the ID can be part of chain names as is.
func servicePortID(namespace, name string, proto Protocol, portName string, port uint16) string {
	if portName == "" {
		portName = fmt.Sprint(port)
	}
	return fmt.Sprintf("%s/%s/%s/%s", namespace, name, proto, portName)
}

// hashID16 is a longer hash for iptables chain names, which carry nothing
// else (28 characters at most).
func hashID16(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base32.StdEncoding.EncodeToString(sum[:])[:16]
}

// hashID is a short, stable hash that keeps names unique and greppable.
func hashID(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base32.StdEncoding.EncodeToString(sum[:])[:8]
}

func serviceChainName(id string) string  { return prefixService + hashID(id) + "-" + id }
func localChainName(id string) string    { return prefixLocal + hashID(id) + "-" + id }
func externalChainName(id string) string { return prefixExternal + hashID(id) + "-" + id }
func firewallChainName(id string) string { return prefixFirewall + hashID(id) + "-" + id }

func endpointChainName(id string, ep netip.AddrPort) string {
	return prefixEndpoint + hashID(id+ep.String()) + "-" + id + "__" + ep.Addr().String() + "/" + fmt.Sprint(ep.Port())
}

func affinitySetName(id string, ep netip.AddrPort) string {
	return prefixAffinity + hashID(id+ep.String()) + "-" + id + "__" + ep.Addr().String() + "/" + fmt.Sprint(ep.Port())
}
