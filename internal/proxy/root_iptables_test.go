package proxy

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// TestRootIPTablesTraffic is TestRootTraffic for --proxy-mode=iptables:
// the same world (pod network, pods, an outside host) with the rules loaded
// by iptables-restore into the node namespace, with both iptables
// backends: the default "iptables" (iptables-nft on Debian) and
// iptables-legacy.
func TestRootIPTablesTraffic(t *testing.T) {
	for _, bin := range []string{"iptables", "iptables-legacy"} {
		t.Run(bin, func(t *testing.T) {
			if _, err := exec.LookPath(bin + "-restore"); err != nil {
				t.Skipf("no %s-restore", bin)
			}
			testIPTablesTraffic(t, bin)
		})
	}
}

func testIPTablesTraffic(t *testing.T, bin string) {
	c := newTestCluster(t, "pod-a", "pod-b")
	needIPTables(t)
	ipt := &iptablesBackend{cmd: iptablesCmd{bin: bin, nsPath: c.node}}
	p, err := newProxier(c.proxier.node, Options{NetNSPath: c.node, Mode: ModeIPTables, IPTables: bin}.withDefaults(), c.source, ipt)
	if err != nil {
		t.Fatal(err)
	}
	c.proxier = p
	t.Cleanup(func() { cleanupIPTables(ipt.cmd) })
	a, b, client := c.pods["pod-a"], c.pods["pod-b"], c.pods["client"]
	both := func() []*discoveryv1.EndpointSlice {
		return []*discoveryv1.EndpointSlice{slice("test", "web", "web-1", httpSlice,
			ep{ip: a.IP, node: "node-a"}, ep{ip: b.IP, node: "node-a"})}
	}
	web := service("test", "web", "10.43.0.50", httpPorts, nodePortType(30080))
	empty := service("test", "empty", "10.43.0.51", httpPorts)
	c.source.set([]*corev1.Service{web, empty}, both())
	c.sync(t)
	c.sync(t) // a second full sync changes nothing
	const vip = "10.43.0.50:80"

	t.Run("only our chains, one hook each, no nftables table of ours", func(t *testing.T) {
		for _, table := range iptablesTables {
			save, err := ipt.cmd.save(table)
			if err != nil {
				t.Fatal(err)
			}
			_, hooks := ownedRules(save)
			want := 0
			for _, h := range iptHooks {
				if h.Table == table {
					want++
				}
			}
			if len(hooks) != want {
				t.Fatalf("%s: %d hook rules after two syncs, want %d:\n%s", table, len(hooks), want, save)
			}
		}
		if out := runIn(t, c.node, "nft", "list", "tables"); strings.Contains(out, TableName) {
			t.Fatalf("iptables mode made the nftables table: %s", out)
		}
	})

	t.Run("round-robin (statistic nth) alternates", func(t *testing.T) {
		expectAlternating(t, client.NS, vip, 30)
	})

	t.Run("hairpin", func(t *testing.T) {
		if n := counts(getN(t, a.NS, vip, 4)); n["pod-a"] != 2 || n["pod-b"] != 2 {
			t.Fatalf("from pod-a: %v, want 2 each", n)
		}
	})

	t.Run("random (statistic random) spreads", func(t *testing.T) {
		rnd := service("test", "web", "10.43.0.50", httpPorts, nodePortType(30080), annotate(AnnotationLoadBalancing, "random"))
		c.source.set([]*corev1.Service{rnd, empty}, both())
		c.sync(t)
		// none above 60 %: at 100 requests a fair coin breaks that 3.5 % of
		// the time (seen in CI); at 400, 6e-5
		expectSpread(t, client.NS, vip, 400, 240)
	})

	t.Run("sessionAffinity ClientIP (recent) sticks", func(t *testing.T) {
		sticky := service("test", "web", "10.43.0.50", httpPorts, nodePortType(30080), affinity(60))
		c.source.set([]*corev1.Service{sticky, empty}, both())
		c.sync(t)
		if n := counts(getN(t, client.NS, vip, 10)); len(n) != 1 {
			t.Fatalf("with ClientIP affinity: %v, want one pod only", n)
		}
		c.source.set([]*corev1.Service{web, empty}, both())
		c.sync(t)
	})

	t.Run("no endpoints: refused at once", func(t *testing.T) {
		expectRefusedAtOnce(t, client.NS, "10.43.0.51:80", "10.43.0.50:81") // no endpoints; undefined port
	})

	t.Run("NodePort from outside", func(t *testing.T) {
		expectSpread(t, c.outside, testNodeIP+":30080", 10, 10)
	})

	t.Run("endpoint removed: traffic stops going there", func(t *testing.T) {
		onlyA := []*discoveryv1.EndpointSlice{slice("test", "web", "web-1", httpSlice, ep{ip: a.IP, node: "node-a"})}
		c.source.set([]*corev1.Service{web, empty}, onlyA)
		c.sync(t)
		if n := counts(getN(t, client.NS, vip, 10)); n["pod-a"] != 10 {
			t.Fatalf("after removing pod-b: %v", n)
		}
		if n := counts(getN(t, c.outside, testNodeIP+":30080", 4)); n["pod-a"] != 4 {
			t.Fatalf("NodePort after removing pod-b: %v", n)
		}
		save, _ := ipt.cmd.save("nat")
		if strings.Contains(save, b.IP) {
			t.Fatalf("pod-b's endpoint chain is still there:\n%s", save)
		}
	})

	t.Run("loadBalancerSourceRanges: allowed source served, others dropped", func(t *testing.T) {
		const lbIP = "203.0.113.7"
		runIn(t, c.outside, "ip", "route", "add", lbIP+"/32", "via", testNodeIP)
		lb := func(ranges ...string) *corev1.Service {
			return service("test", "web", "10.43.0.50", httpPorts, loadBalancer(lbIP), nodePortType(30080), sourceRangesOpt(ranges...))
		}
		c.source.set([]*corev1.Service{lb("192.0.2.0/24", testOutIP+"/32"), empty}, both())
		c.sync(t)
		if n := counts(getN(t, c.outside, lbIP+":80", 4)); n["pod-a"]+n["pod-b"] != 4 {
			t.Fatalf("allowed source: %v", n)
		}
		c.source.set([]*corev1.Service{lb("192.0.2.0/24"), empty}, both())
		c.sync(t)
		conn, err := dialIn(c.outside, lbIP+":80", time.Second)
		if err == nil {
			conn.Close()
			t.Fatal("connected from outside the source ranges")
		}
		if !isTimeout(err) {
			t.Fatalf("want the SYN dropped (a timeout), got %v", err)
		}
	})

	t.Run("Cleanup removes our chains and hooks, twice", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			if err := c.proxier.Cleanup(); err != nil {
				t.Fatal(err)
			}
		}
		for _, table := range iptablesTables {
			save, _ := ipt.cmd.save(table)
			if strings.Contains(save, iptablesPrefix) {
				t.Fatalf("%s after cleanup:\n%s", table, save)
			}
		}
	})
}
