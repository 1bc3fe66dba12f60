package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var hostnameField = regexp.MustCompile(`"hostname":\s*"([^"]+)"`)

// TestProxyIPTablesModeRandom: `berth cluster create --proxy-mode=iptables
// --proxy-balance=random` gives a node whose service proxy is iptables
// chains (no nftables table of ours) choosing backends at random: 30
// requests from the node to the ClusterIP reach all 3 pods, none more than
// 60 %, and the NodePort answers from outside the node.
func TestProxyIPTablesModeRandom(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorldWith(t, NodeWorldOptions{CreateArgs: []string{"--proxy-mode", "iptables", "--proxy-balance", "random"}})
	w.Kubectl("create", "deployment", "nginx", "--image=testhost", "--replicas=3")
	w.Kubectl("create", "service", "nodeport", "nginx", "--tcp=80:80")
	w.Kubectl("rollout", "status", "deployment/nginx", "--timeout=120s")
	waitFor(t, 30*time.Second, "3 ready endpoints", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "endpointslices", "-l", "kubernetes.io/service-name=nginx", "-o", "jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}")
		return len(strings.Fields(out)) == 3, out
	})
	clusterIP := strings.TrimSpace(w.Kubectl("get", "svc", "nginx", "-o", "jsonpath={.spec.clusterIP}"))
	nodePort := strings.TrimSpace(w.Kubectl("get", "svc", "nginx", "-o", "jsonpath={.spec.ports[0].nodePort}"))

	waitFor(t, 30*time.Second, "the ClusterIP in the node's iptables rules", func() (bool, string) {
		out, _ := w.InNode("iptables-save", "-t", "nat")
		return strings.Contains(out, "-d "+clusterIP+"/32") && strings.Contains(out, "--mode random"), out
	})
	if out, err := w.InNode("nft", "list", "table", "ip", "berth-proxy"); err == nil {
		t.Fatalf("iptables mode, yet the nftables table exists:\n%s", out)
	}

	seen := map[string]int{}
	for i := 0; i < 30; i++ {
		out, err := w.InNode("curl", "-sS", "--max-time", "5", "http://"+clusterIP+"/")
		m := hostnameField.FindStringSubmatch(out)
		if err != nil || m == nil {
			t.Fatalf("request %d to %s: %v\n%s", i, clusterIP, err, out)
		}
		seen[m[1]]++
	}
	t.Logf("30 random requests: %v", seen)
	if len(seen) != 3 {
		t.Fatalf("requests reached %d pods, want 3: %v", len(seen), seen)
	}
	for h, n := range seen {
		if n > 18 {
			t.Fatalf("%s got %d of 30 (more than 60 %%): %v", h, n, seen)
		}
	}
	for i := 0; i < 3; i++ {
		out, err := w.InOutside("curl", "-sS", "--max-time", "5", "http://"+w.NodeIP+":"+nodePort+"/")
		if err != nil || !hostnameField.MatchString(out) {
			t.Fatalf("NodePort %s:%s from outside: %v\n%s", w.NodeIP, nodePort, err, out)
		}
	}
}
