package proxy

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

var iptHashName = regexp.MustCompile(`BERTH-(SVC|LOCAL|EXT|SEP|FW)-[A-Z2-7]{16}`)

// iptText renders the iptables chains one rule per line, "table CHAIN:
// rule", with the hashed names numbered in order of appearance
// (BERTH-SEP-1, …) so the expectations can be read.
func iptText(rs *Ruleset) string {
	var b strings.Builder
	for _, c := range rs.IPTables {
		if iptFixed[c.Name] {
			continue
		}
		if len(c.Rules) == 0 {
			fmt.Fprintf(&b, "%s %s: (empty)\n", c.Table, c.Name)
		}
		for _, r := range c.Rules {
			fmt.Fprintf(&b, "%s %s: %s\n", c.Table, c.Name, r)
		}
	}
	seen := map[string]string{}
	n := map[string]int{}
	return iptHashName.ReplaceAllStringFunc(b.String(), func(s string) string {
		if v, ok := seen[s]; ok {
			return v
		}
		kind := iptHashName.FindStringSubmatch(s)[1]
		n[kind]++
		seen[s] = fmt.Sprintf("BERTH-%s-%d", kind, n[kind])
		return seen[s]
	})
}

// iptFixed are the chains every iptables Ruleset has with the same rules
// (TestDesiredIPTablesSkeleton); iptText leaves them out.
var iptFixed = map[string]bool{iptReject: true, iptMarkMasq: true, iptPostrouting: true}

func TestDesiredIPTablesSkeleton(t *testing.T) {
	want := map[string][]string{
		iptReject:      {"-p tcp -j REJECT --reject-with tcp-reset", "-j REJECT --reject-with icmp-port-unreachable"},
		iptMarkMasq:    {"-j MARK --or-mark 0x4000"},
		iptPostrouting: {"-m mark ! --mark 0x4000/0x4000 -j RETURN", "-j MARK --xor-mark 0x4000", "-j MASQUERADE --random-fully"},
		iptServices:    {"-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j BERTH-NODEPORTS"},
		iptNodePorts:   nil,
		iptFilter:      nil,
	}
	got := map[string][]string{}
	for _, c := range DesiredIPTables(nil, nil, sampleNode(), Options{}).IPTables {
		got[c.Name] = c.Rules
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func TestDesiredIPTables(t *testing.T) {
	web := func(opts ...svcOpt) []*corev1.Service {
		return []*corev1.Service{service("ns", "web", "10.43.0.10", httpPorts, opts...)}
	}
	webSlice := func(eps ...ep) []*discoveryv1.EndpointSlice {
		return []*discoveryv1.EndpointSlice{slice("ns", "web", "web-abc", httpSlice, eps...)}
	}
	cases := []struct {
		name     string
		services []*corev1.Service
		slices   []*discoveryv1.EndpointSlice
		opts     Options
	}{
		{name: "clusterIP round-robin", services: web(), slices: webSlice(localEP, remoteEP)},
		{name: "node default random", services: web(), slices: webSlice(localEP, remoteEP, ep{ip: "10.42.0.8", node: "node-a"}), opts: Options{Balance: Random}},
		{name: "no endpoints: reject", services: web(nodePortType(30080))},
		{name: "session affinity", services: web(affinity(60)), slices: webSlice(localEP, remoteEP)},
		{name: "LoadBalancer with source ranges and NodePort", services: web(loadBalancer("203.0.113.7"), nodePortType(30080), sourceRangesOpt("192.0.2.0/24")), slices: webSlice(remoteEP)},
		{name: "externalTrafficPolicy Local without local endpoint", services: web(nodePortType(30080), etpLocal), slices: webSlice(remoteEP)},
		{name: "externalTrafficPolicy Local with a local endpoint", services: web(nodePortType(30080), etpLocal), slices: webSlice(localEP, remoteEP)},
		{name: "internalTrafficPolicy Local without local endpoint", services: web(itpLocal), slices: webSlice(remoteEP)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := iptText(DesiredIPTables(c.services, c.slices, sampleNode(), c.opts))
			want, ok := iptWant[c.name]
			if !ok {
				t.Fatalf("no expectation; got:\n%s", got)
			}
			if d := cmp.Diff(strings.TrimPrefix(want, "\n"), got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
