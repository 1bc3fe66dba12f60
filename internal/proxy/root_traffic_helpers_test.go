package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/network"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// testCluster is one node namespace built by the real pod network
// (internal/network: bridge berth0, veth per pod), pods with HTTP servers
// answering their name, a client pod, and an "outside" namespace linked
// to the node by a veth (for NodePorts).
type testCluster struct {
	node    string // node netns path
	nodeIP  netip4
	outside string             // netns path of a host outside the cluster
	pods    map[string]testPod // by name
	source  *staticSource
	backend *nftBackend
	proxier *Proxier
}

type netip4 = string

type testPod struct {
	Name string
	IP   string
	NS   string
}

// staticSource is a Source the test edits.
type staticSource struct {
	mu       sync.Mutex
	services []*corev1.Service
	slices   []*discoveryv1.EndpointSlice
}

func (s *staticSource) Services() []*corev1.Service {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.services
}

func (s *staticSource) EndpointSlices() []*discoveryv1.EndpointSlice {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slices
}

func (s *staticSource) set(svcs []*corev1.Service, slices []*discoveryv1.EndpointSlice) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services, s.slices = svcs, slices
}

const (
	testPodCIDR = "10.42.0.0/24"
	testNodeIP  = "172.31.250.1"
	testOutIP   = "172.31.250.2"
)

// newTestCluster builds the namespaces; servers lists the pods that run an
// HTTP server on :8080; "client" is always added without one.
func newTestCluster(t *testing.T, servers ...string) *testCluster {
	t.Helper()
	needRootNft(t)
	dir := t.TempDir()
	c := &testCluster{node: newNetNS(t, "node"), outside: newNetNS(t, "outside"), nodeIP: testNodeIP, pods: map[string]testPod{}}
	cfg := network.NodeConfig{
		NodeNetNS: c.node,
		PodCIDR:   mustCIDR(t, testPodCIDR),
		NetNSDir:  filepath.Join(dir, "netns"),
		IPAMDir:   filepath.Join(dir, "ipam"),
	}
	if err := network.EnsureNode(cfg); err != nil {
		t.Fatalf("EnsureNode: %v", err)
	}
	for _, name := range append(servers, "client") {
		st, err := network.SetupPod(cfg, network.PodNetwork{SandboxID: "sb" + name, Namespace: "test", Name: name})
		if err != nil {
			t.Fatalf("SetupPod %s: %v", name, err)
		}
		t.Cleanup(func() {
			if err := network.TeardownPod(cfg, "sb"+name); err != nil {
				t.Errorf("teardown %s: %v", name, err)
			}
		})
		c.pods[name] = testPod{Name: name, IP: st.IP.String(), NS: st.NetNSPath}
	}
	for _, name := range servers {
		serveName(t, c.pods[name])
	}
	c.linkOutside(t)
	// Bridged replies must pass netfilter to be un-NATed (the network
	// package sets this when br_netfilter is there; make sure).
	runIn(t, c.node, "sh", "-c", "test ! -e /proc/sys/net/bridge/bridge-nf-call-iptables || echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables")

	c.source = &staticSource{}
	c.backend = &nftBackend{nsPath: c.node}
	node := NodeInfo{
		Name:        "node-a",
		PodCIDR:     mustPrefix(t, testPodCIDR),
		ClusterCIDR: mustPrefix(t, "10.42.0.0/16"),
	}
	p, err := newProxier(node, Options{NetNSPath: c.node}.withDefaults(), c.source, c.backend)
	if err != nil {
		t.Fatal(err)
	}
	c.proxier = p
	return c
}

// linkOutside joins the outside namespace to the node by a veth pair.
func (c *testCluster) linkOutside(t *testing.T) {
	t.Helper()
	nodeNS, err := netns.GetFromPath(c.node)
	if err != nil {
		t.Fatal(err)
	}
	defer nodeNS.Close()
	outNS, err := netns.GetFromPath(c.outside)
	if err != nil {
		t.Fatal(err)
	}
	defer outNS.Close()
	h, err := netlink.NewHandleAt(nodeNS)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "ext0"}, PeerName: "out0", PeerNamespace: netlink.NsFd(outNS)}
	if err := h.LinkAdd(veth); err != nil {
		t.Fatalf("veth: %v", err)
	}
	runIn(t, c.node, "ip", "addr", "add", testNodeIP+"/24", "dev", "ext0")
	runIn(t, c.node, "ip", "link", "set", "ext0", "up")
	runIn(t, c.outside, "ip", "addr", "add", testOutIP+"/24", "dev", "out0")
	runIn(t, c.outside, "ip", "link", "set", "out0", "up")
	runIn(t, c.outside, "ip", "link", "set", "lo", "up")
	// Like a real node, the node has a default route; without one,
	// traffic to a ClusterIP that is not DNATed is unroutable (ICMP net
	// unreachable) before the filter hooks could reject it.
	runIn(t, c.node, "ip", "route", "add", "default", "via", testOutIP)
}

// serveName runs an HTTP server on :8080 inside the pod that answers with
// the pod's name. The listening socket is made inside the namespace; the
// server goroutines may then run anywhere.
func serveName(t *testing.T, p testPod) {
	t.Helper()
	var l net.Listener
	if err := inNetNS(p.NS, func() (err error) {
		l, err = net.Listen("tcp", ":8080")
		return err
	}); err != nil {
		t.Fatalf("listen in %s: %v", p.Name, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, p.Name)
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

// dialIn connects from inside the namespace at ns.
func dialIn(ns, addr string, timeout time.Duration) (net.Conn, error) {
	var conn net.Conn
	err := inNetNS(ns, func() (err error) {
		conn, err = net.DialTimeout("tcp", addr, timeout)
		return err
	})
	return conn, err
}

// get does one HTTP request on a new connection from inside ns and returns
// the body (the name of the pod that answered).
func get(ns, addr string) (string, error) {
	client := &http.Client{
		Timeout: 3 * time.Second,
		Transport: &http.Transport{
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, _, a string) (net.Conn, error) {
				return dialIn(ns, a, 2*time.Second)
			},
		},
	}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	return string(b), nil
}

// getN does n requests and returns who answered, in order.
func getN(t *testing.T, ns, addr string, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		name, err := get(ns, addr)
		if err != nil {
			t.Fatalf("request %d to %s: %v", i, addr, err)
		}
		out = append(out, name)
	}
	return out
}

func counts(names []string) map[string]int {
	m := map[string]int{}
	for _, n := range names {
		m[n]++
	}
	return m
}

func (c *testCluster) sync(t *testing.T) {
	t.Helper()
	if err := c.proxier.SyncNow(); err != nil {
		t.Fatalf("sync: %v", err)
	}
}

func isRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && errors.Is(err, errConnRefused)
}

var errConnRefused = syscallECONNREFUSED

func mustCIDR(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// expectAlternating does n requests (n even) and wants the two pods to
// answer strictly in turn (round-robin over two endpoints).
func expectAlternating(t *testing.T, ns, addr string, n int) {
	t.Helper()
	got := getN(t, ns, addr, n)
	if c := counts(got); c["pod-a"] != n/2 || c["pod-b"] != n/2 {
		t.Fatalf("%d requests: %v, want %d each (%v)", n, c, n/2, got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Fatalf("request %d went to %s again; round-robin must alternate: %v", i, got[i], got)
		}
	}
}

// expectSpread does n requests and wants both pods, none above max.
func expectSpread(t *testing.T, ns, addr string, n, max int) {
	t.Helper()
	c := counts(getN(t, ns, addr, n))
	if c["pod-a"]+c["pod-b"] != n || c["pod-a"] == 0 || c["pod-b"] == 0 || c["pod-a"] > max || c["pod-b"] > max {
		t.Fatalf("%d requests to %s: %v, want both pods and none above %d", n, addr, c, max)
	}
	t.Logf("%s: %v", addr, c)
}

// expectRefusedAtOnce wants every address to refuse a connection within
// 100ms (Services without endpoints, undefined ClusterIP ports).
func expectRefusedAtOnce(t *testing.T, ns string, addrs ...string) {
	t.Helper()
	for _, addr := range addrs {
		start := time.Now()
		conn, err := dialIn(ns, addr, 2*time.Second)
		took := time.Since(start)
		if err == nil {
			conn.Close()
			t.Fatalf("%s: connected, want refused", addr)
		}
		if !isRefused(err) || took > 100*time.Millisecond {
			t.Fatalf("%s: %v after %v, want connection refused within 100ms", addr, err, took)
		}
	}
}
