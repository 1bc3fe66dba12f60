package dns

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	mdns "github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// fakeUpstream is a recursive server stand-in on 127.0.0.1.
type fakeUpstream struct {
	addr string
	mu   sync.Mutex
	hits map[string]int
}

func startUpstream(t *testing.T) *fakeUpstream {
	t.Helper()
	u := &fakeUpstream{hits: map[string]int{}}
	pc, ln, err := listenBoth("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u.addr = pc.LocalAddr().String()
	records := map[string][]string{
		"example.com.":         {"example.com. 60 IN A 93.184.216.34"},
		"www.example.com.":     {"www.example.com. 60 IN A 192.0.2.80"},
		"search.corp.example.": {"search.corp.example. 60 IN A 192.0.2.99"},
	}
	h := mdns.HandlerFunc(func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(r)
		name := canonical(r.Question[0].Name)
		u.mu.Lock()
		u.hits[name]++
		u.mu.Unlock()
		if rs, ok := records[name]; ok && r.Question[0].Qtype == mdns.TypeA {
			for _, s := range rs {
				m.Answer = append(m.Answer, mustRR(s))
			}
		} else if !ok {
			m.Rcode = mdns.RcodeNameError
			m.Ns = append(m.Ns, mustRR(". 60 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 60"))
		}
		_ = w.WriteMsg(m)
	})
	servers := []*mdns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}}
	for _, s := range servers {
		go func() { _ = s.ActivateAndServe() }()
	}
	t.Cleanup(func() {
		for _, s := range servers {
			_ = s.Shutdown()
		}
	})
	return u
}

func (u *fakeUpstream) count(name string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.hits[name]
}

// bigService is a headless Service with n ready endpoints.
func bigService(n int) []runtime.Object {
	var eps []ep
	for i := range n {
		eps = append(eps, ep{ip: fmt.Sprintf("10.44.%d.%d", i/200, i%200+1)})
	}
	return []runtime.Object{svc("default", "big", corev1.ClusterIPNone), slice("default", "big", "big-a", nil, eps...)}
}

type testServer struct {
	*Server
	client *fake.Clientset
	addr   string
}

func startServer(t testing.TB, upstream string, mutate func(*Config)) *testServer {
	t.Helper()
	objs := append(specObjects(), bigService(100)...)
	client := fake.NewClientset(objs...)
	rc := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(rc, []byte("nameserver 127.0.0.1\nsearch corp.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Listen:     []string{"127.0.0.1:0"},
		Client:     client,
		ResolvConf: rc,
		Upstreams:  []string{upstream},
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-s.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !s.HasSynced() {
		if time.Now().After(deadline) {
			t.Fatal("caches never synced")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return &testServer{Server: s, client: client, addr: s.Addrs()[0].String()}
}

// ask sends one question over network ("udp" or "tcp"); edns > 0 adds an
// OPT record with that buffer size.
func ask(t *testing.T, addr, network, name string, qtype uint16, edns uint16) *mdns.Msg {
	t.Helper()
	req := new(mdns.Msg)
	req.SetQuestion(name, qtype)
	if edns > 0 {
		req.SetEdns0(edns, false)
	}
	c := &mdns.Client{Net: network, Timeout: 5 * time.Second}
	if edns > 0 {
		c.UDPSize = edns
	}
	m, _, err := c.Exchange(req, addr)
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, name, mdns.TypeToString[qtype], err)
	}
	return m
}

func TestServerSpecExamples(t *testing.T) {
	up := startUpstream(t)
	s := startServer(t, up.addr, nil)
	tests := []struct {
		name   string
		qname  string
		qtype  uint16
		rcode  int
		aa     bool
		answer []string
		negSOA bool
	}{
		{"schema", "dns-version.cluster.local.", mdns.TypeTXT, mdns.RcodeSuccess, true, []string{`dns-version.cluster.local. 5 IN TXT "1.0.1"`}, false},
		{"A", "kubernetes.default.svc.cluster.local.", mdns.TypeA, mdns.RcodeSuccess, true, []string{"kubernetes.default.svc.cluster.local. 5 IN A 10.3.0.1"}, false},
		{"A, mixed case", "KUBERNETES.default.SVC.cluster.local.", mdns.TypeA, mdns.RcodeSuccess, true, []string{"KUBERNETES.default.SVC.cluster.local. 5 IN A 10.3.0.1"}, false},
		{"SRV", "_https._tcp.kubernetes.default.svc.cluster.local.", mdns.TypeSRV, mdns.RcodeSuccess, true,
			[]string{"_https._tcp.kubernetes.default.svc.cluster.local. 5 IN SRV 0 100 443 kubernetes.default.svc.cluster.local."}, false},
		{"PTR", "1.0.3.10.in-addr.arpa.", mdns.TypePTR, mdns.RcodeSuccess, true, []string{"1.0.3.10.in-addr.arpa. 5 IN PTR kubernetes.default.svc.cluster.local."}, false},
		{"headless A", "headless.default.svc.cluster.local.", mdns.TypeA, mdns.RcodeSuccess, true, []string{
			"headless.default.svc.cluster.local. 5 IN A 10.3.0.3",
			"headless.default.svc.cluster.local. 5 IN A 10.3.0.100",
			"headless.default.svc.cluster.local. 5 IN A 10.3.0.101",
		}, false},
		{"hostname A", "my-pet.headless.default.svc.cluster.local.", mdns.TypeA, mdns.RcodeSuccess, true, []string{"my-pet.headless.default.svc.cluster.local. 5 IN A 10.3.0.100"}, false},
		{"headless SRV", "_https._tcp.headless.default.svc.cluster.local.", mdns.TypeSRV, mdns.RcodeSuccess, true, []string{
			"_https._tcp.headless.default.svc.cluster.local. 5 IN SRV 0 100 8443 10-3-0-3.headless.default.svc.cluster.local.",
			"_https._tcp.headless.default.svc.cluster.local. 5 IN SRV 0 100 8443 my-pet.headless.default.svc.cluster.local.",
			"_https._tcp.headless.default.svc.cluster.local. 5 IN SRV 0 100 8443 my-pet-2.headless.default.svc.cluster.local.",
		}, false},
		{"headless PTR", "100.0.3.10.in-addr.arpa.", mdns.TypePTR, mdns.RcodeSuccess, true, []string{"100.0.3.10.in-addr.arpa. 5 IN PTR my-pet.headless.default.svc.cluster.local."}, false},
		{"ExternalName", "foo.default.svc.cluster.local.", mdns.TypeA, mdns.RcodeSuccess, true, []string{
			"foo.default.svc.cluster.local. 5 IN CNAME www.example.com.",
			"www.example.com. 60 IN A 192.0.2.80",
		}, false},
		{"pod", "10-3-0-9.default.pod.cluster.local.", mdns.TypeA, mdns.RcodeSuccess, true, []string{"10-3-0-9.default.pod.cluster.local. 5 IN A 10.3.0.9"}, false},
		{"NXDOMAIN", "missing.default.svc.cluster.local.", mdns.TypeA, mdns.RcodeNameError, true, nil, true},
		{"NODATA", "kubernetes.default.svc.cluster.local.", mdns.TypeAAAA, mdns.RcodeSuccess, true, nil, true},
		{"headless without endpoints", "empty.default.svc.cluster.local.", mdns.TypeA, mdns.RcodeNameError, true, nil, true},
		{"forwarded", "example.com.", mdns.TypeA, mdns.RcodeSuccess, false, []string{"example.com. 60 IN A 93.184.216.34"}, false},
		{"forwarded NXDOMAIN", "nonexistent.example.", mdns.TypeA, mdns.RcodeNameError, false, nil, false},
		{"autopath to a service", "kubernetes.default.svc.cluster.local.default.svc.cluster.local.", mdns.TypeA, mdns.RcodeSuccess, true, []string{
			"kubernetes.default.svc.cluster.local.default.svc.cluster.local. 5 IN CNAME kubernetes.default.svc.cluster.local.",
			"kubernetes.default.svc.cluster.local. 5 IN A 10.3.0.1",
		}, false},
		{"autopath to an external name", "example.com.default.svc.cluster.local.", mdns.TypeA, mdns.RcodeSuccess, false, []string{
			"example.com.default.svc.cluster.local. 5 IN CNAME example.com.",
			"example.com. 60 IN A 93.184.216.34",
		}, false},
		{"autopath through the node's search domains", "search.default.svc.cluster.local.", mdns.TypeA, mdns.RcodeSuccess, false, []string{
			"search.default.svc.cluster.local. 5 IN CNAME search.corp.example.",
			"search.corp.example. 60 IN A 192.0.2.99",
		}, false},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, tt := range tests {
			t.Run(network+"/"+tt.name, func(t *testing.T) {
				m := ask(t, s.addr, network, tt.qname, tt.qtype, 0)
				if m.Rcode != tt.rcode {
					t.Errorf("rcode %s, want %s", mdns.RcodeToString[m.Rcode], mdns.RcodeToString[tt.rcode])
				}
				if m.Authoritative != tt.aa {
					t.Errorf("AA = %v, want %v", m.Authoritative, tt.aa)
				}
				if !m.RecursionAvailable || m.Truncated {
					t.Errorf("RA %v TC %v", m.RecursionAvailable, m.Truncated)
				}
				got := rrs(m.Answer)
				if strings.HasPrefix(tt.name, "forwarded") || strings.Contains(tt.name, "external") || strings.Contains(tt.name, "search") || tt.name == "ExternalName" {
					got = ignoreUpstreamTTL(got)
				}
				if diff := cmp.Diff(tt.answer, got); diff != "" {
					t.Errorf("answer (-want +got):\n%s", diff)
				}
				if tt.negSOA && (len(m.Ns) != 1 || m.Ns[0].Header().Rrtype != mdns.TypeSOA || m.Ns[0].Header().Name != "cluster.local.") {
					t.Errorf("authority %v, want the zone's SOA", m.Ns)
				}
			})
		}
	}
}

// ignoreUpstreamTTL puts back the fake upstream's TTL on records a cache hit
// has aged.
func ignoreUpstreamTTL(rrs []string) []string {
	if len(rrs) == 0 {
		return nil
	}
	out := make([]string, len(rrs))
	for i, s := range rrs {
		f := strings.Fields(s)
		if len(f) > 1 && !strings.HasSuffix(f[0], "cluster.local.") {
			f[1] = "60"
		}
		out[i] = strings.Join(f, " ")
	}
	return out
}

func TestServerTruncation(t *testing.T) {
	up := startUpstream(t)
	s := startServer(t, up.addr, nil)
	const name = "big.default.svc.cluster.local."
	m := ask(t, s.addr, "udp", name, mdns.TypeA, 0)
	m.Compress = true // as sent
	if !m.Truncated || len(m.Answer) >= 100 || m.Len() > mdns.MinMsgSize {
		t.Errorf("UDP without EDNS: TC %v, %d answers, %d bytes", m.Truncated, len(m.Answer), m.Len())
	}
	m = ask(t, s.addr, "tcp", name, mdns.TypeA, 0)
	if m.Truncated || len(m.Answer) != 100 {
		t.Errorf("TCP: TC %v, %d answers", m.Truncated, len(m.Answer))
	}
	m = ask(t, s.addr, "udp", name, mdns.TypeA, 4096)
	if m.Truncated || len(m.Answer) != 100 || m.IsEdns0() == nil {
		t.Errorf("UDP with EDNS 4096: TC %v, %d answers, OPT %v", m.Truncated, len(m.Answer), m.IsEdns0())
	}
	m = ask(t, s.addr, "udp", name, mdns.TypeA, 1232)
	m.Compress = true
	if !m.Truncated || m.Len() > 1232 {
		t.Errorf("UDP with EDNS 1232: TC %v, %d bytes", m.Truncated, m.Len())
	}
}

func TestServerForwardCache(t *testing.T) {
	up := startUpstream(t)
	s := startServer(t, up.addr, nil)
	for range 3 {
		if m := ask(t, s.addr, "udp", "www.example.com.", mdns.TypeA, 0); len(m.Answer) != 1 {
			t.Fatalf("answer %v", m.Answer)
		}
	}
	if n := up.count("www.example.com."); n != 1 {
		t.Errorf("upstream asked %d times, want 1 (cached)", n)
	}
	// Denials are cached too (upstream SOA minimum 60s, capped at 5s).
	for range 2 {
		ask(t, s.addr, "udp", "nothing.example.", mdns.TypeA, 0)
	}
	if n := up.count("nothing.example."); n != 1 {
		t.Errorf("upstream asked %d times for a denial, want 1", n)
	}
}

func TestServerFollowsTheCluster(t *testing.T) {
	up := startUpstream(t)
	s := startServer(t, up.addr, nil)
	ctx := context.Background()
	if _, err := s.client.CoreV1().Services("default").Create(ctx, svc("default", "late", "10.3.0.42"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := ask(t, s.addr, "udp", "late.default.svc.cluster.local.", mdns.TypeA, 0)
		if len(m.Answer) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("new service never resolved: %v", m)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.client.CoreV1().Services("default").Delete(ctx, "late", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		m := ask(t, s.addr, "udp", "late.default.svc.cluster.local.", mdns.TypeA, 0)
		if m.Rcode == mdns.RcodeNameError {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deleted service still resolves: %v", m)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServerAutoPathOnlyForKnownPods(t *testing.T) {
	up := startUpstream(t)
	s := startServer(t, up.addr, func(c *Config) { c.WatchPods = true })
	const q = "kubernetes.default.svc.cluster.local.default.svc.cluster.local."
	if m := ask(t, s.addr, "udp", q, mdns.TypeA, 0); m.Rcode != mdns.RcodeNameError {
		t.Errorf("client is no pod, yet: %s %v", mdns.RcodeToString[m.Rcode], m.Answer)
	}
	// The test client (127.0.0.1) becomes a pod of namespace default.
	if _, err := s.client.CoreV1().Pods("default").Create(context.Background(), testPod("default", "client", "127.0.0.1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := ask(t, s.addr, "udp", q, mdns.TypeA, 0)
		if m.Rcode == mdns.RcodeSuccess && len(m.Answer) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no autopath for a pod client: %v", m)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Other namespaces' first search domain is not this pod's.
	if m := ask(t, s.addr, "udp", "kubernetes.default.svc.cluster.local.other.svc.cluster.local.", mdns.TypeA, 0); m.Rcode != mdns.RcodeNameError {
		t.Errorf("autopath for a namespace the client is not in: %v", m.Answer)
	}
}

func TestServerWithoutUpstream(t *testing.T) {
	s := startServer(t, "", func(c *Config) { c.Upstreams, c.ResolvConf = nil, "" })
	if m := ask(t, s.addr, "udp", "example.com.", mdns.TypeA, 0); m.Rcode != mdns.RcodeRefused {
		t.Errorf("rcode %s, want REFUSED", mdns.RcodeToString[m.Rcode])
	}
	if m := ask(t, s.addr, "udp", "kubernetes.default.svc.cluster.local.", mdns.TypeA, 0); len(m.Answer) != 1 {
		t.Errorf("cluster names need no upstream: %v", m)
	}
}

func TestServerMetrics(t *testing.T) {
	up := startUpstream(t)
	s := startServer(t, up.addr, nil)
	ask(t, s.addr, "udp", "kubernetes.default.svc.cluster.local.", mdns.TypeA, 0)
	ask(t, s.addr, "tcp", "missing.default.svc.cluster.local.", mdns.TypeA, 0)
	ask(t, s.addr, "udp", "big.default.svc.cluster.local.", mdns.TypeA, 0)
	rec := httptest.NewRecorder()
	s.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`berth_dns_responses_total{rcode="NOERROR",type="A"}`,
		`berth_dns_responses_total{rcode="NXDOMAIN",type="A"} 1`,
		`berth_dns_request_duration_seconds_count{proto="tcp"} 1`,
		`berth_dns_truncated_responses_total 1`,
		`berth_dns_forward_requests_total{rcode="NXDOMAIN"}`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	client := fake.NewClientset()
	bad := []Config{
		{Client: client},
		{Listen: []string{"127.0.0.1:0"}},
		{Listen: []string{"127.0.0.1:0"}, Client: client, PodRecords: PodsVerified},
		{Listen: []string{"127.0.0.1:0"}, Client: client, Upstreams: []string{"not an address"}},
		{Listen: []string{"127.0.0.1:0"}, Client: client, ResolvConf: "/nonexistent/resolv.conf"},
	}
	for i, cfg := range bad {
		if _, err := New(cfg); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
	if _, err := New(Config{Listen: []string{"127.0.0.1:0"}, Client: client}); err != nil {
		t.Errorf("minimal config: %v", err)
	}
}
