package proxy

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// TestRootTraffic sends real connections through the proxy's rules inside a
// node namespace built by the pod network: ClusterIP round-robin and random,
// hairpin, refusal without endpoints, NodePort from outside, endpoint
// removal as one transaction, and Cleanup.
func TestRootTraffic(t *testing.T) {
	c := newTestCluster(t, "pod-a", "pod-b")
	a, b, client := c.pods["pod-a"], c.pods["pod-b"], c.pods["client"]
	both := func() []*discoveryv1.EndpointSlice {
		return []*discoveryv1.EndpointSlice{slice("test", "web", "web-1", httpSlice,
			ep{ip: a.IP, node: "node-a"}, ep{ip: b.IP, node: "node-a"})}
	}
	web := service("test", "web", "10.43.0.50", httpPorts, nodePortType(30080))
	empty := service("test", "empty", "10.43.0.51", httpPorts)
	c.source.set([]*corev1.Service{web, empty}, both())
	c.sync(t)
	const vip = "10.43.0.50:80"

	t.Run("round-robin reaches both pods in a fixed alternation", func(t *testing.T) {
		expectAlternating(t, client.NS, vip, 30)
	})

	t.Run("hairpin: a pod reaches itself through its Service", func(t *testing.T) {
		if n := counts(getN(t, a.NS, vip, 4)); n["pod-a"] != 2 || n["pod-b"] != 2 {
			t.Fatalf("from pod-a: %v, want 2 each", n)
		}
	})

	t.Run("random spreads", func(t *testing.T) {
		rnd := service("test", "web", "10.43.0.50", httpPorts, nodePortType(30080), annotate(AnnotationLoadBalancing, "random"))
		c.source.set([]*corev1.Service{rnd, empty}, both())
		c.sync(t)
		if !strings.Contains(c.proxier.Applied().String(), "numgen random mod 2") {
			t.Fatal("annotation did not switch to numgen random")
		}
		// none above 60 %: at 100 requests a fair coin breaks that 3.5 % of
		// the time (seen in CI); at 400, 6e-5
		expectSpread(t, client.NS, vip, 400, 240)
		c.source.set([]*corev1.Service{web, empty}, both())
		c.sync(t)
	})

	t.Run("no endpoints: refused at once", func(t *testing.T) {
		expectRefusedAtOnce(t, client.NS, "10.43.0.51:80", "10.43.0.50:81") // no endpoints; undefined port
	})

	t.Run("NodePort from outside the cluster", func(t *testing.T) {
		expectSpread(t, c.outside, testNodeIP+":30080", 10, 10)
	})

	t.Run("removing an endpoint is one transaction and traffic stops going there", func(t *testing.T) {
		onlyA := []*discoveryv1.EndpointSlice{slice("test", "web", "web-1", httpSlice, ep{ip: a.IP, node: "node-a"})}
		c.source.set([]*corev1.Service{web, empty}, onlyA)
		before := atomic.LoadUint64(&c.backend.batches)
		c.sync(t)
		if sent := atomic.LoadUint64(&c.backend.batches) - before; sent != 1 {
			t.Fatalf("sync sent %d transactions, want 1", sent)
		}
		if n := counts(getN(t, client.NS, vip, 10)); n["pod-a"] != 10 {
			t.Fatalf("after removing pod-b: %v, want all to pod-a", n)
		}
		if n := counts(getN(t, c.outside, testNodeIP+":30080", 4)); n["pod-a"] != 4 {
			t.Fatalf("NodePort after removing pod-b: %v", n)
		}
		// The kernel holds exactly what Desired says.
		if d := cmp.Diff(kernelDumpOfText(t, c.proxier.Applied()), kernelDump(t, c.node)); d != "" {
			t.Fatalf("incremental sync left a table different from a fresh load of the same Ruleset (-fresh +incremental):\n%s", d)
		}
	})

	t.Run("Cleanup deletes the table", func(t *testing.T) {
		if err := c.proxier.Cleanup(); err != nil {
			t.Fatal(err)
		}
		out := runIn(t, c.node, "nft", "list", "tables")
		if strings.Contains(out, TableName) {
			t.Fatalf("table still there: %s", out)
		}
		if err := c.proxier.Cleanup(); err != nil {
			t.Fatalf("second Cleanup: %v", err)
		}
	})
}
