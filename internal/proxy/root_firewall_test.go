package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// TestRootSourceRangesAndHealthCheck: a LoadBalancer IP with
// loadBalancerSourceRanges answers the outside host while its address is in
// the ranges and drops it otherwise; with externalTrafficPolicy Local the
// health-check NodePort answers 200 with the local endpoint count, 503 when
// the endpoints live on another node.
func TestRootSourceRangesAndHealthCheck(t *testing.T) {
	c := newTestCluster(t, "pod-a", "pod-b")
	t.Cleanup(c.proxier.Close)
	a, b := c.pods["pod-a"], c.pods["pod-b"]
	const lbIP = "203.0.113.7"
	runIn(t, c.outside, "ip", "route", "add", lbIP+"/32", "via", testNodeIP)
	onNode := func(node string) []*discoveryv1.EndpointSlice {
		return []*discoveryv1.EndpointSlice{slice("test", "lb", "lb-1", httpSlice,
			ep{ip: a.IP, node: node}, ep{ip: b.IP, node: node})}
	}
	lb := func(ranges ...string) *corev1.Service {
		return service("test", "lb", "10.43.0.60", httpPorts, loadBalancer(lbIP), nodePortType(30090), etpLocal,
			sourceRangesOpt(ranges...), func(s *corev1.Service) { s.Spec.HealthCheckNodePort = 32090 })
	}

	t.Run("source inside the ranges is served", func(t *testing.T) {
		c.source.set([]*corev1.Service{lb("192.0.2.0/24", testOutIP+"/32")}, onNode("node-a"))
		c.sync(t)
		if n := counts(getN(t, c.outside, lbIP+":80", 4)); n["pod-a"]+n["pod-b"] != 4 {
			t.Fatalf("allowed source: %v", n)
		}
	})

	t.Run("source outside the ranges is dropped", func(t *testing.T) {
		c.source.set([]*corev1.Service{lb("192.0.2.0/24")}, onNode("node-a"))
		c.sync(t)
		conn, err := dialIn(c.outside, lbIP+":80", time.Second)
		if err == nil {
			conn.Close()
			t.Fatal("connected from outside the source ranges")
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) && !isTimeout(err) {
			t.Fatalf("want the SYN dropped (a timeout), got %v", err)
		}
		// The NodePort is not covered by the ranges (as in kube-proxy).
		if n := counts(getN(t, c.outside, testNodeIP+":30090", 2)); n["pod-a"]+n["pod-b"] != 2 {
			t.Fatalf("NodePort: %v", n)
		}
	})

	t.Run("health-check NodePort: 200 with local endpoints", func(t *testing.T) {
		code, body := healthFrom(t, c.outside, testNodeIP+":32090")
		if code != http.StatusOK || body.LocalEndpoints != 2 || body.Service.Name != "lb" {
			t.Fatalf("got %d %+v, want 200 with 2 local endpoints", code, body)
		}
	})

	t.Run("health-check NodePort: 503 without", func(t *testing.T) {
		c.source.set([]*corev1.Service{lb("192.0.2.0/24")}, onNode("node-b"))
		c.sync(t)
		code, body := healthFrom(t, c.outside, testNodeIP+":32090")
		if code != http.StatusServiceUnavailable || body.LocalEndpoints != 0 {
			t.Fatalf("got %d %+v, want 503 with 0 local endpoints", code, body)
		}
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// healthFrom asks a health-check port from inside ns.
func healthFrom(t *testing.T, ns, addr string) (int, healthResponse) {
	t.Helper()
	conn, err := dialIn(ns, addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return conn, nil },
	}}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body healthResponse
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}
