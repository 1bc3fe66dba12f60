package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rollYAML: testhost behind a readiness probe, serving 3 s more after
// SIGTERM (while the proxies learn the pod is terminating), a Service and
// an Ingress.
const rollYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: roll
spec:
  replicas: 3
  selector: {matchLabels: {app: roll}}
  template:
    metadata:
      labels: {app: roll}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
      - name: web
        image: testhost
        args: ["serve", "--port", "80", "--drain", "3s"]
        env: [{name: VERSION, value: "1"}]
        readinessProbe:
          httpGet: {path: /healthz, port: 80}
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: roll
spec:
  selector: {app: roll}
  ports:
  - {name: http, port: 80, targetPort: 80}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: roll
spec:
  rules:
  - host: roll.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: roll, port: {number: 80}}}}
`

// TestIngressRollingUpdate is acceptance 3 of the Ingress issue: while
// clients (with keep-alive and without) send requests through the ingress
// continuously, the Deployment is rolled (a changed env var); no request
// fails, and by the end the new pods answer.
func TestIngressRollingUpdate(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorldWith(t, NodeWorldOptions{Serial: true})
	w.apply(t, rollYAML)
	w.Kubectl("rollout", "status", "deployment/roll", "--timeout=120s")
	w.waitPods(t, "app=roll", 3)
	before := map[string]bool{}
	for _, n := range strings.Fields(w.Kubectl("get", "pods", "-l", "app=roll", "-o", "jsonpath={.items[*].metadata.name}")) {
		before[n] = true
	}
	probe := w.ingressClient(false)
	waitFor(t, 60*time.Second, "the ingress to route to roll", func() (bool, string) {
		code, body, _, err := ingressGet(probe, "http://roll.example.com/")
		return err == nil && code == 200, fmt.Sprintf("%d %v %s", code, err, body)
	})

	var (
		stop     atomic.Bool
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok       int
		failures []string
		answered = map[string]int{}
	)
	for _, keepAlive := range []bool{true, false} {
		c := w.ingressClient(keepAlive)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				code, body, _, err := ingressGet(c, "http://roll.example.com/")
				var r testhostReply
				_ = json.Unmarshal([]byte(body), &r)
				mu.Lock()
				if err != nil || code != 200 || r.Hostname == "" {
					failures = append(failures, fmt.Sprintf("keep-alive %v: %d %v %q", keepAlive, code, err, body))
				} else {
					ok++
					answered[r.Hostname]++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(2 * time.Second)
	w.Kubectl("set", "env", "deployment/roll", "VERSION=2")
	w.Kubectl("rollout", "status", "deployment/roll", "--timeout=180s")
	// The old pods finish terminating while the clients keep going.
	waitFor(t, 120*time.Second, "old pods gone", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pods", "-l", "app=roll", "-o", "jsonpath={.items[*].metadata.name}")
		for _, n := range strings.Fields(out) {
			if before[n] {
				return false, out
			}
		}
		return true, out
	})
	time.Sleep(2 * time.Second)
	stop.Store(true)
	wg.Wait()

	t.Logf("%d requests answered, by pod: %v", ok, answered)
	if len(failures) > 0 {
		t.Fatalf("%d of %d requests failed during the rollout, e.g.:\n%s", len(failures), ok+len(failures), strings.Join(failures[:min(len(failures), 10)], "\n"))
	}
	newPods := 0
	for h := range answered {
		if !before[h] {
			newPods++
		}
	}
	if newPods == 0 || ok < 50 {
		t.Fatalf("the rollout was not observed: %d requests, by pod %v", ok, answered)
	}
}
