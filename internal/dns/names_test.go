package dns

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLabelsIn(t *testing.T) {
	tests := []struct {
		name, zone string
		want       []string
		ok         bool
	}{
		{"cluster.local.", "cluster.local.", nil, true},
		{"a.b.svc.cluster.local.", "cluster.local.", []string{"a", "b", "svc"}, true},
		{"xcluster.local.", "cluster.local.", nil, false},
		{"example.com.", "cluster.local.", nil, false},
		{"a.b.", ".", []string{"a", "b"}, true},
	}
	for _, tt := range tests {
		got, ok := labelsIn(tt.name, tt.zone)
		if ok != tt.ok || !cmp.Equal(got, tt.want) {
			t.Errorf("labelsIn(%q, %q) = %v, %v; want %v, %v", tt.name, tt.zone, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReverseAddr(t *testing.T) {
	tests := []struct {
		name string
		want string // "" for no address
	}{
		{"1.0.3.10.in-addr.arpa.", "10.3.0.1"},
		{"0.0.0.0.in-addr.arpa.", "0.0.0.0"},
		{"1.0.3.in-addr.arpa.", ""},
		{"256.0.3.10.in-addr.arpa.", ""},
		{"01.0.3.10.in-addr.arpa.", ""},
		{"5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", "fd00::5"},
		{"b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa.", "4321:0:1:2:3:4:567:89ab"},
		{"x.0.ip6.arpa.", ""},
		{"example.com.", ""},
	}
	for _, tt := range tests {
		a, ok := reverseAddr(tt.name)
		got := ""
		if ok {
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("reverseAddr(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDashed(t *testing.T) {
	tests := []struct {
		ip, label string
	}{
		{"10.42.0.7", "10-42-0-7"},
		{"fd00::7", "fd00--7"},
		{"2001:db8::1:0:0:1", "2001-db8--1-0-0-1"},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.ip)
		if got := dashed(a); got != tt.label {
			t.Errorf("dashed(%s) = %q, want %q", tt.ip, got, tt.label)
		}
		if back, ok := undash(tt.label); !ok || back != a {
			t.Errorf("undash(%q) = %v, %v", tt.label, back, ok)
		}
	}
	for _, bad := range []string{"10-42-0", "10-42-0-256", "web", "1-2-3-4-5", "fe80--1%eth0", "1-2-3-4.5"} {
		if a, ok := undash(bad); ok {
			t.Errorf("undash(%q) = %v, want failure", bad, a)
		}
	}
	if a, ok := undash("FD00--7"); !ok || a.String() != "fd00::7" {
		t.Errorf("undash is not case-insensitive: %v %v", a, ok)
	}
}

func TestSearchCandidates(t *testing.T) {
	tests := []struct {
		qname  string
		search []string
		ns     string
		next   []string
		ok     bool
	}{
		{"nginx.default.svc.cluster.local.", nil, "default",
			[]string{"nginx.svc.cluster.local.", "nginx.cluster.local.", "nginx."}, true},
		{"nginx.default.svc.cluster.local.default.svc.cluster.local.", nil, "default",
			[]string{"nginx.default.svc.cluster.local.svc.cluster.local.", "nginx.default.svc.cluster.local.cluster.local.", "nginx.default.svc.cluster.local."}, true},
		{"example.com.team-a.svc.cluster.local.", []string{"corp.example.", "cluster.local."}, "team-a",
			[]string{"example.com.svc.cluster.local.", "example.com.cluster.local.", "example.com.corp.example.", "example.com."}, true},
		{"default.svc.cluster.local.", nil, "", nil, false},
		{"nginx.default.pod.cluster.local.", nil, "", nil, false},
		{"example.com.", nil, "", nil, false},
	}
	for _, tt := range tests {
		ns, next, ok := searchCandidates(tt.qname, "cluster.local.", tt.search)
		if ns != tt.ns || ok != tt.ok || !cmp.Equal(next, tt.next) {
			t.Errorf("searchCandidates(%q) = %q %v %v; want %q %v %v", tt.qname, ns, next, ok, tt.ns, tt.next, tt.ok)
		}
	}
}

func TestParseResolvConf(t *testing.T) {
	rc := parseResolvConf([]byte(`# comment
nameserver 192.0.2.53
nameserver 2001:db8::53 ; trailing
nameserver not-an-ip
domain old.example
search corp.example. Lab.Example
options ndots:2
`))
	if diff := cmp.Diff([]string{"192.0.2.53:53", "[2001:db8::53]:53"}, rc.servers); diff != "" {
		t.Errorf("servers: %s", diff)
	}
	if diff := cmp.Diff([]string{"corp.example.", "lab.example."}, rc.search); diff != "" {
		t.Errorf("search: %s", diff)
	}
	for in, want := range map[string]string{"192.0.2.1": "192.0.2.1:53", "127.0.0.1:5353": "127.0.0.1:5353", "[::1]:53": "[::1]:53"} {
		if got, ok := upstreamAddr(in); !ok || got != want {
			t.Errorf("upstreamAddr(%q) = %q, %v", in, got, ok)
		}
	}
	if got := withoutSelf([]string{"10.43.0.10:53", "192.0.2.53:53"}, []string{"10.43.0.10:53"}); !cmp.Equal(got, []string{"192.0.2.53:53"}) {
		t.Errorf("withoutSelf = %v", got)
	}
}
