package bench

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-project/berth/test/e2e"
)

// TestIngressReport measures requests/s and p99 latency through the node's
// ingress proxy against the same pods reached directly by pod IP, in one
// run, with keep-alive connections and with a new connection per request.
// The client runs in the node's network namespace for both, so the ratio
// is the cost of the proxy hop.
//
//	sudo BERTH_BENCH=1 go test -run TestIngressReport -v -timeout 20m ./bench/
func TestIngressReport(t *testing.T) {
	if os.Getenv("BERTH_BENCH") != "1" {
		t.Skip("set BERTH_BENCH=1 to run the ingress report")
	}
	w := e2e.NewNodeWorld(t)
	kubectl := func(stdin string, args ...string) string {
		out, err := w.KubectlErr(stdin, args...)
		if err != nil {
			t.Fatalf("kubectl %v: %v\n%s", args, err, out)
		}
		return out
	}
	kubectl(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: testhost, readinessProbe: {httpGet: {path: /healthz, port: 80}, periodSeconds: 1}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: web.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`, "apply", "-f", "-")
	kubectl("", "rollout", "status", "deployment/web", "--timeout=180s")
	var podIPs []string
	deadline := time.Now().Add(60 * time.Second)
	for len(podIPs) != 2 && time.Now().Before(deadline) {
		podIPs = strings.Fields(kubectl("", "get", "endpointslices", "-l", "kubernetes.io/service-name=web",
			"-o", "jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}"))
		time.Sleep(200 * time.Millisecond)
	}
	if len(podIPs) != 2 {
		t.Fatalf("pod IPs: %v", podIPs)
	}
	ingressURL := []string{"http://web.example.com/hostname"}
	directURLs := []string{"http://" + podIPs[0] + "/hostname", "http://" + podIPs[1] + "/hostname"}
	// Wait for the proxy's table.
	probe := w.HTTPClient(true, w.NodeIP, false)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if resp, err := probe.Get(ingressURL[0]); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("ingress never routed to web")
		}
	}

	workers, dur := envInt("BERTH_BENCH_INGRESS_WORKERS", 8), time.Duration(envInt("BERTH_BENCH_INGRESS_SECONDS", 5))*time.Second
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d workers, %v per measurement, client in the node's network namespace, 2 testhost pods\n\n", workers, dur)
	b.WriteString("| connections | direct req/s | ingress req/s | ingress/direct | direct p99 | ingress p99 | p99 ratio |\n|---|---|---|---|---|---|---|\n")
	for _, keepAlive := range []bool{true, false} {
		direct := ingressLoad(w.HTTPClient(true, "", keepAlive), directURLs, workers, dur)
		ingress := ingressLoad(w.HTTPClient(true, w.NodeIP, keepAlive), ingressURL, workers, dur)
		if direct.errs > 0 || ingress.errs > 0 {
			t.Errorf("errors: direct %d, ingress %d", direct.errs, ingress.errs)
		}
		mode := "keep-alive"
		if !keepAlive {
			mode = "new per request"
		}
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.2f | %v | %v | %.2f |\n", mode, direct.rate(), ingress.rate(), ingress.rate()/direct.rate(),
			direct.lat.pct(0.99).Round(10*time.Microsecond), ingress.lat.pct(0.99).Round(10*time.Microsecond), float64(ingress.lat.pct(0.99))/float64(direct.lat.pct(0.99)))
	}
	if out, err := exec.Command("cat", "/proc/loadavg").Output(); err == nil {
		fmt.Fprintf(&b, "\nload average: %s", out)
	}
	t.Log(b.String())
}

// ingressLoad sends GETs from workers in a closed loop for dur, cycling through
// urls, and returns the throughput and latencies of the 200 answers (the
// Services report's loadResult).
func ingressLoad(c *http.Client, urls []string, workers int, dur time.Duration) loadResult {
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(dur)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var lat samples
			errs := 0
			for n := i; time.Now().Before(end); n++ {
				t0 := time.Now()
				resp, err := c.Get(urls[n%len(urls)])
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					errs++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.ok += len(lat)
			res.errs += errs
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	res.wall = time.Since(start)
	c.CloseIdleConnections()
	return res
}
