package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/test/e2e"
)

// TestPodNetworkReport measures `berth cluster create` for 1 and 3 nodes,
// and pod-to-pod TCP throughput and 1-byte request/response latency
// (testhost perf) across nodes with VXLAN and with host-gw, each against
// same-node traffic measured in the same cluster.
//
//	sudo BERTH_BENCH=1 go test -run TestPodNetworkReport -v -timeout 30m ./bench/
func TestPodNetworkReport(t *testing.T) {
	if os.Getenv("BERTH_BENCH") != "1" {
		t.Skip("set BERTH_BENCH=1 to run the pod network report")
	}
	dur := envDuration("BERTH_BENCH_PERF_DURATION", 3*time.Second)
	rounds := 3
	// warm-up: the first world builds the binary and the test images
	e2e.NewNodeWorld(t).Destroy()

	start := time.Now()
	e2e.NewNodeWorld(t).Destroy()
	create1 := time.Since(start)

	var rows []string
	var create3 time.Duration
	for _, mode := range []string{"vxlan", "host-gw"} {
		start := time.Now()
		w := e2e.NewNodeWorldWith(t, e2e.NodeWorldOptions{Nodes: 3, CreateArgs: []string{"--pod-network", mode, "--wait", "240s"}})
		if create3 == 0 {
			create3 = time.Since(start)
		}
		ips := perfPods(t, w)
		// same-node and cross-node runs interleaved, median of `rounds`:
		// the machine is shared, and load moves during a run
		var sames, crosses []perfPairResult
		for i := 0; i < rounds; i++ {
			sames = append(sames, perfPair(t, w, ips["s0"], dur))
			crosses = append(crosses, perfPair(t, w, ips["s2"], dur))
		}
		same, cross := medianPerf(sames), medianPerf(crosses)
		rows = append(rows,
			fmt.Sprintf("| %s | same node | %.2f Gbit/s | %.0f µs | %.0f µs | 1 |", mode, same.stream.Gbps, same.rr.P50us, same.rr.P99us),
			fmt.Sprintf("| %s | node 0 → node 2 | %.2f Gbit/s | %.0f µs | %.0f µs | throughput %.2f, p50 %.2f, p99 %.2f |", mode,
				cross.stream.Gbps, cross.rr.P50us, cross.rr.P99us,
				cross.stream.Gbps/same.stream.Gbps, cross.rr.P50us/same.rr.P50us, cross.rr.P99us/same.rr.P99us))
		w.Destroy()
	}
	t.Logf("\nat the end: %s\nberth cluster create (world namespace included, until every node is Ready): 1 node %v, 3 nodes %v\n\n"+
		"| mode | path | TCP stream | RR p50 | RR p99 | cross / same node |\n|---|---|---|---|---|---|\n%s\n",
		loadavg(), create1.Round(100*time.Millisecond), create3.Round(100*time.Millisecond), strings.Join(rows, "\n"))
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

// perfPods starts perf servers s0 (node 0) and s2 (node 2) and the client
// c0 (node 0); returns the pod IPs.
func perfPods(t *testing.T, w *e2e.NodeWorld) map[string]string {
	var m strings.Builder
	for _, p := range []struct{ name, node, arg string }{
		{"s0", w.Nodes[0].Name, "perf-server"}, {"s2", w.Nodes[2].Name, "perf-server"}, {"c0", w.Nodes[0].Name, "sleep"},
	} {
		fmt.Fprintf(&m, "---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  nodeName: %s\n  terminationGracePeriodSeconds: 1\n  containers: [{name: c, image: testhost, args: [%q]}]\n", p.name, p.node, p.arg)
	}
	if out, err := w.KubectlErr(m.String(), "apply", "-f", "-"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	w.Kubectl("wait", "--for=condition=Ready", "pod/s0", "pod/s2", "pod/c0", "--timeout=120s")
	ips := map[string]string{}
	for _, p := range []string{"s0", "s2", "c0"} {
		ips[p] = strings.TrimSpace(w.Kubectl("get", "pod", p, "-o", "jsonpath={.status.podIP}"))
	}
	return ips
}

type perfOut struct {
	Gbps  float64 `json:"gbps"`
	P50us float64 `json:"p50_us"`
	P99us float64 `json:"p99_us"`
}

type perfPairResult struct{ stream, rr perfOut }

// perfPair runs testhost perf from c0 to the server at ip, both modes.
func perfPair(t *testing.T, w *e2e.NodeWorld, ip string, dur time.Duration) perfPairResult {
	var r perfPairResult
	for _, mode := range []string{"stream", "rr"} {
		out := w.Kubectl("exec", "c0", "--", "/testhost", "perf", ip+":5201", "--mode", mode, "--duration", dur.String())
		var p perfOut
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &p); err != nil {
			t.Fatalf("perf %s to %s: %v: %q", mode, ip, err, out)
		}
		if mode == "stream" {
			r.stream = p
		} else {
			r.rr = p
		}
	}
	return r
}

// medianPerf takes each figure's median over the runs.
func medianPerf(rs []perfPairResult) perfPairResult {
	med := func(get func(perfPairResult) float64) float64 {
		var v []float64
		for _, r := range rs {
			v = append(v, get(r))
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	var m perfPairResult
	m.stream.Gbps = med(func(r perfPairResult) float64 { return r.stream.Gbps })
	m.rr.P50us = med(func(r perfPairResult) float64 { return r.rr.P50us })
	m.rr.P99us = med(func(r perfPairResult) float64 { return r.rr.P99us })
	return m
}
