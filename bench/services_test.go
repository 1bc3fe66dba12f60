package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/udpecho"
	"github.com/berth-project/berth/test/e2e"
	mdns "github.com/miekg/dns"
	"github.com/vishvananda/netns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// TestServicesReport measures Services on a one-node world, every figure
// against a baseline taken in the same run:
//
//   - data path: HTTP requests (a new TCP connection each, so every
//     request is balanced) from a client pod through nginx-service's
//     ClusterIP, against the same 3 pods by pod IP; requests/s and p99;
//   - DNS: A queries for a Service name at the node-local cluster DNS
//     (10.43.0.10:53) against a bare Go UDP echo server on the same
//     address (port 5353) in the node's namespace; queries/s and p99;
//   - network programming latency: pod Ready (seen by a watch) → the first
//     request through the ClusterIP answered by that pod, p50/p99.
//
// Clients run in the test process on threads inside the client pod's
// network namespace (test/e2e.InNetNS), the same code for both sides.
//
//	sudo BERTH_BENCH=1 go test -run TestServicesReport -v -timeout 30m ./bench/
func TestServicesReport(t *testing.T) {
	if os.Getenv("BERTH_BENCH") != "1" {
		t.Skip("set BERTH_BENCH=1 to run the Services report")
	}
	w := e2e.NewNodeWorld(t)
	cs := w.Clientset()
	workers := envInt("BERTH_BENCH_SVC_WORKERS", 4)
	round := time.Duration(envInt("BERTH_BENCH_SVC_ROUND_MS", 2000)) * time.Millisecond
	rounds := envInt("BERTH_BENCH_SVC_ROUNDS", 8)

	w.Kubectl("create", "deployment", "nginx", "--image=testhost", "--replicas=3")
	w.Kubectl("expose", "deployment", "nginx", "--name=nginx-service", "--port=80", "--target-port=80")
	w.Kubectl("run", "client", "--image=testhost", "--", "sleep")
	w.Kubectl("rollout", "status", "deployment/nginx", "--timeout=120s")
	w.Kubectl("wait", "--for=condition=Ready", "pod/client", "--timeout=120s")
	clusterIP := strings.TrimSpace(w.Kubectl("get", "svc", "nginx-service", "-o", "jsonpath={.spec.clusterIP}"))
	podIPs := strings.Fields(w.Kubectl("get", "pods", "-l", "app=nginx", "-o", "jsonpath={.items[*].status.podIP}"))
	uid := strings.TrimSpace(w.Kubectl("get", "pod", "client", "-o", "jsonpath={.metadata.uid}"))
	client := e2e.PodNetNS(t, uid)
	waitServing(t, client, clusterIP+":80", 3)

	// (a) data path, the two sides alternating round by round.
	var viaVIP, viaPod loadResult
	var httpRatios []float64
	for r := 0; r < rounds; r++ {
		a := httpLoad(t, client, []string{clusterIP + ":80"}, workers, round)
		b := httpLoad(t, client, withPort(podIPs, "80"), workers, round)
		viaVIP.add(a)
		viaPod.add(b)
		httpRatios = append(httpRatios, a.rate()/b.rate())
	}

	// (b) DNS against a UDP echo server on the same address.
	echo := echoServer(t, w.Node, "10.43.0.10:5353")
	query := dnsQuery(t, "nginx-service.default.svc.cluster.local.")
	var viaDNS, viaEcho loadResult
	var dnsRatios []float64
	for r := 0; r < rounds; r++ {
		a := udpLoad(t, client, "10.43.0.10:53", query, workers, round)
		b := udpLoad(t, client, echo, query, workers, round)
		viaDNS.add(a)
		viaEcho.add(b)
		dnsRatios = append(dnsRatios, a.rate()/b.rate())
	}

	// (c) network programming latency.
	npLat := programmingLatency(t, cs, client, envInt("BERTH_BENCH_SVC_PODS", 20))

	t.Logf("\n%d workers, %d rounds of %v per side, alternating; %s\n\n"+
		"| measurement | through Services | baseline | ratio (all rounds; median of rounds) |\n|---|---|---|---|\n"+
		"| HTTP, new connection per request: requests/s | %.0f (ClusterIP) | %.0f (pod IPs) | %.2f; %.2f |\n"+
		"| HTTP p50 / p99 | %v / %v | %v / %v | |\n"+
		"| DNS A query for a Service: queries/s | %.0f (cluster DNS) | %.0f (UDP echo) | %.2f; %.2f |\n"+
		"| DNS p50 / p99 | %v / %v | %v / %v | |\n"+
		"| errors (HTTP, DNS) | %d, %d | %d, %d | |\n\n"+
		"network programming latency (pod Ready seen → first request through the ClusterIP answered by it), %v\n",
		workers, rounds, round, loadavg(),
		viaVIP.rate(), viaPod.rate(), viaVIP.rate()/viaPod.rate(), median(httpRatios),
		us(viaVIP.lat.pct(0.5)), us(viaVIP.lat.pct(0.99)), us(viaPod.lat.pct(0.5)), us(viaPod.lat.pct(0.99)),
		viaDNS.rate(), viaEcho.rate(), viaDNS.rate()/viaEcho.rate(), median(dnsRatios),
		us(viaDNS.lat.pct(0.5)), us(viaDNS.lat.pct(0.99)), us(viaEcho.lat.pct(0.5)), us(viaEcho.lat.pct(0.99)),
		viaVIP.errs, viaDNS.errs, viaPod.errs, viaEcho.errs,
		npLat)
}

func median(v []float64) float64 {
	c := slices.Clone(v)
	slices.Sort(c)
	if len(c) == 0 {
		return 0
	}
	return c[len(c)/2]
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

func withPort(ips []string, port string) []string {
	var out []string
	for _, ip := range ips {
		out = append(out, net.JoinHostPort(ip, port))
	}
	return out
}

// loadResult sums rounds of one side.
type loadResult struct {
	ok, errs int
	wall     time.Duration
	lat      samples
}

func (l *loadResult) add(o loadResult) {
	l.ok, l.errs, l.wall = l.ok+o.ok, l.errs+o.errs, l.wall+o.wall
	l.lat = append(l.lat, o.lat...)
}

func (l loadResult) rate() float64 { return float64(l.ok) / l.wall.Seconds() }

// inWorkers runs n copies of op in ns until d has passed, each on its own
// thread, and collects the latencies of the successful calls.
func inWorkers(t *testing.T, ns netns.NsHandle, n int, d time.Duration, op func(worker, i int) error) loadResult {
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(d)
	for wk := 0; wk < n; wk++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat samples
			errs := 0
			err := e2e.InNetNS(ns, func() {
				for i := 0; time.Now().Before(end); i++ {
					s := time.Now()
					if err := op(wk, i); err != nil {
						errs++
						continue
					}
					lat = append(lat, time.Since(s))
				}
			})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errs += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.wall, res.ok = time.Since(start), len(res.lat)
	return res
}

// httpLoad sends GET /hostname, a new connection each, spreading the
// requests over addrs.
func httpLoad(t *testing.T, ns netns.NsHandle, addrs []string, workers int, d time.Duration) loadResult {
	return inWorkers(t, ns, workers, d, func(wk, i int) error {
		return e2e.HTTPGet(addrs[(wk+i)%len(addrs)], "/hostname", 5*time.Second).Err
	})
}

// udpLoad sends the datagram and waits for the answer, one at a time per
// worker on a socket of its own (opened inside ns on the worker's first call).
func udpLoad(t *testing.T, ns netns.NsHandle, addr string, query []byte, workers int, d time.Duration) loadResult {
	conns := make([]net.Conn, workers)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	return inWorkers(t, ns, workers, d, func(wk, i int) error {
		if conns[wk] == nil {
			c, err := net.Dial("udp", addr)
			if err != nil {
				return err
			}
			conns[wk] = c
		}
		c := conns[wk]
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write(query); err != nil {
			return err
		}
		buf := make([]byte, 1500)
		n, err := c.Read(buf)
		if err != nil {
			return err
		}
		if n < 12 || buf[0] != query[0] || buf[1] != query[1] {
			return fmt.Errorf("bad answer")
		}
		return nil
	})
}

func dnsQuery(t *testing.T, name string) []byte {
	m := new(mdns.Msg)
	m.SetQuestion(name, mdns.TypeA)
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// echoServer serves a bare UDP echo on addr in the node's network
// namespace (the cluster DNS address is on its loopback) until the test
// ends, and returns addr.
func echoServer(t *testing.T, node, addr string) string {
	ns, err := netns.GetFromName(node)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	var pc net.PacketConn
	if e := e2e.InNetNS(ns, func() { pc, err = net.ListenPacket("udp", addr) }); e != nil || err != nil {
		t.Fatal(e, err)
	}
	t.Cleanup(func() { pc.Close() })
	go udpecho.Serve(pc)
	return addr
}

// waitServing waits until requests to addr have reached n different pods.
func waitServing(t *testing.T, ns netns.NsHandle, addr string, n int) {
	seen := map[string]bool{}
	deadline := time.Now().Add(time.Minute)
	for len(seen) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s reached only %v", addr, seen)
		}
		if r := e2e.GetIn(ns, addr, "/hostname", 2*time.Second); r.Err == nil {
			seen[r.Body] = true
		}
	}
}

// programmingLatency creates pods behind a Service of their own one at a
// time and measures, for each, from the watch event showing it Ready to
// the end of the first request through the ClusterIP that it answered.
// A client in the client pod sends requests without pause (refusals while
// the Service has no endpoint come back at once).
func programmingLatency(t *testing.T, cs kubernetes.Interface, client netns.NsHandle, n int) programming {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "np"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "np"},
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(80)}}},
	}
	svc, err := cs.CoreV1().Services("default").Create(ctx, svc, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	addr := svc.Spec.ClusterIP + ":80"

	var mu sync.Mutex
	first := map[string]time.Time{} // hostname → end of its first answered request
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e2e.InNetNS(client, func() {
			for {
				select {
				case <-quit:
					return
				default:
				}
				r := e2e.HTTPGet(addr, "/hostname", time.Second)
				if r.Err != nil {
					time.Sleep(time.Millisecond)
					continue
				}
				mu.Lock()
				if _, ok := first[r.Body]; !ok {
					first[r.Body] = r.Start.Add(r.Duration)
				}
				mu.Unlock()
			}
		})
	}()
	defer func() { close(quit); <-done }()

	var out programming
	grace := int64(0)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("np-%d", i)
		wt, err := cs.CoreV1().Pods("default").Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
		if err != nil {
			t.Fatal(err)
		}
		sw, err := cs.DiscoveryV1().EndpointSlices("default").Watch(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=np"})
		if err != nil {
			t.Fatal(err)
		}
		p := pod(name)
		p.Labels = map[string]string{"app": "np"}
		if _, err := cs.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		// Both watches at once, so each time is taken when its event arrives.
		var ready, listed time.Time
		for ready.IsZero() || listed.IsZero() {
			select {
			case ev := <-wt.ResultChan():
				if p, ok := ev.Object.(*corev1.Pod); ok && ev.Type != watch.Deleted && isReady(p) && ready.IsZero() {
					ready = time.Now()
				}
			case ev := <-sw.ResultChan():
				if s, ok := ev.Object.(*discoveryv1.EndpointSlice); ok && ev.Type != watch.Deleted && listsReady(s, name) && listed.IsZero() {
					listed = time.Now()
				}
			case <-ctx.Done():
				t.Fatalf("%s never Ready and listed", name)
			}
		}
		wt.Stop()
		sw.Stop()
		for {
			mu.Lock()
			at, ok := first[name]
			mu.Unlock()
			if ok {
				out.total = append(out.total, at.Sub(ready))
				out.toSlice = append(out.toSlice, listed.Sub(ready))
				out.fromSlice = append(out.fromSlice, at.Sub(listed))
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("no request reached %s", name)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := cs.CoreV1().Pods("default").Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &grace}); err != nil {
			t.Fatal(err)
		}
		deleteWait(t, ctx, cs, name)
	}
	return out
}

// programming is network programming latency, whole and in two parts: pod
// Ready → the EndpointSlice lists it ready (both seen by watches), and from
// there → the first request it answers through the ClusterIP.
type programming struct{ total, toSlice, fromSlice samples }

func (p programming) String() string {
	f := func(s samples) string {
		return fmt.Sprintf("p50 %v, p99 %v", s.pct(0.5).Round(time.Millisecond), s.pct(0.99).Round(time.Millisecond))
	}
	return fmt.Sprintf("%d pods: %s (Ready → listed in the slice: %s; listed → traffic: %s)",
		len(p.total), f(p.total), f(p.toSlice), f(p.fromSlice))
}

func listsReady(s *discoveryv1.EndpointSlice, pod string) bool {
	for _, ep := range s.Endpoints {
		if ep.TargetRef != nil && ep.TargetRef.Name == pod && ep.Conditions.Ready != nil && *ep.Conditions.Ready {
			return true
		}
	}
	return false
}

func deleteWait(t *testing.T, ctx context.Context, cs kubernetes.Interface, name string) {
	for {
		if _, err := cs.CoreV1().Pods("default").Get(ctx, name, metav1.GetOptions{}); err != nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s not deleted", name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
