package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/cluster"
	"github.com/berth-project/berth/internal/lbannounce"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Settings of the failure test's cluster: heartbeats every 2 s (a quarter of
// the 8 s Lease), a node silent for 10 s is NotReady, and the test's pods
// tolerate an unreachable node for 20 s.
const (
	failureGrace        = 10 * time.Second
	failureToleration   = 20
	failureLeaseSeconds = "8"
)

var failureClusterArgs = []string{
	"--server-arg=--node-monitor-grace-period=" + failureGrace.String(),
	"--server-arg=--node-lease-duration-seconds=" + failureLeaseSeconds,
	"--agent-arg=--node-lease-duration-seconds=" + failureLeaseSeconds,
}

const failureWorkload = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 2
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: %[1]d}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: %[1]d}
      containers:
      - name: web
        image: testhost
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - {port: 80, targetPort: 80}
`

// TestNodeFailure is the node-failure part of the many-nodes issue: a
// 3-node cluster, a Deployment spread over it behind a Service; one node
// with an endpoint is cut off the network. Within the grace period (plus
// a few seconds) the node is NotReady and tainted, and its endpoint is no
// longer ready in the EndpointSlice; after the pods' tolerationSeconds the
// pod is evicted and replaced on another node. Healed, the node is Ready
// again, untainted, and the evicted pod and its containers are gone. Then
// `berth cluster node add` grows the cluster, and delete leaves nothing.
func TestNodeFailure(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorldWith(t, NodeWorldOptions{Nodes: 3, CreateArgs: failureClusterArgs, Serial: true})
	cs := w.Clientset()
	ctx := context.Background()
	st, err := cluster.LoadState(w.paths)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := w.KubectlErr(fmt.Sprintf(failureWorkload, failureToleration), "apply", "-f", "-"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	w.waitPods(t, "app=web", 3)
	waitFor(t, 60*time.Second, "3 ready endpoints", func() (bool, string) {
		ready, _, err := endpointIPs(ctx, w)
		return err == nil && len(ready) == 3, fmt.Sprint(ready, err)
	})

	// The Service's LoadBalancer address is announced by node 1 or 2 (the
	// server's node is excluded, so that cutting the announcer off leaves
	// the API reachable).
	w.Kubectl("label", "node", st.Nodes[0].Name, lbannounce.LabelExcludeFromLB+"=")
	var lbIP string
	waitFor(t, 60*time.Second, "the LoadBalancer address to answer from outside", func() (bool, string) {
		lbIP = strings.TrimSpace(w.Kubectl("get", "svc", "web", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"))
		if lbIP == "" {
			return false, "no address"
		}
		body, err := w.outsideGet("http://" + lbIP + "/")
		return err == nil, fmt.Sprint(body, err)
	})
	lbAddr := netip.MustParseAddr(lbIP)
	announcer := w.lbHolder(t, lbAddr)
	t.Logf("LoadBalancer %s announced by %s", lbIP, announcer)

	// the victim: the announcing node, which runs a web pod (any node
	// other than the server's with a web pod if it does not)
	pods, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	var victim corev1.Pod
	for _, p := range pods.Items {
		if p.Spec.NodeName != st.Nodes[0].Name && p.DeletionTimestamp == nil && (victim.Name == "" || p.Spec.NodeName == announcer) {
			victim = p
		}
	}
	if victim.Name == "" {
		t.Fatalf("no web pod outside the server node: %v", podNodes(pods.Items))
	}
	node := victim.Spec.NodeName
	t.Logf("isolating %s, which runs %s (%s)", node, victim.Name, victim.Status.PodIP)
	isolated := time.Now()
	if out, err := w.berth("cluster", "node", "isolate", w.Cluster, node); err != nil {
		t.Fatalf("node isolate: %v\n%s", err, out)
	}
	healed := false
	t.Cleanup(func() {
		if !healed {
			_, _ = w.berth("cluster", "node", "heal", w.Cluster, node)
		}
	})

	// the bound this test asserts: the grace period plus the monitor
	// period, the status write and the EndpointSlice update — generously
	bound := failureGrace + 15*time.Second
	waitFor(t, bound+30*time.Second, node+" NotReady and tainted", func() (bool, string) {
		n, err := cs.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return readyOf(n) == corev1.ConditionUnknown && hasNoExecute(n, corev1.TaintNodeUnreachable), fmt.Sprintf("Ready=%s taints=%v", readyOf(n), n.Spec.Taints)
	})
	if d := time.Since(isolated); d > bound {
		t.Errorf("%s became NotReady %s after it was cut off; want within %s", node, d.Round(time.Second), bound)
	} else {
		t.Logf("%s NotReady %s after it was cut off (grace %s)", node, d.Round(100*time.Millisecond), failureGrace)
	}
	n, _ := cs.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if c := conditionOf(n, corev1.NodeReady); c == nil || c.Reason != "NodeStatusUnknown" || c.Message != "Kubelet stopped posting node status." {
		t.Errorf("Ready condition %+v", c)
	}
	waitFor(t, bound+30*time.Second, "the victim's endpoint out of the Service", func() (bool, string) {
		ready, _, err := endpointIPs(ctx, w)
		return err == nil && !slices.Contains(ready, victim.Status.PodIP), fmt.Sprint(ready, err)
	})
	if d := time.Since(isolated); d > bound {
		t.Errorf("the endpoint on %s stayed ready %s after the node was cut off; want within %s", node, d.Round(time.Second), bound)
	} else {
		t.Logf("endpoint on %s not ready %s after the node was cut off", node, d.Round(100*time.Millisecond))
	}

	// Within the grace period no request goes to the cut-off node: from
	// outside, through the LoadBalancer address (announced by another
	// node once the victim's Lease ran out), every request is answered,
	// none by the victim's pod.
	if node == announcer {
		waitFor(t, 30*time.Second, "another node to announce the LoadBalancer address", func() (bool, string) {
			h := w.lbHolder(t, lbAddr)
			return h != "" && h != node, h
		})
	}
	for i := 0; i < 30; i++ {
		body, err := w.outsideGet("http://" + lbIP + "/")
		if err != nil || strings.Contains(body, victim.Name) {
			t.Errorf("request %d through the LoadBalancer after the node was cut off: %v %s", i, err, body)
		}
	}

	// after tolerationSeconds: evicted (Terminating, as the node cannot
	// confirm) and replaced on another node
	waitFor(t, 120*time.Second, "the victim evicted and replaced elsewhere", func() (bool, string) {
		p, err := cs.CoreV1().Pods("default").Get(ctx, victim.Name, metav1.GetOptions{})
		if err == nil && p.DeletionTimestamp == nil {
			return false, "victim not deleted yet"
		}
		list, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, err.Error()
		}
		live := 0
		for _, p := range list.Items {
			if p.DeletionTimestamp == nil && p.Spec.NodeName != node && podIsReady(&p) {
				live++
			}
		}
		return live == 3, fmt.Sprintf("%d ready pods elsewhere: %v", live, podNodes(list.Items))
	})
	if p, err := cs.CoreV1().Pods("default").Get(ctx, victim.Name, metav1.GetOptions{}); err == nil {
		if c := podConditionOf(p, corev1.DisruptionTarget); c == nil || c.Reason != "DeletionByTaintManager" {
			t.Errorf("evicted pod's DisruptionTarget condition: %+v", c)
		}
	}
	waitFor(t, 60*time.Second, "3 ready endpoints, none on "+node, func() (bool, string) {
		ready, _, err := endpointIPs(ctx, w)
		return err == nil && len(ready) == 3 && !slices.Contains(ready, victim.Status.PodIP), fmt.Sprint(ready, err)
	})

	// heal: Ready, untainted, the stale pod and its containers gone
	if out, err := w.berth("cluster", "node", "heal", w.Cluster, node); err != nil {
		t.Fatalf("node heal: %v\n%s", err, out)
	}
	healed = true
	healedAt := time.Now()
	waitFor(t, 120*time.Second, node+" Ready and untainted again", func() (bool, string) {
		n, err := cs.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return readyOf(n) == corev1.ConditionTrue && len(n.Spec.Taints) == 0, fmt.Sprintf("Ready=%s taints=%v", readyOf(n), n.Spec.Taints)
	})
	t.Logf("%s Ready again %s after heal", node, time.Since(healedAt).Round(100*time.Millisecond))
	waitFor(t, 180*time.Second, "the stale pod gone from the API and its node", func() (bool, string) {
		_, err := cs.CoreV1().Pods("default").Get(ctx, victim.Name, metav1.GetOptions{})
		if err == nil {
			return false, "still in the API"
		}
		ids := containersOf(w, st, node, victim.UID)
		return len(ids) == 0, fmt.Sprintf("containers left: %v", ids)
	})

	t.Logf("stale pod and containers gone %s after heal", time.Since(healedAt).Round(100*time.Millisecond))

	// node add
	out, err := w.berth("cluster", "node", "add", w.Cluster, "--wait", "180s")
	if err != nil {
		t.Fatalf("node add: %v\n%s", err, out)
	}
	added := cluster.NodeName(w.Cluster, 3)
	if !strings.Contains(out, added) {
		t.Errorf("node add output does not name %s:\n%s", added, out)
	}
	n, err = cs.CoreV1().Nodes().Get(ctx, added, metav1.GetOptions{})
	if err != nil || readyOf(n) != corev1.ConditionTrue {
		t.Fatalf("added node: %v %+v", err, n.Status.Conditions)
	}
	if got := w.Kubectl("get", "nodes", "--no-headers"); strings.Count(got, " Ready ") != 4 {
		t.Errorf("want 4 Ready nodes:\n%s", got)
	}

	// delete leaves nothing of the 4 nodes behind
	w.Destroy()
	for i := 0; i < 4; i++ {
		if _, err := os.Stat("/run/netns/" + cluster.NodeNetNS(w.Cluster, i)); err == nil {
			t.Errorf("namespace %s left after delete", cluster.NodeNetNS(w.Cluster, i))
		}
	}
	if links := w.world.Links(); len(links) > 1 {
		t.Errorf("links left in the world after delete: %v", links)
	}
}

// endpointIPs are the ready and not-ready addresses of the web Service's
// EndpointSlices.
func endpointIPs(ctx context.Context, w *NodeWorld) (ready, notReady []string, err error) {
	list, err := w.Clientset().DiscoveryV1().EndpointSlices("default").List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=web"})
	if err != nil {
		return nil, nil, err
	}
	for _, s := range list.Items {
		for _, e := range s.Endpoints {
			if e.Conditions.Ready != nil && *e.Conditions.Ready {
				ready = append(ready, e.Addresses...)
			} else {
				notReady = append(notReady, e.Addresses...)
			}
		}
	}
	return ready, notReady, nil
}

// containersOf lists the runc containers of a pod on a node of the cluster.
func containersOf(w *NodeWorld, st *cluster.State, nodeName string, uid types.UID) []string {
	for _, n := range st.Nodes {
		if n.Name != nodeName {
			continue
		}
		root := filepath.Join(w.paths.AgentRunDir(n.Index), "runc")
		out, err := exec.Command("nsenter", "--mount="+w.paths.MountNSPin(n.Index), "--net=/run/netns/"+n.NetNS, "runc", "--root", root, "list", "-q").CombinedOutput()
		if err != nil {
			return []string{"runc list: " + err.Error() + ": " + string(out)}
		}
		var ids []string
		for _, id := range strings.Fields(string(out)) {
			if strings.Contains(id, string(uid)) {
				ids = append(ids, id)
			}
		}
		return ids
	}
	return []string{"no node " + nodeName}
}

func readyOf(n *corev1.Node) corev1.ConditionStatus {
	if c := conditionOf(n, corev1.NodeReady); c != nil {
		return c.Status
	}
	return ""
}

func conditionOf(n *corev1.Node, t corev1.NodeConditionType) *corev1.NodeCondition {
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == t {
			return &n.Status.Conditions[i]
		}
	}
	return nil
}

func podConditionOf(p *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == t {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

func podIsReady(p *corev1.Pod) bool {
	c := podConditionOf(p, corev1.PodReady)
	return c != nil && c.Status == corev1.ConditionTrue
}

func hasNoExecute(n *corev1.Node, key string) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key && t.Effect == corev1.TaintEffectNoExecute {
			return true
		}
	}
	return false
}

func podNodes(pods []corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		s := p.Name + "@" + p.Spec.NodeName
		if p.DeletionTimestamp != nil {
			s += "(terminating)"
		}
		out = append(out, s)
	}
	return out
}
