package network

import (
	"net"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/vishvananda/netlink"
)

// Root tests: each builds a node namespace, runs EnsureNode/SetupPod in it
// and proves the pod network works and leaves nothing behind. They skip
// when not root.

func TestRootPodToPod(t *testing.T) {
	n := newTestNode(t, "10.244.1.0/24", 0)
	for i := 0; i < 2; i++ { // idempotent
		if err := EnsureNode(n.cfg); err != nil {
			t.Fatalf("EnsureNode #%d: %v", i, err)
		}
	}

	// The bridge is as specified.
	h := n.handle(t)
	br, err := h.LinkByName("berth0")
	if err != nil {
		t.Fatal(err)
	}
	if br.Type() != "bridge" || br.Attrs().MTU != 1500 || br.Attrs().Flags&net.FlagUp == 0 {
		t.Fatalf("bridge: type %s mtu %d flags %v", br.Type(), br.Attrs().MTU, br.Attrs().Flags)
	}
	if br.Attrs().HardwareAddr.String() != "0a:58:0a:f4:01:01" {
		t.Fatalf("bridge MAC %v", br.Attrs().HardwareAddr)
	}
	addrs, _ := h.AddrList(br, netlink.FAMILY_V4)
	if len(addrs) != 1 || addrs[0].IPNet.String() != "10.244.1.1/24" {
		t.Fatalf("bridge addresses %v", addrs)
	}
	if v := readSysctlIn(t, n.cfg.NodeNetNS, "ipv4/ip_forward"); v != "1" {
		t.Fatalf("ip_forward in node namespace = %s", v)
	}

	podA := PodNetwork{SandboxID: sandboxID("a", 1), Namespace: "default", Name: "a"}
	podB := PodNetwork{SandboxID: sandboxID("b", 1), Namespace: "default", Name: "b"}
	stA, err := SetupPod(n.cfg, podA)
	if err != nil {
		t.Fatalf("SetupPod A: %v", err)
	}
	stB, err := SetupPod(n.cfg, podB)
	if err != nil {
		t.Fatalf("SetupPod B: %v", err)
	}
	if stA.IP.String() != "10.244.1.2" || stB.IP.String() != "10.244.1.3" || !stA.Gateway.Equal(net.ParseIP("10.244.1.1")) {
		t.Fatalf("statuses %+v %+v", stA, stB)
	}
	if stA.HostVeth != HostVethName(podA.SandboxID) || stA.NetNSPath != n.cfg.NetNSDir+"/"+podA.SandboxID {
		t.Fatalf("status A %+v", stA)
	}
	// Repeating SetupPod changes nothing.
	again, err := SetupPod(n.cfg, podA)
	if err != nil || !reflect.DeepEqual(again, stA) {
		t.Fatalf("second SetupPod A = %+v, %v; want %+v", again, err, stA)
	}

	checkPodSide(t, stA, 1500)
	checkHostSide(t, n, stA, br.Attrs().Index)

	// Pod A → pod B by pod IP, over TCP; B sees A's own IP (no NAT).
	l := listen(t, stB.NetNSPath, stB.IP.String()+":8080")
	peer := echoOnce(l)
	got, err := dial(t, stA.NetNSPath, stB.IP.String()+":8080")
	if err != nil || got != "echo hello\n" {
		t.Fatalf("A→B: %q, %v", got, err)
	}
	if p := <-peer; p != stA.IP.String() {
		t.Fatalf("B saw peer %s, want %s", p, stA.IP)
	}
	// And back, B → A.
	l2 := listen(t, stA.NetNSPath, stA.IP.String()+":8080")
	peer2 := echoOnce(l2)
	if got, err := dial(t, stB.NetNSPath, stA.IP.String()+":8080"); err != nil || got != "echo hello\n" {
		t.Fatalf("B→A: %q, %v", got, err)
	}
	<-peer2

	// Pod A → the node, via the gateway address.
	lg := listen(t, n.cfg.NodeNetNS, "10.244.1.1:8081")
	peerG := echoOnce(lg)
	if got, err := dial(t, stA.NetNSPath, "10.244.1.1:8081"); err != nil || got != "echo hello\n" {
		t.Fatalf("A→gateway: %q, %v", got, err)
	}
	if p := <-peerG; p != stA.IP.String() {
		t.Fatalf("node saw peer %s, want %s", p, stA.IP)
	}

	// ListSandboxes sees both.
	sbs, err := ListSandboxes(n.cfg)
	if err != nil || len(sbs) != 2 || !sbs[0].NetNSMounted || !sbs[0].IP.Equal(stA.IP) || sbs[1].HostVeth != stB.HostVeth {
		t.Fatalf("ListSandboxes = %+v, %v", sbs, err)
	}

	for i := 0; i < 2; i++ { // idempotent
		for _, id := range []string{podA.SandboxID, podB.SandboxID} {
			if err := TeardownPod(n.cfg, id); err != nil {
				t.Fatalf("TeardownPod %s #%d: %v", id, i, err)
			}
		}
	}
	n.assertNothingLeft(t)
}

// checkPodSide inspects the pod namespace: lo up, eth0 with the IP, MTU,
// IP-derived MAC, arp_notify, default route via the gateway.
func checkPodSide(t *testing.T, st *PodNetworkStatus, mtu int) {
	t.Helper()
	ph := nsHandle(t, st.NetNSPath)
	lo, err := ph.LinkByName("lo")
	if err != nil || lo.Attrs().Flags&net.FlagUp == 0 {
		t.Fatalf("pod lo: %v %v", lo, err)
	}
	eth0, err := ph.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	if eth0.Type() != "veth" || eth0.Attrs().MTU != mtu || eth0.Attrs().Flags&net.FlagUp == 0 {
		t.Fatalf("pod eth0: type %s mtu %d flags %v", eth0.Type(), eth0.Attrs().MTU, eth0.Attrs().Flags)
	}
	if eth0.Attrs().HardwareAddr.String() != MACFromIP(st.IP).String() {
		t.Fatalf("pod eth0 MAC %v, want %v", eth0.Attrs().HardwareAddr, MACFromIP(st.IP))
	}
	addrs, _ := ph.AddrList(eth0, netlink.FAMILY_V4)
	if len(addrs) != 1 || !addrs[0].IP.Equal(st.IP) {
		t.Fatalf("pod eth0 addresses %v", addrs)
	}
	routes, _ := ph.RouteList(eth0, netlink.FAMILY_V4)
	foundDefault := false
	for _, r := range routes {
		if defaultRouteLink([]netlink.Route{r}) != 0 && r.Gw.Equal(st.Gateway) {
			foundDefault = true
		}
	}
	if !foundDefault {
		t.Fatalf("no default route via %v in pod: %v", st.Gateway, routes)
	}
	if v := readSysctlIn(t, st.NetNSPath, "ipv4/conf/eth0/arp_notify"); v != "1" {
		t.Fatalf("arp_notify = %s", v)
	}
}

// checkHostSide inspects the node side: the veth is on the bridge, up,
// hairpin on, labelled.
func checkHostSide(t *testing.T, n *testNode, st *PodNetworkStatus, bridgeIndex int) {
	t.Helper()
	host, err := n.handle(t).LinkByName(st.HostVeth)
	if err != nil {
		t.Fatal(err)
	}
	if host.Attrs().MasterIndex != bridgeIndex || host.Attrs().Flags&net.FlagUp == 0 {
		t.Fatalf("host veth master %d flags %v", host.Attrs().MasterIndex, host.Attrs().Flags)
	}
	pi, err := n.handle(t).LinkGetProtinfo(host)
	if err != nil || !pi.Hairpin {
		t.Fatalf("hairpin not on: %+v %v", pi, err)
	}
	if !strings.HasPrefix(host.Attrs().Alias, aliasPrefix) {
		t.Fatalf("host veth alias %q", host.Attrs().Alias)
	}
}

// TestRootMTUFromDefaultRoute: with MTU 0 the bridge and pods take the MTU
// of the node's default-route link.
func TestRootMTUFromDefaultRoute(t *testing.T) {
	n := newTestNode(t, "10.244.2.0/24", 0)
	h := n.handle(t)
	// The node's uplink: a veth pair inside the node namespace (the dummy
	// driver may be missing from the kernel).
	up := n.addVethPair(t, "uplink0", "uplink0p", 1400)
	if err := h.AddrAdd(up, &netlink.Addr{IPNet: ipnet(t, "192.0.2.10/24")}); err != nil {
		t.Fatal(err)
	}
	if err := h.RouteAdd(&netlink.Route{LinkIndex: up.Attrs().Index, Gw: net.ParseIP("192.0.2.1")}); err != nil {
		t.Fatal(err)
	}
	if err := EnsureNode(n.cfg); err != nil {
		t.Fatal(err)
	}
	br, _ := h.LinkByName("berth0")
	if br.Attrs().MTU != 1400 {
		t.Fatalf("bridge MTU %d, want 1400", br.Attrs().MTU)
	}
	id := sandboxID("m", 1)
	st, err := SetupPod(n.cfg, PodNetwork{SandboxID: id})
	if err != nil {
		t.Fatal(err)
	}
	checkPodSide(t, st, 1400)

	// An explicit MTU wins, also on a bridge that already exists.
	cfg := n.cfg
	cfg.MTU = 1350
	if err := EnsureNode(cfg); err != nil {
		t.Fatal(err)
	}
	br, _ = h.LinkByName("berth0")
	if br.Attrs().MTU != 1350 {
		t.Fatalf("bridge MTU %d, want 1350", br.Attrs().MTU)
	}
	if err := TeardownPod(n.cfg, id); err != nil {
		t.Fatal(err)
	}
	n.assertNothingLeft(t)
}

// TestRootEnsureNodeRepairs: stale addresses on the bridge are removed and
// a non-bridge link with the bridge's name is refused.
func TestRootEnsureNodeRepairs(t *testing.T) {
	n := newTestNode(t, "10.244.3.0/24", 1500)
	if err := EnsureNode(n.cfg); err != nil {
		t.Fatal(err)
	}
	h := n.handle(t)
	br, _ := h.LinkByName("berth0")
	if err := h.AddrAdd(br, &netlink.Addr{IPNet: ipnet(t, "10.99.0.1/24")}); err != nil {
		t.Fatal(err)
	}
	if err := EnsureNode(n.cfg); err != nil {
		t.Fatal(err)
	}
	addrs, _ := h.AddrList(br, netlink.FAMILY_V4)
	if len(addrs) != 1 || addrs[0].IPNet.String() != "10.244.3.1/24" {
		t.Fatalf("bridge addresses after repair: %v", addrs)
	}

	cfg := n.cfg
	cfg.BridgeName = "notabridge"
	n.addVethPair(t, "notabridge", "notabridgep", 1500)
	if err := EnsureNode(cfg); err == nil || !strings.Contains(err.Error(), "not a bridge") {
		t.Fatalf("EnsureNode over a veth: %v", err)
	}
	// SetupPod without EnsureNode says so.
	cfg.BridgeName = "nobridge"
	if _, err := SetupPod(cfg, PodNetwork{SandboxID: "x"}); err == nil || !strings.Contains(err.Error(), "EnsureNode") {
		t.Fatalf("SetupPod without bridge: %v", err)
	}
	n.assertNothingLeft(t)
}

// TestRootCrashRecovery plays the crashes that can happen during SetupPod
// and checks that TeardownPod (with no memory of the setup) or a repeated
// SetupPod copes with each.
func TestRootCrashRecovery(t *testing.T) {
	n := newTestNode(t, "10.244.4.0/24", 1500)
	if err := EnsureNode(n.cfg); err != nil {
		t.Fatal(err)
	}
	r := resolveOrFatal(t, n.cfg)

	t.Run("full setup, agent restarts, teardown from fresh state", func(t *testing.T) {
		id := sandboxID("c", 1)
		if _, err := SetupPod(n.cfg, PodNetwork{SandboxID: id}); err != nil {
			t.Fatal(err)
		}
		// "Crash": no teardown; a new agent knows only the config.
		sbs, err := ListSandboxes(n.cfg)
		if err != nil || len(sbs) != 1 || sbs[0].SandboxID != id {
			t.Fatalf("ListSandboxes after restart: %+v %v", sbs, err)
		}
		if err := TeardownPod(n.cfg, id); err != nil {
			t.Fatal(err)
		}
		n.assertNothingLeft(t)
	})

	t.Run("crash after creating the netns file, before mounting", func(t *testing.T) {
		id := sandboxID("c", 2)
		os.MkdirAll(n.cfg.NetNSDir, 0o755)
		if err := os.WriteFile(r.netnsPath(id), nil, 0o444); err != nil {
			t.Fatal(err)
		}
		if sbs, _ := ListSandboxes(n.cfg); len(sbs) != 1 || sbs[0].NetNSMounted {
			t.Fatalf("ListSandboxes: %+v", sbs)
		}
		if err := TeardownPod(n.cfg, id); err != nil {
			t.Fatal(err)
		}
		n.assertNothingLeft(t)
	})

	t.Run("crash after netns and IP, before the veth; setup resumes", func(t *testing.T) {
		id := sandboxID("c", 3)
		if _, err := createNetNS(r.netnsPath(id)); err != nil {
			t.Fatal(err)
		}
		alloc, _ := r.allocator()
		ip, err := alloc.Allocate(id)
		if err != nil {
			t.Fatal(err)
		}
		st, err := SetupPod(n.cfg, PodNetwork{SandboxID: id})
		if err != nil {
			t.Fatal(err)
		}
		if !st.IP.Equal(ip) {
			t.Fatalf("resumed setup got %v, want the reserved %v", st.IP, ip)
		}
		checkPodSide(t, st, 1500)
		if err := TeardownPod(n.cfg, id); err != nil {
			t.Fatal(err)
		}
		n.assertNothingLeft(t)
	})

	t.Run("crash right after creating the veth (unlabelled, detached, down)", func(t *testing.T) {
		id := sandboxID("c", 4)
		path := r.netnsPath(id)
		if _, err := createNetNS(path); err != nil {
			t.Fatal(err)
		}
		makeRawVeth(t, n, id, path)
		// Teardown copes with it...
		if err := TeardownPod(n.cfg, id); err != nil {
			t.Fatal(err)
		}
		n.assertNothingLeft(t)

		// ...and so does a repeated SetupPod, which rebuilds the pair.
		if _, err := createNetNS(path); err != nil {
			t.Fatal(err)
		}
		makeRawVeth(t, n, id, path)
		st, err := SetupPod(n.cfg, PodNetwork{SandboxID: id})
		if err != nil {
			t.Fatal(err)
		}
		checkPodSide(t, st, 1500)
		br, _ := n.handle(t).LinkByName("berth0")
		checkHostSide(t, n, st, br.Attrs().Index)
		if err := TeardownPod(n.cfg, id); err != nil {
			t.Fatal(err)
		}
		n.assertNothingLeft(t)
	})

	t.Run("name-hash collision with another sandbox's veth", func(t *testing.T) {
		id := sandboxID("c", 5)
		h := n.handle(t)
		attrs := netlink.NewLinkAttrs()
		attrs.Name = HostVethName(id)
		veth := netlink.NewVeth(attrs)
		veth.PeerName = "collpeer"
		if err := h.LinkAdd(veth); err != nil {
			t.Fatal(err)
		}
		l, _ := h.LinkByName(attrs.Name)
		h.LinkSetAlias(l, vethAlias("someone-else"))
		if _, err := SetupPod(n.cfg, PodNetwork{SandboxID: id}); err == nil || !strings.Contains(err.Error(), "collision") {
			t.Fatalf("SetupPod over a foreign veth: %v", err)
		}
		// The failed first setup rolled itself back, and TeardownPod
		// leaves the foreign link alone.
		if err := TeardownPod(n.cfg, id); err != nil {
			t.Fatal(err)
		}
		if _, err := h.LinkByName(attrs.Name); err != nil {
			t.Fatalf("foreign veth was deleted: %v", err)
		}
		h.LinkDel(l)
		n.assertNothingLeft(t)
	})
}

// makeRawVeth creates the sandbox's veth pair the way the first netlink call
// of SetupPod does, without any of the configuration that follows.
func makeRawVeth(t *testing.T, n *testNode, id, podNSPath string) {
	t.Helper()
	h := n.handle(t)
	f, err := os.Open(podNSPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	attrs := netlink.NewLinkAttrs()
	attrs.Name = HostVethName(id)
	veth := netlink.NewVeth(attrs)
	veth.PeerName = "eth0"
	veth.PeerNamespace = netlink.NsFd(int(f.Fd()))
	if err := h.LinkAdd(veth); err != nil {
		t.Fatal(err)
	}
}

// TestRootCyclesLeakNothing runs 50 setup/teardown cycles (two pods at a
// time, set up concurrently) and checks that no link, mount, file, IP,
// file descriptor or stray thread namespace is left.
func TestRootCyclesLeakNothing(t *testing.T) {
	n := newTestNode(t, "10.244.5.0/28", 1500) // 13 pod addresses: wraps around several times
	if err := EnsureNode(n.cfg); err != nil {
		t.Fatal(err)
	}
	// Warm up once so lazily opened descriptors are not counted as leaks.
	if _, err := SetupPod(n.cfg, PodNetwork{SandboxID: "warmup"}); err != nil {
		t.Fatal(err)
	}
	if err := TeardownPod(n.cfg, "warmup"); err != nil {
		t.Fatal(err)
	}
	fdsBefore := openFDs(t)

	for i := 0; i < 50; i++ {
		ids := []string{sandboxID("x", i), sandboxID("y", i)}
		var wg sync.WaitGroup
		sts := make([]*PodNetworkStatus, len(ids))
		errs := make([]error, len(ids))
		for j, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sts[j], errs[j] = SetupPod(n.cfg, PodNetwork{SandboxID: id})
			}()
		}
		wg.Wait()
		for j := range ids {
			if errs[j] != nil {
				t.Fatalf("cycle %d: SetupPod %s: %v", i, ids[j], errs[j])
			}
		}
		if sts[0].IP.Equal(sts[1].IP) {
			t.Fatalf("cycle %d: both pods got %v", i, sts[0].IP)
		}
		if i%10 == 0 { // traffic now and then, to know the cycles build working pods
			l := listen(t, sts[1].NetNSPath, sts[1].IP.String()+":9000")
			peer := echoOnce(l)
			if got, err := dial(t, sts[0].NetNSPath, sts[1].IP.String()+":9000"); err != nil || got != "echo hello\n" {
				t.Fatalf("cycle %d: A→B %q %v", i, got, err)
			}
			<-peer
			l.Close()
		}
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := TeardownPod(n.cfg, id); err != nil {
					t.Errorf("cycle %d: TeardownPod %s: %v", i, id, err)
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
	}
	// Before assertNothingLeft, whose netlink handle lives until cleanup.
	if fds := openFDs(t); fds > fdsBefore {
		t.Errorf("file descriptors: %d before, %d after 50 cycles", fdsBefore, fds)
	}
	n.assertNothingLeft(t)
	assertThreadsInHostNS(t)
}

// TestRootGarbageCollect: sandboxes not in the live set are torn down,
// live ones are untouched.
func TestRootGarbageCollect(t *testing.T) {
	n := newTestNode(t, "10.244.6.0/24", 1500)
	if err := EnsureNode(n.cfg); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := 0; i < 3; i++ {
		id := sandboxID("g", i)
		ids = append(ids, id)
		if _, err := SetupPod(n.cfg, PodNetwork{SandboxID: id}); err != nil {
			t.Fatal(err)
		}
	}
	// An IP reserved for a sandbox that never got a namespace.
	alloc, _ := resolveOrFatal(t, n.cfg).allocator()
	if _, err := alloc.Allocate("orphan"); err != nil {
		t.Fatal(err)
	}
	removed, err := GarbageCollect(n.cfg, map[string]bool{ids[1]: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{ids[0], ids[2], "orphan"}; !reflect.DeepEqual(removed, want) {
		t.Fatalf("removed %v, want %v", removed, want)
	}
	sbs, _ := ListSandboxes(n.cfg)
	if len(sbs) != 1 || sbs[0].SandboxID != ids[1] || !sbs[0].NetNSMounted || sbs[0].IP == nil {
		t.Fatalf("after GC: %+v", sbs)
	}
	if _, err := n.handle(t).LinkByName(HostVethName(ids[1])); err != nil {
		t.Fatalf("live sandbox's veth gone: %v", err)
	}
	if err := TeardownPod(n.cfg, ids[1]); err != nil {
		t.Fatal(err)
	}
	n.assertNothingLeft(t)
}
