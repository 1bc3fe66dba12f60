package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/vishvananda/netns"
)

// TestServicesSurviveAPILoss: "the proxy and DNS keep serving from their
// last known state when the API server is unreachable". Two nodes; the
// Service's pods and the client run on node 1 (an agent). With the server
// (node 0) killed, the ClusterIP still balances over the pods and the
// Service's name still resolves, from node 1's rules and caches; with the
// server back, node 1 follows changes again (a scale-down and a new
// Service).
func TestServicesSurviveAPILoss(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorldWith(t, NodeWorldOptions{Nodes: 2, Serial: true})
	node1 := w.Nodes[1].Name
	if out, err := w.KubectlErr(fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: nginx}
spec:
  replicas: 2
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      nodeName: %s
      terminationGracePeriodSeconds: 1
      containers: [{name: c, image: testhost}]
`, node1), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.Kubectl("apply", "-f", testdata("nginx-service.yaml"))
	w.waitPods(t, "app=nginx", 2)
	w.waitReadyEndpoints(t, "nginx-service", 2)
	clusterIP := strings.TrimSpace(w.Kubectl("get", "svc", "nginx-service", "-o", "jsonpath={.spec.clusterIP}"))
	ns := PodNetNS(t, w.clientPod(t, "client", "  nodeName: "+node1))
	addr := clusterIP + ":80"
	const name = "nginx-service.default.svc.cluster.local."

	// serving checks that the ClusterIP reaches both pods and the name
	// resolves to the ClusterIP, over UDP and TCP.
	serving := func(when string) {
		t.Helper()
		hosts := map[string]int{}
		for i := 0; i < 10; i++ {
			r := GetIn(ns, addr, "/hostname", 5*time.Second)
			if r.Err != nil {
				t.Fatalf("%s: request %d to %s: %v", when, i, addr, r.Err)
			}
			hosts[r.Body]++
		}
		if len(hosts) != 2 {
			t.Fatalf("%s: requests reached %v, want both pods", when, hosts)
		}
		for _, proto := range []string{"udp", "tcp"} {
			if got := resolveA(ns, proto, name); got != clusterIP {
				t.Fatalf("%s: %s over %s: %q, want %s", when, name, proto, got, clusterIP)
			}
		}
	}
	serving("with the API server up")

	w.KillServer()
	t.Logf("server killed")
	serving("right after the API server died")
	time.Sleep(15 * time.Second) // informers retry, leases expire: nothing may be dropped
	serving("15 s without the API server")

	w.Start()
	t.Logf("server restarted")
	serving("with the API server back")

	// Converges: a scale-down reaches node 1's proxy, a new Service its DNS.
	// Node 1's informers reconnect on client-go's reflector backoff, which
	// grew while the server was away (up to 30 s, jittered to 60 s), so the
	// bounds are generous.
	back := time.Now()
	w.Kubectl("scale", "deployment", "nginx", "--replicas=1")
	w.waitReadyEndpoints(t, "nginx-service", 1)
	survivor := strings.TrimSpace(w.Kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=nginx-service",
		"-o", "jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].targetRef.name}"))
	waitFor(t, 90*time.Second, "requests to reach only "+survivor, func() (bool, string) {
		for i := 0; i < 6; i++ {
			if r := GetIn(ns, addr, "/hostname", 5*time.Second); r.Err != nil || r.Body != survivor {
				return false, r.Body + " " + errString(r.Err)
			}
		}
		return true, ""
	})
	w.Kubectl("create", "service", "clusterip", "after", "--tcp=80:80")
	afterIP := strings.TrimSpace(w.Kubectl("get", "svc", "after", "-o", "jsonpath={.spec.clusterIP}"))
	t.Logf("node 1's proxy follows the scale-down %v after the restart", time.Since(back).Round(time.Second))
	waitFor(t, 90*time.Second, "node 1's DNS to know the new Service", func() (bool, string) {
		got := resolveA(ns, "udp", "after.default.svc.cluster.local.")
		return got == afterIP, got
	})
	t.Logf("node 1's DNS answers for a new Service %v after the restart", time.Since(back).Round(time.Second))
}

// resolveA asks the cluster DNS from ns for name's A record and returns
// the addresses (space-separated), or the error or rcode.
func resolveA(ns netns.NsHandle, proto, name string) string {
	resp, err := DNSQueryIn(ns, proto, clusterDNS, name, mdns.TypeA)
	if err != nil {
		return err.Error()
	}
	if resp.Rcode != mdns.RcodeSuccess {
		return mdns.RcodeToString[resp.Rcode]
	}
	var ips []string
	for _, rr := range resp.Answer {
		if a, ok := rr.(*mdns.A); ok {
			ips = append(ips, a.A.String())
		}
	}
	return strings.Join(ips, " ")
}
