package proxy

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestDesired(t *testing.T) {
	for _, c := range desiredCases() {
		t.Run(c.name, func(t *testing.T) {
			node := sampleNode()
			if c.node != nil {
				c.node(&node)
			}
			want, ok := desiredWant[c.name]
			if !ok {
				t.Fatalf("no expectation for %q", c.name)
			}
			got := serviceText(Desired(c.services, c.slices, node, c.opts))
			if d := cmp.Diff(strings.TrimPrefix(want, "\n"), got); d != "" {
				t.Errorf("rules (-want +got):\n%s", d)
			}
		})
	}
}

const skeletonWant = `table ip berth-proxy {
	set cluster-ips {
		type ipv4_addr
		comment "allocated ClusterIPs: other ports are rejected"
	}
	map firewall-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "load-balancer IPs with loadBalancerSourceRanges to their firewall chain"
	}
	map no-endpoint-nodeports {
		type inet_proto . inet_service : verdict
		comment "NodePorts without usable endpoints: reject or drop"
	}
	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "service IPs without usable endpoints: reject or drop"
	}
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "ClusterIP, external IP and load-balancer IP to service chain"
	}
	map service-nodeports {
		type inet_proto . inet_service : verdict
		comment "NodePort on a local address to service chain"
	}
	chain cluster-ips-check {
		ip daddr @cluster-ips goto reject-chain
	}
	chain filter-forward {
		type filter hook forward priority -10; policy accept;
		ct state new jump service-endpoints-check
		ct state new jump cluster-ips-check
	}
	chain filter-input {
		type filter hook input priority -10; policy accept;
		ct state new jump service-endpoints-check
		ct state new jump nodeport-endpoints-check
	}
	chain filter-output {
		type filter hook output priority -10; policy accept;
		ct state new jump service-endpoints-check
		ct state new jump cluster-ips-check
		ct state new jump nodeport-endpoints-check
	}
	chain filter-output-pre-dnat {
		type filter hook output priority -110; policy accept;
		jump firewall-check
	}
	chain filter-prerouting-pre-dnat {
		type filter hook prerouting priority -110; policy accept;
		jump firewall-check
	}
	chain firewall-check {
		ip daddr . meta l4proto . th dport vmap @firewall-ips
	}
	chain mark-for-masquerade {
		meta mark set meta mark | 0x00000010
	}
	chain masquerading {
		meta mark & 0x00000010 == 0 return
		meta mark set meta mark ^ 0x00000010
		masquerade fully-random
	}
	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}
	chain nat-postrouting {
		type nat hook postrouting priority 100; policy accept;
		jump masquerading
	}
	chain nat-prerouting {
		type nat hook prerouting priority -100; policy accept;
		jump services
	}
	chain nodeport-endpoints-check {
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
	}
	chain reject-chain {
		meta l4proto tcp reject with tcp reset
		reject with icmp port-unreachable
	}
	chain service-endpoints-check {
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
	}
	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
	}
}
`

// TestDesiredSkeleton pins the whole text of a table without Services
// (with a non-default masquerade bit).
func TestDesiredSkeleton(t *testing.T) {
	got := Desired(nil, nil, sampleNode(), Options{MasqueradeBit: 0x10}).String()
	if d := cmp.Diff(skeletonWant, got); d != "" {
		t.Errorf("skeleton (-want +got):\n%s", d)
	}
}

// TestDesiredFullText pins the complete rendering of one Service, map
// elements included, so the nft(8) syntax of elements is covered too.
func TestDesiredFullText(t *testing.T) {
	svc := service("ns", "web", "10.43.0.10", httpPorts, nodePortType(30080))
	rs := Desired([]*corev1.Service{svc}, nil, sampleNode(), Options{})
	text := rs.String()
	for _, want := range []string{
		"\t\telements = {\n\t\t\t10.43.0.10 }\n",
		"\t\telements = {\n\t\t\ttcp . 30080 : goto reject-chain }\n",
		"\t\telements = {\n\t\t\t10.43.0.10 . tcp . 80 : goto reject-chain }\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("rendering lacks %q:\n%s", want, text)
		}
	}
}

// TestDesiredDeterministic: input order does not matter, and Desired does
// not modify its input.
func TestDesiredDeterministic(t *testing.T) {
	svcs, slices := sampleServices(), sampleSlices()
	want := Desired(svcs, slices, sampleNode(), Options{}).String()
	before := svcs[0].DeepCopy()
	for i := 0; i < 10; i++ {
		rand.Shuffle(len(svcs), func(a, b int) { svcs[a], svcs[b] = svcs[b], svcs[a] })
		rand.Shuffle(len(slices), func(a, b int) { slices[a], slices[b] = slices[b], slices[a] })
		if got := Desired(svcs, slices, sampleNode(), Options{}).String(); got != want {
			t.Fatalf("shuffled input gave a different table:\n%s", cmp.Diff(want, got))
		}
	}
	for _, s := range svcs {
		if s.Name == before.Name && !cmp.Equal(s, before) {
			t.Errorf("Desired modified its input")
		}
	}
}

func TestDesiredNamesAreValidNftIdentifiers(t *testing.T) {
	rs := Desired(sampleServices(), sampleSlices(), sampleNode(), Options{})
	for _, c := range rs.Chains {
		if !validIdentifier(c.Name) {
			t.Errorf("chain name %q is not an nft identifier", c.Name)
		}
	}
	for _, s := range rs.Sets {
		if !validIdentifier(s.Name) {
			t.Errorf("set name %q is not an nft identifier", s.Name)
		}
	}
}

// validIdentifier follows nft's scanner: a letter or '_', then letters,
// digits, '/', '\', '-', '_', '.'.
func validIdentifier(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(r >= '0' && r <= '9') && !strings.ContainsRune(`/\-_.`, r) {
			return false
		}
	}
	return true
}

func TestUsable(t *testing.T) {
	ap := func(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
	eps := []endpoint{
		{AddrPort: ap("10.0.0.1:80"), Ready: true, Serving: true, Local: false},
		{AddrPort: ap("10.0.0.2:80"), Serving: true, Terminating: true, Local: true},
		{AddrPort: ap("10.0.0.3:80"), Terminating: true, Local: true},
	}
	if got := usable(eps, false); !slices.Equal(got, []netip.AddrPort{ap("10.0.0.1:80")}) {
		t.Errorf("cluster: %v", got)
	}
	if got := usable(eps, true); !slices.Equal(got, []netip.AddrPort{ap("10.0.0.2:80")}) {
		t.Errorf("local falls back to serving terminating: %v", got)
	}
	if got := usable(eps[2:], false); got != nil {
		t.Errorf("not serving must not be used: %v", got)
	}
}
