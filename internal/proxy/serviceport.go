package proxy

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// servicePort is one port of one Service, flattened: everything Desired
// needs to build its chains and map elements.
type servicePort struct {
	ID        string // servicePortID
	Namespace string
	Name      string
	PortName  string
	Proto     Protocol
	Port      uint16
	NodePort  uint16
	ClusterIP netip.Addr // invalid for headless / ExternalName
	External  []netip.Addr
	// LBIPs are the load-balancer ingress IPs among External; when
	// SourceRanges is set, traffic to them from other sources is dropped.
	LBIPs        []netip.Addr
	SourceRanges []netip.Prefix
	ETPLocal     bool
	ITPLocal     bool
	Affinity     time.Duration // 0: no session affinity
	RandomPick   bool
}

// hasExternal says whether the port is reachable from outside the cluster
// network (NodePort, externalIPs, load-balancer IPs).
func (sp *servicePort) hasExternal() bool { return sp.NodePort != 0 || len(sp.External) > 0 }

// servicePorts flattens a Service into its proxied ports. Headless and
// ExternalName Services, and ports of unknown protocols, yield nothing.
func servicePorts(svc *corev1.Service, opts Options) []*servicePort {
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return nil
	}
	clusterIP := firstIPv4(clusterIPs(svc))
	external := externalAddrs(svc)
	lbIPs := loadBalancerIPs(svc)
	ranges := sourceRanges(svc)
	if !clusterIP.IsValid() && len(external) == 0 {
		return nil
	}
	var out []*servicePort
	for _, p := range svc.Spec.Ports {
		proto, ok := parseProtocol(string(p.Protocol))
		if !ok || p.Port <= 0 || p.Port > 65535 {
			continue
		}
		sp := &servicePort{
			ID:           servicePortID(svc.Namespace, svc.Name, proto, p.Name, uint16(p.Port)),
			Namespace:    svc.Namespace,
			Name:         svc.Name,
			PortName:     p.Name,
			Proto:        proto,
			Port:         uint16(p.Port),
			ClusterIP:    clusterIP,
			External:     external,
			LBIPs:        lbIPs,
			SourceRanges: ranges,
			ETPLocal:     svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal,
			ITPLocal:     svc.Spec.InternalTrafficPolicy != nil && *svc.Spec.InternalTrafficPolicy == corev1.ServiceInternalTrafficPolicyLocal,
			Affinity:     affinityTimeout(svc),
			RandomPick:   balanceOf(svc, opts) == Random,
		}
		if svc.Spec.Type == corev1.ServiceTypeNodePort || svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
			if p.NodePort > 0 && p.NodePort <= 65535 {
				sp.NodePort = uint16(p.NodePort)
			}
		}
		out = append(out, sp)
	}
	return out
}

func clusterIPs(svc *corev1.Service) []string {
	if len(svc.Spec.ClusterIPs) > 0 {
		return svc.Spec.ClusterIPs
	}
	return []string{svc.Spec.ClusterIP}
}

// externalAddrs are the externalIPs and the load-balancer IPs.
func externalAddrs(svc *corev1.Service) []netip.Addr {
	var out []netip.Addr
	for _, s := range svc.Spec.ExternalIPs {
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() && !containsAddr(out, a) {
			out = append(out, a)
		}
	}
	for _, a := range loadBalancerIPs(svc) {
		if !containsAddr(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// loadBalancerIPs are a LoadBalancer Service's ingress IPs whose ipMode is
// not Proxy (with Proxy the load balancer delivers to the node and must not
// be short-circuited).
func loadBalancerIPs(svc *corev1.Service) []netip.Addr {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return nil
	}
	var out []netip.Addr
	for _, ing := range svc.Status.LoadBalancer.Ingress {
		if ing.IPMode != nil && *ing.IPMode == corev1.LoadBalancerIPModeProxy {
			continue
		}
		if a, err := netip.ParseAddr(ing.IP); err == nil && a.Is4() && !containsAddr(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// AnnotationSourceRanges is the older form of spec.loadBalancerSourceRanges
// (comma-separated CIDRs), used by kube-proxy when the field is empty.
const AnnotationSourceRanges = "service.beta.kubernetes.io/load-balancer-source-ranges"

// sourceRanges are the IPv4 CIDRs allowed to reach a LoadBalancer
// Service's ingress IPs; nil means everyone. Entries that do not parse are
// skipped (API validation rejects them anyway).
func sourceRanges(svc *corev1.Service) []netip.Prefix {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return nil
	}
	raw := svc.Spec.LoadBalancerSourceRanges
	if len(raw) == 0 && svc.Annotations[AnnotationSourceRanges] != "" {
		raw = strings.Split(svc.Annotations[AnnotationSourceRanges], ",")
	}
	var out []netip.Prefix
	for _, s := range raw {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err == nil && p.Addr().Is4() && !slices.Contains(out, p.Masked()) {
			out = append(out, p.Masked())
		}
	}
	return out
}

func firstIPv4(ss []string) netip.Addr {
	for _, s := range ss {
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			return a
		}
	}
	return netip.Addr{}
}

func containsAddr(as []netip.Addr, a netip.Addr) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

// affinityTimeout is the ClientIP session-affinity timeout, 0 without
// affinity; the API default is 10800 seconds.
func affinityTimeout(svc *corev1.Service) time.Duration {
	if svc.Spec.SessionAffinity != corev1.ServiceAffinityClientIP {
		return 0
	}
	secs := int32(corev1.DefaultClientIPServiceAffinitySeconds)
	if c := svc.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil && *c.ClientIP.TimeoutSeconds > 0 {
		secs = *c.ClientIP.TimeoutSeconds
	}
	return time.Duration(secs) * time.Second
}

// balanceOf is the Service's annotation when valid, else the node default.
func balanceOf(svc *corev1.Service, opts Options) Balance {
	switch Balance(strings.TrimSpace(svc.Annotations[AnnotationLoadBalancing])) {
	case RoundRobin:
		return RoundRobin
	case Random:
		return Random
	}
	if opts.Balance == Random {
		return Random
	}
	return RoundRobin
}

func parseProtocol(s string) (Protocol, bool) {
	switch corev1.Protocol(s) {
	case corev1.ProtocolTCP, "":
		return ProtoTCP, true
	case corev1.ProtocolUDP:
		return ProtoUDP, true
	case corev1.ProtocolSCTP:
		return ProtoSCTP, true
	}
	return 0, false
}
