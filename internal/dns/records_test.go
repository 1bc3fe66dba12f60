package dns

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	mdns "github.com/miekg/dns"
)

func testZone() *zoneData {
	return &zoneData{zone: "cluster.local.", ttl: 5, serial: 1, nameservers: []netip.Addr{netip.MustParseAddr("10.43.0.10")}}
}

const soa = "cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5"

func TestResolve(t *testing.T) {
	const (
		A, AAAA, SRV, PTR, TXT = mdns.TypeA, mdns.TypeAAAA, mdns.TypeSRV, mdns.TypePTR, mdns.TypeTXT
		NOERROR, NXDOMAIN      = mdns.RcodeSuccess, mdns.RcodeNameError
	)
	tests := []struct {
		name    string
		qname   string
		qtype   uint16
		rcode   int
		answer  []string
		extra   []string
		negSOA  bool // SOA in the authority section
		chase   string
		notOurs bool
	}{
		// §2.2 schema version
		{"schema version", "dns-version.cluster.local.", TXT, NOERROR, []string{`dns-version.cluster.local. 5 IN TXT "1.0.1"`}, nil, false, "", false},
		{"schema version, other type", "dns-version.cluster.local.", A, NOERROR, nil, nil, true, "", false},
		// §2.3 Service with a ClusterIP
		{"cluster IP A", "kubernetes.default.svc.cluster.local.", A, NOERROR, []string{"kubernetes.default.svc.cluster.local. 5 IN A 10.3.0.1"}, nil, false, "", false},
		{"case-insensitive, owner as asked", "Kubernetes.DEFAULT.svc.Cluster.Local.", A, NOERROR, []string{"Kubernetes.DEFAULT.svc.Cluster.Local. 5 IN A 10.3.0.1"}, nil, false, "", false},
		{"IPv4 service AAAA is NODATA", "kubernetes.default.svc.cluster.local.", AAAA, NOERROR, nil, nil, true, "", false},
		{"other type is NODATA", "kubernetes.default.svc.cluster.local.", mdns.TypeMX, NOERROR, nil, nil, true, "", false},
		{"no such service", "missing.default.svc.cluster.local.", A, NXDOMAIN, nil, nil, true, "", false},
		{"no such namespace", "kubernetes.nope.svc.cluster.local.", A, NXDOMAIN, nil, nil, true, "", false},
		{"dual stack A", "dual.default.svc.cluster.local.", A, NOERROR, []string{"dual.default.svc.cluster.local. 5 IN A 10.3.0.5"}, nil, false, "", false},
		{"dual stack AAAA", "dual.default.svc.cluster.local.", AAAA, NOERROR, []string{"dual.default.svc.cluster.local. 5 IN AAAA fd00::5"}, nil, false, "", false},
		{"SRV", "_https._tcp.kubernetes.default.svc.cluster.local.", SRV, NOERROR,
			[]string{"_https._tcp.kubernetes.default.svc.cluster.local. 5 IN SRV 0 100 443 kubernetes.default.svc.cluster.local."},
			[]string{"kubernetes.default.svc.cluster.local. 5 IN A 10.3.0.1"}, false, "", false},
		{"SRV udp", "_dns._udp.dual.default.svc.cluster.local.", SRV, NOERROR,
			[]string{"_dns._udp.dual.default.svc.cluster.local. 5 IN SRV 0 100 53 dual.default.svc.cluster.local."},
			[]string{"dual.default.svc.cluster.local. 5 IN A 10.3.0.5", "dual.default.svc.cluster.local. 5 IN AAAA fd00::5"}, false, "", false},
		{"SRV wrong protocol", "_https._udp.kubernetes.default.svc.cluster.local.", SRV, NXDOMAIN, nil, nil, true, "", false},
		{"SRV unknown port", "_http._tcp.kubernetes.default.svc.cluster.local.", SRV, NXDOMAIN, nil, nil, true, "", false},
		{"SRV name, A question", "_https._tcp.kubernetes.default.svc.cluster.local.", A, NOERROR, nil, nil, true, "", false},
		{"protocol node", "_tcp.kubernetes.default.svc.cluster.local.", SRV, NOERROR, nil, nil, true, "", false},
		{"protocol node, none", "_sctp.kubernetes.default.svc.cluster.local.", SRV, NXDOMAIN, nil, nil, true, "", false},
		{"PTR of a cluster IP", "1.0.3.10.in-addr.arpa.", PTR, NOERROR, []string{"1.0.3.10.in-addr.arpa. 5 IN PTR kubernetes.default.svc.cluster.local."}, nil, false, "", false},
		{"PTR of an IPv6 cluster IP", "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", PTR, NOERROR,
			[]string{"5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa. 5 IN PTR dual.default.svc.cluster.local."}, nil, false, "", false},
		// §2.4 headless Service
		{"headless A: ready endpoints", "headless.default.svc.cluster.local.", A, NOERROR, []string{
			"headless.default.svc.cluster.local. 5 IN A 10.3.0.3",
			"headless.default.svc.cluster.local. 5 IN A 10.3.0.100",
			"headless.default.svc.cluster.local. 5 IN A 10.3.0.101",
		}, nil, false, "", false},
		{"headless without ready endpoints", "empty.default.svc.cluster.local.", A, NXDOMAIN, nil, nil, true, "", false},
		{"endpoint hostname", "my-pet.headless.default.svc.cluster.local.", A, NOERROR, []string{"my-pet.headless.default.svc.cluster.local. 5 IN A 10.3.0.100"}, nil, false, "", false},
		{"endpoint without hostname, by dashed IP", "10-3-0-3.headless.default.svc.cluster.local.", A, NOERROR, []string{"10-3-0-3.headless.default.svc.cluster.local. 5 IN A 10.3.0.3"}, nil, false, "", false},
		{"not-ready endpoint", "10-3-0-4.headless.default.svc.cluster.local.", A, NXDOMAIN, nil, nil, true, "", false},
		{"unknown hostname", "nobody.headless.default.svc.cluster.local.", A, NXDOMAIN, nil, nil, true, "", false},
		{"headless SRV", "_https._tcp.headless.default.svc.cluster.local.", SRV, NOERROR, []string{
			"_https._tcp.headless.default.svc.cluster.local. 5 IN SRV 0 100 8443 10-3-0-3.headless.default.svc.cluster.local.",
			"_https._tcp.headless.default.svc.cluster.local. 5 IN SRV 0 100 8443 my-pet.headless.default.svc.cluster.local.",
			"_https._tcp.headless.default.svc.cluster.local. 5 IN SRV 0 100 8443 my-pet-2.headless.default.svc.cluster.local.",
		}, []string{
			"10-3-0-3.headless.default.svc.cluster.local. 5 IN A 10.3.0.3",
			"my-pet.headless.default.svc.cluster.local. 5 IN A 10.3.0.100",
			"my-pet-2.headless.default.svc.cluster.local. 5 IN A 10.3.0.101",
		}, false, "", false},
		{"headless PTR", "100.0.3.10.in-addr.arpa.", PTR, NOERROR, []string{"100.0.3.10.in-addr.arpa. 5 IN PTR my-pet.headless.default.svc.cluster.local."}, nil, false, "", false},
		{"PTR of a not-ready endpoint is not ours", "4.0.3.10.in-addr.arpa.", PTR, NOERROR, nil, nil, false, "", true},
		{"PTR of an unknown IP is not ours", "9.9.9.9.in-addr.arpa.", PTR, NOERROR, nil, nil, false, "", true},
		// §2.5 ExternalName
		{"ExternalName", "foo.default.svc.cluster.local.", A, NOERROR, []string{"foo.default.svc.cluster.local. 5 IN CNAME www.example.com."}, nil, false, "www.example.com.", false},
		{"ExternalName, CNAME question", "foo.default.svc.cluster.local.", mdns.TypeCNAME, NOERROR, []string{"foo.default.svc.cluster.local. 5 IN CNAME www.example.com."}, nil, false, "", false},
		// §2.6 pods
		{"pod A", "10-3-0-9.default.pod.cluster.local.", A, NOERROR, []string{"10-3-0-9.default.pod.cluster.local. 5 IN A 10.3.0.9"}, nil, false, "", false},
		{"pod AAAA", "fd00--9.default.pod.cluster.local.", AAAA, NOERROR, []string{"fd00--9.default.pod.cluster.local. 5 IN AAAA fd00::9"}, nil, false, "", false},
		{"IPv4 pod AAAA", "10-3-0-9.default.pod.cluster.local.", AAAA, NOERROR, nil, nil, true, "", false},
		{"not a pod IP", "10-3-0.default.pod.cluster.local.", A, NXDOMAIN, nil, nil, true, "", false},
		{"pod namespace node", "default.pod.cluster.local.", A, NOERROR, nil, nil, true, "", false},
		// the zone itself
		{"apex SOA", "cluster.local.", mdns.TypeSOA, NOERROR, []string{soa}, nil, false, "", false},
		{"apex NS", "cluster.local.", mdns.TypeNS, NOERROR, []string{"cluster.local. 5 IN NS ns.dns.cluster.local."}, []string{"ns.dns.cluster.local. 5 IN A 10.43.0.10"}, false, "", false},
		{"apex A", "cluster.local.", A, NOERROR, nil, nil, true, "", false},
		{"nameserver", "ns.dns.cluster.local.", A, NOERROR, []string{"ns.dns.cluster.local. 5 IN A 10.43.0.10"}, nil, false, "", false},
		{"svc node", "svc.cluster.local.", A, NOERROR, nil, nil, true, "", false},
		{"namespace node", "default.svc.cluster.local.", A, NOERROR, nil, nil, true, "", false},
		{"namespace without services", "nope.svc.cluster.local.", A, NXDOMAIN, nil, nil, true, "", false},
		{"unknown branch", "whatever.cluster.local.", A, NXDOMAIN, nil, nil, true, "", false},
		{"too deep", "a.b.kubernetes.default.svc.cluster.local.", A, NXDOMAIN, nil, nil, true, "", false},
		{"outside the zone", "example.com.", A, NOERROR, nil, nil, false, "", true},
	}
	z, v := testZone(), newView(specObjects()...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := z.resolve(v, tt.qname, tt.qtype)
			if r.notOurs != tt.notOurs {
				t.Fatalf("notOurs = %v, want %v", r.notOurs, tt.notOurs)
			}
			if tt.notOurs {
				return
			}
			if r.rcode != tt.rcode {
				t.Errorf("rcode = %s, want %s", mdns.RcodeToString[r.rcode], mdns.RcodeToString[tt.rcode])
			}
			if diff := cmp.Diff(tt.answer, rrs(r.answer)); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.extra, rrs(r.extra)); diff != "" {
				t.Errorf("extra (-want +got):\n%s", diff)
			}
			var wantNS []string
			if tt.negSOA {
				wantNS = []string{soa}
			}
			if diff := cmp.Diff(wantNS, rrs(r.ns)); diff != "" {
				t.Errorf("authority (-want +got):\n%s", diff)
			}
			if r.chase != tt.chase {
				t.Errorf("chase = %q, want %q", r.chase, tt.chase)
			}
		})
	}
}

func TestResolvePodModes(t *testing.T) {
	v := newView(testPod("default", "web", "10.42.0.7"))
	tests := []struct {
		mode  PodRecords
		qname string
		rcode int
	}{
		{PodsInsecure, "10-1-2-3.default.pod.cluster.local.", mdns.RcodeSuccess},
		{PodsVerified, "10-42-0-7.default.pod.cluster.local.", mdns.RcodeSuccess},
		{PodsVerified, "10-42-0-7.other.pod.cluster.local.", mdns.RcodeNameError},
		{PodsVerified, "10-1-2-3.default.pod.cluster.local.", mdns.RcodeNameError},
		{PodsDisabled, "10-42-0-7.default.pod.cluster.local.", mdns.RcodeNameError},
	}
	for _, tt := range tests {
		z := testZone()
		z.pods = tt.mode
		if r := z.resolve(v, tt.qname, mdns.TypeA); r.rcode != tt.rcode {
			t.Errorf("mode %d %s: rcode %s, want %s", tt.mode, tt.qname, mdns.RcodeToString[r.rcode], mdns.RcodeToString[tt.rcode])
		}
	}
}

func TestResolvePublishNotReady(t *testing.T) {
	s := svc("default", "db", "None")
	s.Spec.PublishNotReadyAddresses = true
	v := newView(s, slice("default", "db", "db-a", nil, ep{ip: "10.42.0.1", host: "db-0", notReady: true}))
	r := testZone().resolve(v, "db-0.db.default.svc.cluster.local.", mdns.TypeA)
	if diff := cmp.Diff([]string{"db-0.db.default.svc.cluster.local. 5 IN A 10.42.0.1"}, rrs(r.answer)); diff != "" {
		t.Errorf("publishNotReadyAddresses (-want +got):\n%s", diff)
	}
}

func TestResolveOtherZone(t *testing.T) {
	z := testZone()
	z.zone = "k8s.example."
	v := newView(specObjects()...)
	if r := z.resolve(v, "kubernetes.default.svc.k8s.example.", mdns.TypeA); len(r.answer) != 1 {
		t.Errorf("custom zone: %v", rrs(r.answer))
	}
	if r := z.resolve(v, "kubernetes.default.svc.cluster.local.", mdns.TypeA); !r.notOurs {
		t.Errorf("cluster.local is outside zone k8s.example")
	}
}
