package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/cluster"
	"github.com/berth-project/berth/internal/lbannounce"
	"github.com/mdlayher/arp"
)

// TestLoadBalancer (issue 5, acceptance 4, and the announcement): a
// LoadBalancer Service gets an address from the cluster's pool, kubectl
// shows it as EXTERNAL-IP, it answers from outside the nodes, exactly one
// node answers ARP for it (the Lease holder), and when that node's agent
// dies another node takes over within 2 s of the Lease running out.
// externalTrafficPolicy Local keeps the candidates to the two nodes with an
// endpoint (1 and 2), so the announcing node serves with its own pod.
func TestLoadBalancer(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorldWith(t, NodeWorldOptions{Nodes: 3, Serial: true})
	for i := 1; i <= 2; i++ {
		if out, err := w.KubectlErr(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: lbweb-%d
  labels: {app: lbweb}
spec:
  nodeName: %s
  containers:
  - name: web
    image: testhost
    readinessProbe:
      httpGet: {path: /healthz, port: 80}
      periodSeconds: 1
`, i, w.Nodes[i].Name), "apply", "-f", "-"); err != nil {
			t.Fatal(out)
		}
	}
	if out, err := w.KubectlErr(`apiVersion: v1
kind: Service
metadata:
  name: lbweb
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: lbweb}
  ports:
  - port: 80
    targetPort: 80
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitPods(t, "app=lbweb", 2)

	var ip string
	waitFor(t, 30*time.Second, "an EXTERNAL-IP", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "svc", "lbweb")
		ip, _ = w.KubectlErr("", "get", "svc", "lbweb", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}")
		ip = strings.TrimSpace(ip)
		return ip != "" && strings.Contains(out, ip), out
	})
	addr := netip.MustParseAddr(ip)
	pool := cluster.LBPool(w.NodeIP)
	first, last, _ := strings.Cut(pool, "-")
	if addr.Less(netip.MustParseAddr(first)) || netip.MustParseAddr(last).Less(addr) {
		t.Fatalf("EXTERNAL-IP %s is not in the cluster's pool %s", ip, pool)
	}

	get := func() (string, error) { return w.outsideGet("http://" + ip + "/") }
	waitFor(t, 30*time.Second, "the LoadBalancer address to answer from outside", func() (bool, string) {
		body, err := get()
		return err == nil, fmt.Sprint(body, err)
	})
	// Many LoadBalancer Services share a port on different addresses: the
	// ingress proxy's Service (kube-system/berth-ingress) is on port 80 too.
	ingIP := strings.TrimSpace(w.Kubectl("get", "svc", "-n", "kube-system", "berth-ingress", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"))
	if ingIP == "" || ingIP == ip {
		t.Fatalf("berth-ingress has LoadBalancer address %q, lbweb %q: want two different ones", ingIP, ip)
	}
	waitFor(t, 30*time.Second, "berth-ingress to answer on the same port at its own address", func() (bool, string) {
		body, err := w.outsideGet("http://" + ingIP + "/")
		return err != nil && strings.Contains(err.Error(), "HTTP 404"), fmt.Sprint(body, err) // no Ingress: the proxy's 404
	})
	holder := w.lbHolder(t, addr)
	hi := w.nodeIndex(t, holder)
	if hi == 0 {
		t.Fatalf("node 0 has no endpoint but holds the address")
	}
	w.assertOneARPAnswer(t, addr, hi)
	body, _ := get()
	if !strings.Contains(body, fmt.Sprintf("lbweb-%d", hi)) {
		t.Errorf("the announcing node %d should serve with its own pod (externalTrafficPolicy Local), got %s", hi, body)
	}

	// The announcing node fails.
	start := time.Now()
	w.StopNode(hi, true)
	other := 3 - hi
	var took time.Duration
	waitFor(t, 30*time.Second, "the address to answer from the other node", func() (bool, string) {
		body, err := get()
		took = time.Since(start)
		return err == nil && strings.Contains(body, fmt.Sprintf("lbweb-%d", other)), fmt.Sprint(body, err)
	})
	t.Logf("failover after the announcer died: %v (Lease duration %v)", took.Round(10*time.Millisecond), lbannounce.LeaseDuration)
	if limit := lbannounce.LeaseDuration + 2*time.Second + time.Second; took > limit {
		t.Errorf("failover took %v; want it within 2 s of the Lease (%v) running out (limit %v incl. 1 s of polling slack)", took, lbannounce.LeaseDuration, limit)
	}
	if h := w.lbHolder(t, addr); h != w.Nodes[other].Name {
		t.Errorf("Lease holder %s, want %s", h, w.Nodes[other].Name)
	}
	w.assertOneARPAnswer(t, addr, other)
}

// outsideGet does an HTTP GET from the world namespace (the host side of
// the node network), one connection per request.
func (w *NodeWorld) outsideGet(url string) (string, error) {
	tr := &http.Transport{DialContext: w.world.Dial, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return string(b), err
}

func (w *NodeWorld) lbHolder(t *testing.T, ip netip.Addr) string {
	t.Helper()
	return strings.TrimSpace(w.Kubectl("get", "lease", "-n", lbannounce.LeaseNamespace, lbannounce.LeaseName(ip), "-o", "jsonpath={.spec.holderIdentity}"))
}

func (w *NodeWorld) nodeIndex(t *testing.T, name string) int {
	t.Helper()
	for i, n := range w.Nodes {
		if n.Name == name {
			return i
		}
	}
	t.Fatalf("no node %q", name)
	return -1
}

// assertOneARPAnswer asks the node network who has ip and checks that
// exactly one MAC answers: node want's.
func (w *NodeWorld) assertOneARPAnswer(t *testing.T, ip netip.Addr, want int) {
	t.Helper()
	// ip, not /sys: sysfs shows the namespace it was mounted in.
	out, err := w.InNodeN(want, "ip", "-br", "link", "show", "eth0")
	f := strings.Fields(out)
	if err != nil || len(f) < 3 {
		t.Fatalf("node %d eth0: %v %s", want, err, out)
	}
	mac := f[2]
	macs, err := w.world.arpWhoHas(cluster.BridgeName(w.Cluster), ip)
	if err != nil {
		t.Fatal(err)
	}
	if len(macs) != 1 || macs[0] != strings.TrimSpace(mac) {
		t.Errorf("ARP answers for %s: %v; want exactly node %d's %s", ip, macs, want, strings.TrimSpace(mac))
	}
}

// arpWhoHas sends an ARP request for ip on the world's interface and
// returns the distinct MACs that answer within a second.
func (w *World) arpWhoHas(iface string, ip netip.Addr) ([]string, error) {
	var c *arp.Client
	err := w.inNetNS(func() error {
		ifi, err := net.InterfaceByName(iface)
		if err != nil {
			return err
		}
		c, err = arp.Dial(ifi)
		return err
	})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Request(ip); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	seen := map[string]bool{}
	var macs []string
	for ctx.Err() == nil {
		p, _, err := c.Read()
		if err != nil {
			break
		}
		if p.Operation == arp.OperationReply && p.SenderIP == ip && !seen[p.SenderHardwareAddr.String()] {
			seen[p.SenderHardwareAddr.String()] = true
			macs = append(macs, p.SenderHardwareAddr.String())
		}
	}
	return macs, nil
}
