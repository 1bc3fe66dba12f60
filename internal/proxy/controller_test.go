package proxy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/client-go/kubernetes/fake"
)

// TestController: informer events lead to syncs with the cluster's objects;
// nothing is applied before the caches are complete.
func TestController(t *testing.T) {
	client := fake.NewClientset()
	fb := &fakeBackend{synced: make(chan struct{}, 64)}
	reg := prometheus.NewRegistry()
	c, err := newController(client, sampleNode(), Options{MinSyncInterval: 10 * time.Millisecond, Metrics: reg}.withDefaults(), fb)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	svc := service("ns", "web", "10.43.0.10", httpPorts)
	if _, err := client.CoreV1().Services("ns").Create(ctx, svc, metav1Create); err != nil {
		t.Fatal(err)
	}
	es := slice("ns", "web", "web-1", httpSlice, localEP)
	if _, err := client.DiscoveryV1().EndpointSlices("ns").Create(ctx, es, metav1Create); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		rs := c.Proxier().Applied()
		return rs != nil && strings.Contains(rs.String(), "dnat to 10.42.0.7:8080")
	})
	if err := client.DiscoveryV1().EndpointSlices("ns").Delete(ctx, "web-1", metav1Delete); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		rs := c.Proxier().Applied()
		return rs != nil && strings.Contains(rs.String(), "10.43.0.10 . tcp . 80 : goto reject-chain")
	})
	if n := testutil.ToFloat64(c.Proxier().metrics.rules); n < 10 {
		t.Errorf("rules metric %v", n)
	}
	if n, err := testutil.GatherAndCount(reg, "berth_proxy_sync_duration_seconds"); err != nil || n == 0 {
		t.Errorf("sync duration metric: %d, %v", n, err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
