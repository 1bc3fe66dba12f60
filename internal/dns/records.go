package dns

import (
	"net/netip"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
)

// SchemaVersion is the version of the Kubernetes DNS-Based Service Discovery
// specification served, published in the dns-version.<zone> TXT record.
const SchemaVersion = "1.0.1"

// zoneData is what the answers need besides the cluster state.
type zoneData struct {
	zone        string // canonical, e.g. "cluster.local."
	ttl         uint32
	serial      uint32
	nameservers []netip.Addr // the A/AAAA of ns.dns.<zone>
	pods        PodRecords
}

// result is the answer to one question, before it becomes a message.
type result struct {
	rcode  int
	answer []mdns.RR
	ns     []mdns.RR
	extra  []mdns.RR
	// chase is the target of an ExternalName CNAME in answer, still to be
	// resolved (in the zone or upstream) and appended.
	chase string
	// notOurs means the name is not answered from the cluster state: out of
	// the zone, or a reverse name without a cluster record. It is
	// forwarded.
	notOurs bool
}

func (z *zoneData) hdr(owner string, t uint16) mdns.RR_Header {
	return mdns.RR_Header{Name: owner, Rrtype: t, Class: mdns.ClassINET, Ttl: z.ttl}
}

func (z *zoneData) nsName() string { return "ns.dns." + z.zone }

func (z *zoneData) soa() mdns.RR {
	return &mdns.SOA{
		Hdr:     z.hdr(z.zone, mdns.TypeSOA),
		Ns:      z.nsName(),
		Mbox:    "hostmaster." + z.zone,
		Serial:  z.serial,
		Refresh: 7200,
		Retry:   1800,
		Expire:  86400,
		Minttl:  z.ttl,
	}
}

// nxdomain: the name does not exist. The SOA in the authority section lets
// resolvers cache the denial.
func (z *zoneData) nxdomain() result {
	return result{rcode: mdns.RcodeNameError, ns: []mdns.RR{z.soa()}}
}

// nodata: the name exists, but has no record of the asked type.
func (z *zoneData) nodata() result {
	return result{rcode: mdns.RcodeSuccess, ns: []mdns.RR{z.soa()}}
}

// resolve answers one question from the cluster state. It is pure: the same
// question over the same objects gives the same answer.
func (z *zoneData) resolve(v view, qname string, qtype uint16) result {
	name := canonical(qname)
	labels, ok := labelsIn(name, z.zone)
	if !ok {
		if isReverse(name) {
			return z.reverse(v, qname, name, qtype)
		}
		return result{notOurs: true}
	}
	n := len(labels)
	switch {
	case n == 0:
		return z.apex(qname, qtype)
	case n == 1 && labels[0] == "dns-version":
		if qtype != mdns.TypeTXT && qtype != mdns.TypeANY {
			return z.nodata()
		}
		return result{answer: []mdns.RR{&mdns.TXT{Hdr: z.hdr(qname, mdns.TypeTXT), Txt: []string{SchemaVersion}}}}
	case labels[n-1] == "dns":
		if n == 1 {
			return z.nodata() // an empty non-terminal
		}
		if n == 2 && labels[0] == "ns" {
			return z.addresses(qname, qtype, z.nameservers)
		}
	case labels[n-1] == "svc":
		return z.services(v, qname, qtype, labels[:n-1])
	case labels[n-1] == "pod":
		return z.podRecords(v, qname, qtype, labels[:n-1])
	}
	return z.nxdomain()
}

// apex answers the zone's own name: SOA and NS.
func (z *zoneData) apex(qname string, qtype uint16) result {
	var r result
	if qtype == mdns.TypeSOA || qtype == mdns.TypeANY {
		soa := z.soa()
		soa.Header().Name = qname
		r.answer = append(r.answer, soa)
	}
	if qtype == mdns.TypeNS || qtype == mdns.TypeANY {
		r.answer = append(r.answer, &mdns.NS{Hdr: z.hdr(qname, mdns.TypeNS), Ns: z.nsName()})
		r.extra = z.addresses(z.nsName(), mdns.TypeANY, z.nameservers).answer
	}
	if len(r.answer) == 0 {
		return z.nodata()
	}
	return r
}

// addresses answers an address question for a name that exists.
func (z *zoneData) addresses(owner string, qtype uint16, ips []netip.Addr) result {
	var rrs []mdns.RR
	for _, ip := range ips {
		switch {
		case ip.Is4() && (qtype == mdns.TypeA || qtype == mdns.TypeANY):
			rrs = append(rrs, &mdns.A{Hdr: z.hdr(owner, mdns.TypeA), A: ip.AsSlice()})
		case ip.Is6() && (qtype == mdns.TypeAAAA || qtype == mdns.TypeANY):
			rrs = append(rrs, &mdns.AAAA{Hdr: z.hdr(owner, mdns.TypeAAAA), AAAA: ip.AsSlice()})
		}
	}
	if len(rrs) == 0 {
		return z.nodata()
	}
	return result{answer: rrs}
}

// services answers names under svc.<zone>; l holds the labels before "svc".
func (z *zoneData) services(v view, qname string, qtype uint16, l []string) result {
	switch len(l) {
	case 0:
		return z.nodata() // svc.<zone>
	case 1:
		if v.hasServices(l[0]) {
			return z.nodata() // <ns>.svc.<zone>
		}
		return z.nxdomain()
	}
	svc := v.service(l[len(l)-1], l[len(l)-2])
	if svc == nil {
		return z.nxdomain()
	}
	rest := l[:len(l)-2]
	switch {
	case len(rest) == 0:
		return z.serviceRecords(v, qname, qtype, svc)
	case len(rest) == 1 && strings.HasPrefix(rest[0], "_"):
		return z.protocolNode(svc, rest[0][1:])
	case len(rest) == 1:
		return z.endpointRecords(v, qname, qtype, svc, rest[0])
	case len(rest) == 2 && strings.HasPrefix(rest[0], "_") && strings.HasPrefix(rest[1], "_"):
		return z.srv(v, qname, qtype, svc, rest[0][1:], rest[1][1:])
	}
	return z.nxdomain()
}

// serviceRecords answers <svc>.<ns>.svc.<zone>.
func (z *zoneData) serviceRecords(v view, qname string, qtype uint16, svc *corev1.Service) result {
	switch {
	case svc.Spec.Type == corev1.ServiceTypeExternalName:
		if svc.Spec.ExternalName == "" {
			return z.nodata()
		}
		target := mdns.Fqdn(svc.Spec.ExternalName)
		r := result{answer: []mdns.RR{&mdns.CNAME{Hdr: z.hdr(qname, mdns.TypeCNAME), Target: target}}}
		if qtype != mdns.TypeCNAME {
			r.chase = target
		}
		return r
	case isHeadless(svc):
		eps := readyEndpoints(v, svc)
		if len(eps) == 0 {
			return z.nxdomain() // as the specification asks
		}
		return z.addresses(qname, qtype, endpointIPs(eps))
	default:
		return z.addresses(qname, qtype, clusterIPs(svc))
	}
}

// endpointRecords answers <hostname>.<svc>.<ns>.svc.<zone>.
func (z *zoneData) endpointRecords(v view, qname string, qtype uint16, svc *corev1.Service, host string) result {
	var match []endpoint
	for _, ep := range readyEndpoints(v, svc) {
		if ep.host == host {
			match = append(match, ep)
		}
	}
	if len(match) == 0 {
		return z.nxdomain()
	}
	return z.addresses(qname, qtype, endpointIPs(match))
}

// protocolNode answers _<proto>.<svc>.<ns>.svc.<zone>, which exists (with no
// records) when the Service has a named port of that protocol.
func (z *zoneData) protocolNode(svc *corev1.Service, proto string) result {
	for _, p := range svc.Spec.Ports {
		if p.Name != "" && protoLabel(p.Protocol) == proto {
			return z.nodata()
		}
	}
	return z.nxdomain()
}

// srv answers _<port>._<proto>.<svc>.<ns>.svc.<zone>: the Service name for
// a Service with a cluster IP (or the external name), one record per ready
// endpoint (and its own port number) for a headless one.
func (z *zoneData) srv(v view, qname string, qtype uint16, svc *corev1.Service, port, proto string) result {
	var answer, extra []mdns.RR
	seen := map[string]bool{}
	add := func(target string, n int32, ips []netip.Addr) {
		key := target + "/" + strconv.Itoa(int(n))
		if seen[key] {
			return
		}
		seen[key] = true
		answer = append(answer, &mdns.SRV{Hdr: z.hdr(qname, mdns.TypeSRV), Priority: 0, Weight: 100, Port: uint16(n), Target: target})
		extra = append(extra, z.addresses(target, mdns.TypeANY, ips).answer...)
	}
	if isHeadless(svc) && svc.Spec.Type != corev1.ServiceTypeExternalName {
		for _, ep := range readyEndpoints(v, svc) {
			for _, p := range ep.ports {
				if p.Name != nil && *p.Name == port && p.Port != nil && p.Protocol != nil && protoLabel(*p.Protocol) == proto {
					add(ep.host+"."+z.serviceName(svc), *p.Port, []netip.Addr{ep.ip})
				}
			}
		}
	} else {
		for _, p := range svc.Spec.Ports {
			if p.Name == "" || p.Name != port || protoLabel(p.Protocol) != proto {
				continue
			}
			if svc.Spec.Type == corev1.ServiceTypeExternalName {
				add(mdns.Fqdn(svc.Spec.ExternalName), p.Port, nil)
			} else {
				add(z.serviceName(svc), p.Port, clusterIPs(svc))
			}
		}
	}
	if len(answer) == 0 {
		return z.nxdomain()
	}
	if qtype != mdns.TypeSRV && qtype != mdns.TypeANY {
		return z.nodata()
	}
	return result{answer: answer, extra: extra}
}

// podRecords answers <a-b-c-d>.<ns>.pod.<zone>; l holds the labels before "pod".
func (z *zoneData) podRecords(v view, qname string, qtype uint16, l []string) result {
	if z.pods == PodsDisabled {
		return z.nxdomain()
	}
	switch len(l) {
	case 0, 1:
		return z.nodata() // pod.<zone>, <ns>.pod.<zone>
	case 2:
	default:
		return z.nxdomain()
	}
	ip, ok := undash(l[0])
	if !ok {
		return z.nxdomain()
	}
	if z.pods == PodsVerified && !podInNamespace(v.podsByIP(ip.String()), l[1]) {
		return z.nxdomain()
	}
	return z.addresses(qname, qtype, []netip.Addr{ip})
}

func podInNamespace(pods []*corev1.Pod, ns string) bool {
	for _, p := range pods {
		if p.Namespace == ns && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			return true
		}
	}
	return false
}

// reverse answers PTR questions for cluster IPs and headless endpoints;
// other reverse names are not ours.
func (z *zoneData) reverse(v view, qname, name string, qtype uint16) result {
	ip, ok := reverseAddr(name)
	if !ok {
		return result{notOurs: true}
	}
	targets := ptrTargets(v, ip, z)
	if len(targets) == 0 {
		return result{notOurs: true}
	}
	if qtype != mdns.TypePTR && qtype != mdns.TypeANY {
		return result{rcode: mdns.RcodeSuccess}
	}
	var r result
	for _, t := range targets {
		r.answer = append(r.answer, &mdns.PTR{Hdr: z.hdr(qname, mdns.TypePTR), Ptr: t})
	}
	return r
}

// ptrTargets are the names an IP belongs to: Services with it as cluster
// IP, and ready endpoints of headless Services.
func ptrTargets(v view, ip netip.Addr, z *zoneData) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, svc := range v.servicesByIP(ip.String()) {
		add(z.serviceName(svc))
	}
	for _, s := range v.slicesByIP(ip.String()) {
		svc := v.service(s.Namespace, s.Labels[serviceNameLabel])
		if svc == nil || !isHeadless(svc) {
			continue
		}
		for _, ep := range readyEndpoints(v, svc) {
			if ep.ip == ip {
				add(ep.host + "." + z.serviceName(svc))
			}
		}
	}
	return out
}

// serviceName is <svc>.<ns>.svc.<zone>.
func (z *zoneData) serviceName(svc *corev1.Service) string {
	return svc.Name + "." + svc.Namespace + ".svc." + z.zone
}

// protoLabel is the SRV protocol label of a port protocol: tcp, udp, sctp.
func protoLabel(p corev1.Protocol) string {
	if p == "" {
		return "tcp"
	}
	return strings.ToLower(string(p))
}
