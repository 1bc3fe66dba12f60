package proxy

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

func TestHealthChecks(t *testing.T) {
	hcPort := func(p int32) svcOpt { return func(s *corev1.Service) { s.Spec.HealthCheckNodePort = p } }
	lb := func(name string, opts ...svcOpt) *corev1.Service {
		return service("ns", name, "10.43.0.20", httpPorts, append([]svcOpt{loadBalancer("203.0.113.7"), nodePortType(30080)}, opts...)...)
	}
	services := []*corev1.Service{
		lb("local-two", etpLocal, hcPort(32001)),
		lb("local-none", etpLocal, hcPort(32000)),
		lb("cluster-policy", hcPort(32002)), // ETP Cluster: no health check
		lb("not-allocated", etpLocal),       // no healthCheckNodePort
		service("ns", "nodeport", "10.43.0.21", httpPorts, nodePortType(30081), etpLocal, hcPort(32003)), // not a LoadBalancer
	}
	slices := []*discoveryv1.EndpointSlice{
		slice("ns", "local-two", "a", httpSlice, localEP, remoteEP, ep{ip: "10.42.0.8", node: "node-a"},
			ep{ip: "10.42.0.9", node: "node-a", notReady: true}, ep{ip: "10.42.0.10", node: "node-a", terminating: true}),
		slice("ns", "local-none", "b", httpSlice, remoteEP),
	}
	want := []HealthCheck{
		{Port: 32000, Namespace: "ns", Name: "local-none", LocalEndpoints: 0},
		{Port: 32001, Namespace: "ns", Name: "local-two", LocalEndpoints: 2},
	}
	if d := cmp.Diff(want, HealthChecks(services, slices, sampleNode())); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func TestHealthServer(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	h := newHealthServer("", slog.Default())
	t.Cleanup(h.close)
	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)

	h.sync([]HealthCheck{{Port: port, Namespace: "ns", Name: "web", LocalEndpoints: 2}})
	code, body := httpGet(t, url)
	if code != http.StatusOK || body.LocalEndpoints != 2 || body.Service.Name != "web" || body.Service.Namespace != "ns" || !body.ServiceProxyHealthy {
		t.Fatalf("with local endpoints: %d %+v", code, body)
	}
	h.sync([]HealthCheck{{Port: port, Namespace: "ns", Name: "web", LocalEndpoints: 0}})
	if code, body := httpGet(t, url); code != http.StatusServiceUnavailable || body.LocalEndpoints != 0 {
		t.Fatalf("without local endpoints: %d %+v", code, body)
	}
	h.sync(nil)
	if _, err := http.Get(url); err == nil {
		t.Fatal("listener still open after the Service went away")
	}
}

func httpGet(t *testing.T, url string) (int, healthResponse) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var body healthResponse
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}
