package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"
)

// TestPodNetworkAcrossNodes is acceptance 2 and 3 of the multi-node issue,
// in a 3-node cluster per --pod-network mode: pods on node 0 and node 2
// reach each other by pod IP over TCP and UDP and see each other's pod IP
// (no SNAT), the pod MTU accounts for VXLAN, and traffic leaving the
// cluster is masqueraded. With vxlan (the default) also Services across
// nodes: ClusterIP from a pod on every node, NodePort on every node from
// the underlay's host side, externalTrafficPolicy Local. In both modes a
// deleted Node's entries leave the other nodes.
func TestPodNetworkAcrossNodes(t *testing.T) {
	requireRoot(t)
	t.Parallel() // the subtests' worlds run in the parallel phase too
	for _, tc := range []struct {
		mode string
		mtu  string
	}{{"vxlan", "1450"}, {"host-gw", "1500"}} {
		t.Run(tc.mode, func(t *testing.T) {
			w := NewNodeWorldWith(t, NodeWorldOptions{Nodes: 3, CreateArgs: []string{"--pod-network", tc.mode, "--wait", "240s"}})
			podIPs := w.pinnedPods(t)
			if got := strings.TrimSpace(w.Kubectl("exec", "p0", "-c", "web", "--", "cat", "/sys/class/net/eth0/mtu")); got != tc.mtu {
				t.Errorf("pod MTU %s, want %s", got, tc.mtu)
			}
			for _, pair := range [][2]string{{"p0", "p2"}, {"p2", "p0"}} {
				src, dst := pair[0], pair[1]
				out := w.Kubectl("exec", src, "-c", "web", "--", "/testhost", "get", "http://"+podIPs[dst]+"/clientip")
				if !strings.HasPrefix(strings.TrimSpace(out), podIPs[src]+":") {
					t.Errorf("TCP %s → %s: server saw %q, want %s (no SNAT)", src, dst, out, podIPs[src])
				}
				out = w.Kubectl("exec", src, "-c", "web", "--", "/testhost", "udp-send", podIPs[dst]+":8081", "clientip")
				if !strings.HasPrefix(strings.TrimSpace(out), podIPs[src]+":") {
					t.Errorf("UDP %s → %s: server saw %q, want %s (no SNAT)", src, dst, out, podIPs[src])
				}
			}
			w.checkMasqueradeOut(t)
			if tc.mode == "vxlan" {
				w.checkServicesAcrossNodes(t, podIPs)
			}
			w.checkPeerRemoved(t, tc.mode)
		})
	}
}

// pinnedPods runs p0, p1, p2 on nodes 0, 1, 2 (spec.nodeName): testhost
// serving HTTP on 80 and UDP echo on 8081. Returns their pod IPs.
func (w *NodeWorld) pinnedPods(t *testing.T) map[string]string {
	var manifest strings.Builder
	for i, n := range w.Nodes {
		fmt.Fprintf(&manifest, `---
apiVersion: v1
kind: Pod
metadata:
  name: p%d
  labels: {role: client}
spec:
  nodeName: %s
  containers:
  - {name: web, image: testhost}
  - {name: udp, image: testhost, args: ["udp-echo", "--port", "8081"]}
`, i, n.Name)
	}
	if out, err := w.KubectlErr(manifest.String(), "apply", "-f", "-"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ips := map[string]string{}
	for i := range w.Nodes {
		name := fmt.Sprintf("p%d", i)
		w.waitReady(t, name)
		ips[name] = w.podField(t, name, "{.status.podIP}")
	}
	return ips
}

// checkMasqueradeOut: a pod reaching an address outside the cluster (the
// underlay's host side) arrives with its node's address.
func (w *NodeWorld) checkMasqueradeOut(t *testing.T) {
	gw := w.underlayGateway(t)
	ln := listenIn(t, w.Outside, net.JoinHostPort(gw, "0"))
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { io.WriteString(rw, r.RemoteAddr) })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	out := w.Kubectl("exec", "p2", "-c", "web", "--", "/testhost", "get", "http://"+ln.Addr().String()+"/")
	if want := w.Nodes[2].IP + ":"; !strings.HasPrefix(strings.TrimSpace(out), want) {
		t.Errorf("pod → outside arrived from %q, want node 2's address %s (masqueraded)", out, w.Nodes[2].IP)
	}
}

// checkServicesAcrossNodes: a 3-replica Deployment spread over the nodes
// behind a NodePort Service; every node's pod reaches every replica through
// the ClusterIP; every node's NodePort from outside does too; a NodePort
// with externalTrafficPolicy Local answers only on the node with the
// endpoint, and keeps the client's address.
func (w *NodeWorld) checkServicesAcrossNodes(t *testing.T, clients map[string]string) {
	w.Kubectl("create", "deployment", "web", "--image=testhost", "--replicas=3")
	w.Kubectl("expose", "deployment", "web", "--port=80", "--type=NodePort")
	w.Kubectl("rollout", "status", "deployment/web", "--timeout=180s")
	w.waitPods(t, "app=web", 3)
	placed := strings.Fields(w.Kubectl("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].spec.nodeName}"))
	if len(uniq(placed)) != 3 {
		t.Fatalf("the scheduler did not spread the replicas over the 3 nodes: %v", placed)
	}
	backends := uniq(strings.Fields(w.Kubectl("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}")))
	clusterIP := strings.TrimSpace(w.Kubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"))
	nodePort := strings.TrimSpace(w.Kubectl("get", "svc", "web", "-o", "jsonpath={.spec.ports[0].nodePort}"))
	waitFor(t, 60*time.Second, "3 ready endpoints", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}")
		return len(strings.Fields(out)) == 3, out
	})

	loop := fmt.Sprintf(`for i in 1 2 3 4 5 6 7 8 9; do /testhost get http://%s/hostname; echo; done`, clusterIP)
	for client := range clients {
		out := w.Kubectl("exec", client, "-c", "web", "--", "sh", "-c", loop)
		if got := uniq(strings.Fields(out)); strings.Join(got, " ") != strings.Join(backends, " ") {
			t.Errorf("ClusterIP from %s reached %v, want all of %v", client, got, backends)
		}
	}

	hc := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DialContext: dialIn(w.Outside), DisableKeepAlives: true}}
	get := func(url string) (string, error) {
		resp, err := hc.Get(url)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	for _, n := range w.Nodes {
		var seen []string
		for i := 0; i < 9; i++ {
			h, err := get("http://" + net.JoinHostPort(n.IP, nodePort) + "/hostname")
			if err != nil {
				t.Fatalf("NodePort on %s: %v", n.Name, err)
			}
			seen = append(seen, h)
		}
		if got := uniq(seen); strings.Join(got, " ") != strings.Join(backends, " ") {
			t.Errorf("NodePort on %s reached %v, want all of %v", n.Name, got, backends)
		}
	}

	// externalTrafficPolicy: Local, one endpoint, on node 1
	if out, err := w.KubectlErr(fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: solo}
spec:
  replicas: 1
  selector: {matchLabels: {app: solo}}
  template:
    metadata: {labels: {app: solo}}
    spec:
      nodeSelector: {kubernetes.io/hostname: %s}
      containers: [{name: web, image: testhost}]
---
apiVersion: v1
kind: Service
metadata: {name: solo}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: solo}
  ports: [{port: 80}]
`, w.Nodes[1].Name), "apply", "-f", "-"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	w.waitPods(t, "app=solo", 1)
	soloPort := strings.TrimSpace(w.Kubectl("get", "svc", "solo", "-o", "jsonpath={.spec.ports[0].nodePort}"))
	gw := w.underlayGateway(t)
	waitFor(t, 60*time.Second, "the Local NodePort to answer on node 1", func() (bool, string) {
		out, err := get("http://" + net.JoinHostPort(w.Nodes[1].IP, soloPort) + "/clientip")
		return err == nil && strings.HasPrefix(out, gw+":"), fmt.Sprint(out, err)
	})
	for _, i := range []int{0, 2} {
		if out, err := get("http://" + net.JoinHostPort(w.Nodes[i].IP, soloPort) + "/clientip"); err == nil {
			t.Errorf("Local NodePort answered on %s without a local endpoint: %q", w.Nodes[i].Name, out)
		}
	}
}

// checkPeerRemoved: node 0 routes both peers' podCIDRs; once node 2 is
// stopped and its Node deleted, its route (and with vxlan its forwarding and
// neighbour entries) go from node 0, node 1's stay.
func (w *NodeWorld) checkPeerRemoved(t *testing.T, mode string) {
	cidr := func(i int) string {
		return strings.TrimSpace(w.Kubectl("get", "node", w.Nodes[i].Name, "-o", "jsonpath={.spec.podCIDR}"))
	}
	cidr1, cidr2 := cidr(1), cidr(2)
	state := func() string {
		routes, _ := w.InNodeN(0, "ip", "-o", "route", "show", "proto", "201")
		fdb, _ := w.InNodeN(0, "bridge", "fdb", "show", "dev", "berth.vxlan")
		return routes + fdb
	}
	has := func(s, cidr string, i int) bool {
		ok := strings.Contains(s, cidr+" via ")
		if mode == "vxlan" {
			ok = ok && strings.Contains(s, "dst "+w.Nodes[i].IP)
		}
		return ok
	}
	if s := state(); !has(s, cidr1, 1) || !has(s, cidr2, 2) {
		t.Fatalf("node 0 does not route both peers:\n%s", s)
	}
	w.StopNode(2, false)
	w.Kubectl("delete", "node", w.Nodes[2].Name)
	waitFor(t, 60*time.Second, "node 2's entries to leave node 0", func() (bool, string) {
		s := state()
		return has(s, cidr1, 1) && !strings.Contains(s, cidr2) && !strings.Contains(s, w.Nodes[2].IP), s
	})
}

// underlayGateway is the host side's address on the underlay (.1).
func (w *NodeWorld) underlayGateway(t *testing.T) string {
	ip := net.ParseIP(w.Nodes[0].IP).To4()
	if ip == nil {
		t.Fatalf("node 0 address %q", w.Nodes[0].IP)
	}
	return net.IPv4(ip[0], ip[1], ip[2], 1).String()
}

// listenIn opens a TCP listener inside the named network namespace.
func listenIn(t *testing.T, nsName, addr string) net.Listener {
	t.Helper()
	ns, err := netns.GetFromName(nsName)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	var l net.Listener
	var lerr error
	if err := InNetNS(ns, func() { l, lerr = net.Listen("tcp", addr) }); err != nil || lerr != nil {
		t.Fatalf("listen in %s: %v %v", nsName, err, lerr)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func uniq(s []string) []string {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	var out []string
	for v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
