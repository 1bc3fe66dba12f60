package network

import (
	"net"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

const hostsHeader = "# Kubernetes-managed hosts file.\n" +
	"127.0.0.1\tlocalhost\n" +
	"::1\tlocalhost ip6-localhost ip6-loopback\n" +
	"fe00::0\tip6-localnet\n" +
	"fe00::0\tip6-mcastprefix\n" +
	"fe00::1\tip6-allnodes\n" +
	"fe00::2\tip6-allrouters\n"

func boolp(b bool) *bool { return &b }

func TestPodHostname(t *testing.T) {
	long := strings.Repeat("a", 62) + "-b" // 64 chars; cut at 63 leaves a trailing '-'
	tests := []struct {
		name         string
		pod          *corev1.Pod
		host, domain string
		kernel       string
		kernelErr    bool
	}{
		{name: "pod name", pod: podWith("ns", nil), host: "web-0", kernel: "web-0"},
		{name: "spec.hostname", pod: podWith("ns", func(s *corev1.PodSpec) { s.Hostname = "db" }), host: "db", kernel: "db"},
		{
			name:   "subdomain",
			pod:    podWith("ns", func(s *corev1.PodSpec) { s.Hostname = "db"; s.Subdomain = "sub" }),
			host:   "db",
			domain: "sub.ns.svc.cluster.local",
			kernel: "db",
		},
		{
			name:   "setHostnameAsFQDN",
			pod:    podWith("ns", func(s *corev1.PodSpec) { s.Hostname = "db"; s.Subdomain = "sub"; s.SetHostnameAsFQDN = boolp(true) }),
			host:   "db",
			domain: "sub.ns.svc.cluster.local",
			kernel: "db.sub.ns.svc.cluster.local",
		},
		{name: "setHostnameAsFQDN without subdomain", pod: podWith("ns", func(s *corev1.PodSpec) { s.SetHostnameAsFQDN = boolp(true) }), host: "web-0", kernel: "web-0"},
		{
			name: "FQDN too long for the kernel",
			pod: podWith("ns", func(s *corev1.PodSpec) {
				s.Hostname = strings.Repeat("h", 40)
				s.Subdomain = "sub"
				s.SetHostnameAsFQDN = boolp(true)
			}),
			host:      strings.Repeat("h", 40),
			domain:    "sub.ns.svc.cluster.local",
			kernelErr: true,
		},
		{name: "truncated to 63 without trailing dash", pod: podWith("ns", func(s *corev1.PodSpec) { s.Hostname = long }), host: strings.Repeat("a", 62), kernel: strings.Repeat("a", 62)},
		{
			name: "hostnameOverride wins and has no domain",
			pod: podWith("ns", func(s *corev1.PodSpec) {
				s.Hostname = "db"
				s.Subdomain = "sub"
				s.HostnameOverride = strp("www.example.com")
			}),
			host:   "www.example.com",
			kernel: "www.example.com",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, domain := PodHostname(tt.pod, "cluster.local")
			if host != tt.host || domain != tt.domain {
				t.Fatalf("PodHostname = %q, %q; want %q, %q", host, domain, tt.host, tt.domain)
			}
			k, err := KernelHostname(tt.pod, "cluster.local")
			if tt.kernelErr {
				if err == nil {
					t.Fatalf("want error, got %q", k)
				}
				return
			}
			if err != nil || k != tt.kernel {
				t.Fatalf("KernelHostname = %q, %v; want %q", k, err, tt.kernel)
			}
		})
	}
}

func TestEtcHosts(t *testing.T) {
	ip := net.ParseIP("10.42.0.7")
	tests := []struct {
		name string
		pod  *corev1.Pod
		ips  []net.IP
		want string
	}{
		{
			name: "plain pod",
			pod:  podWith("ns", nil),
			ips:  []net.IP{ip},
			want: hostsHeader + "10.42.0.7\tweb-0\n",
		},
		{
			name: "hostname and subdomain",
			pod:  podWith("ns", func(s *corev1.PodSpec) { s.Hostname = "db-1"; s.Subdomain = "db" }),
			ips:  []net.IP{ip},
			want: hostsHeader + "10.42.0.7\tdb-1.db.ns.svc.cluster.local\tdb-1\n",
		},
		{
			name: "dual-stack: one line per IP",
			pod:  podWith("ns", nil),
			ips:  []net.IP{ip, net.ParseIP("fd00::7")},
			want: hostsHeader + "10.42.0.7\tweb-0\nfd00::7\tweb-0\n",
		},
		{
			name: "hostAliases",
			pod: podWith("ns", func(s *corev1.PodSpec) {
				s.HostAliases = []corev1.HostAlias{
					{IP: "127.0.0.1", Hostnames: []string{"foo.local", "bar.local"}},
					{IP: "10.1.2.3", Hostnames: []string{"foo.remote"}},
				}
			}),
			ips: []net.IP{ip},
			want: hostsHeader + "10.42.0.7\tweb-0\n" +
				"\n# Entries added by HostAliases.\n" +
				"127.0.0.1\tfoo.local\tbar.local\n" +
				"10.1.2.3\tfoo.remote\n",
		},
		{
			name: "no IP yet",
			pod:  podWith("ns", nil),
			want: hostsHeader,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(EtcHosts(tt.pod, tt.ips, "cluster.local")); got != tt.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestEtcHostsHostNetwork(t *testing.T) {
	node := []byte("127.0.0.1 localhost\n192.168.1.5 node-1\n")
	pod := podWith("ns", func(s *corev1.PodSpec) {
		s.HostNetwork = true
		s.HostAliases = []corev1.HostAlias{{IP: "10.1.2.3", Hostnames: []string{"x"}}}
	})
	want := "# Kubernetes-managed hosts file (host network).\n" +
		"127.0.0.1 localhost\n192.168.1.5 node-1\n" +
		"\n# Entries added by HostAliases.\n10.1.2.3\tx\n"
	if got := string(EtcHostsHostNetwork(pod, node)); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}
