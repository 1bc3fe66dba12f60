package e2e

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/cluster"
)

// TestLoadBalancerSourceRangesAndHealthCheck: the proxy drops traffic to a
// LoadBalancer address from sources outside spec.loadBalancerSourceRanges,
// and serves the externalTrafficPolicy Local health-check NodePort: 200
// with the local endpoint count while the node has a ready pod, 503 after.
func TestLoadBalancerSourceRangesAndHealthCheck(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	st, err := cluster.LoadState(w.paths)
	if err != nil {
		t.Fatal(err)
	}
	client := st.Gateway // the outside's address on the node network
	if out, err := w.KubectlErr(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: fwweb
  labels: {app: fwweb}
spec:
  containers:
  - name: web
    image: testhost
    readinessProbe:
      httpGet: {path: /healthz, port: 80}
      periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: fwweb
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  loadBalancerSourceRanges: [%s/32]
  selector: {app: fwweb}
  ports:
  - port: 80
    targetPort: 80
`, client), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitPods(t, "app=fwweb", 1)
	var ip string
	waitFor(t, 30*time.Second, "an EXTERNAL-IP", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "svc", "fwweb", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}")
		ip = strings.TrimSpace(out)
		return ip != "", out
	})
	waitFor(t, 30*time.Second, "the LoadBalancer address to answer a source inside the ranges", func() (bool, string) {
		body, err := w.outsideGet("http://" + ip + "/")
		return err == nil && strings.Contains(body, "fwweb"), fmt.Sprint(body, err)
	})

	hc := strings.TrimSpace(w.Kubectl("get", "svc", "fwweb", "-o", "jsonpath={.spec.healthCheckNodePort}"))
	hcURL := "http://" + w.NodeIP + ":" + hc + "/healthz"
	waitFor(t, 30*time.Second, "health-check NodePort 200", func() (bool, string) {
		body, err := w.outsideGet(hcURL)
		return err == nil && strings.Contains(body, `"localEndpoints":1`), fmt.Sprint(body, err)
	})

	w.Kubectl("patch", "svc", "fwweb", "--type=merge", "-p", `{"spec":{"loadBalancerSourceRanges":["192.0.2.0/24"]}}`)
	waitFor(t, 30*time.Second, "connections from outside the ranges to be dropped", func() (bool, string) {
		_, err := w.outsideGet("http://" + ip + "/")
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout(), fmt.Sprint(err)
	})

	w.Kubectl("delete", "pod", "fwweb", "--wait=true")
	waitFor(t, 30*time.Second, "health-check NodePort 503 without a local endpoint", func() (bool, string) {
		body, err := w.outsideGet(hcURL)
		return err != nil && strings.Contains(err.Error(), "503") && strings.Contains(body, `"localEndpoints":0`), fmt.Sprint(body, err)
	})
}
