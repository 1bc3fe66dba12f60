package network

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Helpers for the root tests. Every test builds its own "node" network
// namespace and works only inside it and inside the pod namespaces it makes;
// the host namespace is only ever read (to prove it was not touched).

// testNode is a node namespace with its NodeConfig.
type testNode struct {
	cfg NodeConfig
	dir string
	// extra are links the test itself added to the node namespace; the
	// leak check ignores them.
	extra map[string]bool
}

// needRoot skips unless the test can create network namespaces.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces, veth, bind mounts)")
	}
}

// newTestNode creates a node namespace bind-mounted under a temp dir and a
// NodeConfig pointing every directory there. Everything is removed by
// t.Cleanup, also when the test fails.
func newTestNode(t *testing.T, cidr string, mtu int) *testNode {
	t.Helper()
	needRoot(t)
	dir := t.TempDir()
	nodeNS := filepath.Join(dir, "node-netns")
	if _, err := createNetNS(nodeNS); err != nil {
		t.Skipf("cannot create a network namespace here: %v", err)
	}
	hostBefore := hostState(t)
	n := &testNode{dir: dir, extra: map[string]bool{}, cfg: NodeConfig{
		NodeNetNS: nodeNS,
		PodCIDR:   ipnet(t, cidr),
		MTU:       mtu,
		NetNSDir:  filepath.Join(dir, "netns"),
		IPAMDir:   filepath.Join(dir, "ipam"),
	}}
	t.Cleanup(func() {
		// Pods first (their mounts live under dir), then the node. Cleanup
		// funcs run before t.TempDir's removal, which was registered first.
		if sbs, err := ListSandboxes(n.cfg); err == nil {
			for _, s := range sbs {
				if err := TeardownPod(n.cfg, s.SandboxID); err != nil {
					t.Errorf("cleanup teardown %s: %v", s.SandboxID, err)
				}
			}
		}
		if err := removeNetNS(nodeNS); err != nil {
			t.Errorf("cleanup node netns: %v", err)
		}
		if after := hostState(t); after != hostBefore {
			t.Errorf("host network namespace changed!\nbefore: %s\nafter:  %s", hostBefore, after)
		}
		assertThreadsInHostNS(t)
	})
	return n
}

// hostState summarises what the tests must never change in the host
// namespace: its links and the sysctls EnsureNode writes.
func hostState(t *testing.T) string {
	t.Helper()
	links, err := netlink.LinkList()
	if err != nil {
		t.Fatalf("list host links: %v", err)
	}
	var names []string
	for _, l := range links {
		names = append(names, l.Attrs().Name)
	}
	sort.Strings(names)
	var vals []string
	for _, f := range []string{"ipv4/ip_forward", "ipv4/conf/all/send_redirects", "bridge/bridge-nf-call-iptables"} {
		b, _ := os.ReadFile("/proc/sys/net/" + f)
		vals = append(vals, f+"="+strings.TrimSpace(string(b)))
	}
	return strings.Join(names, ",") + " " + strings.Join(vals, " ")
}

// assertThreadsInHostNS checks that no thread of the test process was left
// in a foreign network namespace.
func assertThreadsInHostNS(t *testing.T) {
	t.Helper()
	want, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		got, err := os.Readlink(filepath.Join("/proc/self/task", task.Name(), "ns/net"))
		if err != nil {
			continue // thread exited meanwhile
		}
		if got != want {
			t.Errorf("thread %s is in %s, not the process namespace %s", task.Name(), got, want)
		}
	}
}

// nodeHandle returns a netlink handle in the node namespace.
func (n *testNode) handle(t *testing.T) *netlink.Handle {
	t.Helper()
	return nsHandle(t, n.cfg.NodeNetNS)
}

func nsHandle(t *testing.T, path string) *netlink.Handle {
	t.Helper()
	ns, err := netns.GetFromPath(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// inNS runs fn inside the namespace at path (via the package's inNetNS).
func inNS(t *testing.T, path string, fn func() error) error {
	t.Helper()
	ns, err := netns.GetFromPath(path)
	if err != nil {
		return err
	}
	defer ns.Close()
	return inNetNS(ns, fn)
}

// listen opens a TCP listener inside the namespace at path. A socket keeps
// the namespace it was created in, so it can be served from any goroutine.
func listen(t *testing.T, nsPath string, addr string) net.Listener {
	t.Helper()
	var l net.Listener
	if err := inNS(t, nsPath, func() (err error) {
		l, err = net.Listen("tcp4", addr)
		return err
	}); err != nil {
		t.Fatalf("listen on %s in %s: %v", addr, nsPath, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// echoOnce accepts one connection, reports the peer's address, echoes one
// line back.
func echoOnce(l net.Listener) <-chan string {
	peer := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			peer <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			peer <- "read: " + err.Error()
			return
		}
		io.WriteString(c, "echo "+line)
		host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
		peer <- host
	}()
	return peer
}

// dial connects from inside the namespace at nsPath, sends a line and
// returns the echo.
func dial(t *testing.T, nsPath, addr string) (string, error) {
	t.Helper()
	var c net.Conn
	if err := inNS(t, nsPath, func() (err error) {
		c, err = net.DialTimeout("tcp4", addr, 5*time.Second)
		return err
	}); err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "hello\n"); err != nil {
		return "", err
	}
	return bufio.NewReader(c).ReadString('\n')
}

// assertNothingLeft checks that the node holds no trace of any pod: no
// link but lo and the bridge, no namespace file, no mount under NetNSDir,
// no IP reservation.
func (n *testNode) assertNothingLeft(t *testing.T) {
	t.Helper()
	links, err := n.handle(t).LinkList()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if name := l.Attrs().Name; name != "lo" && name != n.bridge() && !n.extra[name] {
			t.Errorf("leftover link in node namespace: %s (%s)", name, l.Type())
		}
	}
	if entries, err := os.ReadDir(n.cfg.NetNSDir); err == nil && len(entries) > 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("leftover netns files: %v", names)
	}
	if mi, err := os.ReadFile("/proc/self/mountinfo"); err == nil && strings.Contains(string(mi), n.cfg.NetNSDir+"/") {
		t.Errorf("leftover mount under %s", n.cfg.NetNSDir)
	}
	alloc, err := resolveOrFatal(t, n.cfg).allocator()
	if err != nil {
		t.Fatal(err)
	}
	if owners, err := alloc.Owners(); err != nil || len(owners) != 0 {
		t.Errorf("leftover IP reservations: %v (err %v)", owners, err)
	}
	if sbs, err := ListSandboxes(n.cfg); err != nil || len(sbs) != 0 {
		t.Errorf("ListSandboxes still reports %v (err %v)", sbs, err)
	}
}

// addVethPair adds a veth pair with both ends in the node namespace, up,
// and returns the first end.
func (n *testNode) addVethPair(t *testing.T, name, peer string, mtu int) netlink.Link {
	t.Helper()
	h := n.handle(t)
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.MTU = name, mtu
	veth := netlink.NewVeth(attrs)
	veth.PeerName = peer
	if err := h.LinkAdd(veth); err != nil {
		t.Fatalf("add veth %s: %v", name, err)
	}
	n.extra[name], n.extra[peer] = true, true
	for _, l := range []string{peer, name} {
		link, err := h.LinkByName(l)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.LinkSetUp(link); err != nil {
			t.Fatal(err)
		}
	}
	link, err := h.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return link
}

func (n *testNode) bridge() string {
	if n.cfg.BridgeName != "" {
		return n.cfg.BridgeName
	}
	return DefaultBridgeName
}

func resolveOrFatal(t *testing.T, cfg NodeConfig) resolved {
	t.Helper()
	r, err := resolve(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func readSysctlIn(t *testing.T, nsPath, file string) string {
	t.Helper()
	var v string
	if err := inNS(t, nsPath, func() error {
		b, err := os.ReadFile("/proc/sys/net/" + file)
		v = strings.TrimSpace(string(b))
		return err
	}); err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	return v
}

func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func sandboxID(prefix string, i int) string {
	return fmt.Sprintf("%s%060d", prefix, i)
}
