package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Sizes of the run: chosen so the whole report takes about a minute on two
// shared cores while each figure still rests on thousands of operations.
const (
	bigList      = 10000
	smallList    = 1000
	createN      = 5000 // per side, in createRounds alternating chunks
	createRounds = 5
	getN         = 9000 // per side, in getRounds alternating chunks
	getRounds    = 3
	watchN       = 1000 // sequential writes per side
)

// workers is the number of concurrent clients for create and get;
// $BERTH_BENCH_WORKERS overrides it to see how either side scales.
var workers = envInt("BERTH_BENCH_WORKERS", 8)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestAPIReport prints the API-versus-etcd table that docs/benchmarks.md
// records. It is not a pass/fail test: goals are reported, not asserted.
func TestAPIReport(t *testing.T) {
	if os.Getenv("BERTH_BENCH") != "1" {
		t.Skip("set BERTH_BENCH=1 to run the API benchmark report")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	root := t.TempDir()
	srv, err := startServer(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.stop) // runs before TempDir's removal (cleanups are LIFO)
	e, err := newEnv(ctx, srv)
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	jsonCfg := *e.cfg
	jsonCfg.ContentType, jsonCfg.AcceptContentTypes = "application/json", "application/json"
	jsonCS, err := kubernetes.NewForConfig(&jsonCfg)
	if err != nil {
		t.Fatal(err)
	}

	var rep report
	step := func(name string) func() {
		start := time.Now()
		return func() { t.Logf("%-24s %v", name, time.Since(start).Round(time.Millisecond)) }
	}
	type mem struct{ rss, hwm, heap int64 }
	memory := func() mem {
		// Let the controllers' informers and the Go GC catch up so the
		// figure is a resting one, not a mid-burst peak.
		time.Sleep(5 * time.Second)
		var m mem
		if m.rss, m.hwm, err = srv.memory(); err != nil {
			t.Fatal(err)
		}
		if m.heap, err = e.goLiveHeap(ctx); err != nil {
			t.Fatal(err)
		}
		return m
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Memory, and the 10k objects everything below reads. The API side is
	// populated alone so that the raw keys are not in its memory figure.
	done := step("idle memory")
	idle := memory()
	done()
	for _, ns := range []string{"bench-10k", "bench-1k", "bench-create"} {
		check(e.namespace(ctx, ns))
	}
	done = step("populate 10k (API)")
	waitProfile := e.profileTo(ctx, "create", 5)
	pop, err := e.populate(ctx, "bench-10k", bigList, workers, 1, true)
	check(err)
	check(waitProfile())
	done()
	full := memory()
	check(e.heapProfileTo(ctx, "heap-10k"))
	done = step("populate 10k (etcd), 1k")
	check(srv.batch(&pop.etcd, 0, bigList, workers, func(i int) error { return e.etcdCreate(ctx, "bench-10k", cmName(i)) }))
	_, err = e.populate(ctx, "bench-1k", smallList, workers, 1, false)
	check(err)
	done()

	done = step("create")
	create, err := e.populate(ctx, "bench-create", createN, workers, createRounds, false)
	check(err)
	done()
	frac := create.api.rate() / create.etcd.rate()
	rep.throughput(fmt.Sprintf("create, %d workers (%d×%d alternating)", workers, createRounds, createN/createRounds), create,
		goal(frac >= 0.5, "API ≥ ½ etcd: %.2f", frac))
	rep.throughput(fmt.Sprintf("create 10k, %d workers (API, then etcd)", workers), pop,
		fmt.Sprintf("API/etcd %.2f", pop.api.rate()/pop.etcd.rate()))

	done = step("get")
	var get pair
	per := getN / getRounds
	spread := func(i int) string { return cmName(i * 7919 % bigList) } // 7919 is prime: visits every object
	for r := range getRounds {
		check(srv.batch(&get.api, r*per, per, workers, func(i int) error {
			_, err := e.cs.CoreV1().ConfigMaps("bench-10k").Get(ctx, spread(i), metav1.GetOptions{})
			return err
		}))
		check(srv.batch(&get.etcd, r*per, per, workers, func(i int) error {
			resp, err := e.etcd.Get(ctx, rawKey("bench-10k", spread(i)))
			if err == nil && len(resp.Kvs) != 1 {
				err = fmt.Errorf("missing %s", spread(i))
			}
			return err
		}))
	}
	done()
	rep.throughput(fmt.Sprintf("get one object, %d workers", workers), get, "")

	for _, l := range []struct {
		ns       string
		n, iters int
	}{{"bench-1k", smallList, 20}, {"bench-10k", bigList, 8}} {
		done = step(fmt.Sprintf("list %d", l.n))
		r, err := e.measureList(ctx, jsonCS, l.ns, l.n, l.iters)
		check(err)
		done()
		label := fmt.Sprintf("list %dk p50", l.n/1000)
		etcdP50 := r.etcd.pct(0.5)
		rep.latency(label+", consistent (no RV), protobuf", r.consistent.pct(0.5), etcdP50, "")
		rep.latency(label+", RV=0 (watch cache), protobuf", r.cached.pct(0.5), etcdP50, "")
		rep.latency(label+", consistent (no RV), JSON", r.consistentJSON.pct(0.5), etcdP50, "")
	}

	done = step("watch")
	w, err := e.measureWatch(ctx, "bench-watch", watchN)
	check(err)
	done()
	rep.latency("watch delivery after write returns, p50", w.api.pct(0.5), w.etcd.pct(0.5), "")
	rep.latency("watch delivery after write returns, p99", w.api.pct(0.99), w.etcd.pct(0.99),
		goal(w.api.pct(0.99) < 10*time.Millisecond, "API p99 < 10 ms"))
	rep.latency("watch, write start → event, p50", w.apiE2E.pct(0.5), w.etcdE2E.pct(0.5), "")
	rep.latency("watch, write start → event, p99", w.apiE2E.pct(0.99), w.etcdE2E.pct(0.99),
		goal(w.apiE2E.pct(0.99) < 10*time.Millisecond, "API p99 < 10 ms"))

	end := memory()
	memRow := func(name string, m mem) {
		rep.row(name, fmt.Sprintf("RSS %s, peak %s, live Go heap %s", mib(m.rss), mib(m.hwm), mib(m.heap)), "", "", "")
	}
	memRow("server memory, idle (empty cluster)", idle)
	memRow(fmt.Sprintf("server memory, %d ConfigMaps", bigList), full)
	memRow("server memory, end of run", end)

	rep.note("%s, %d CPUs (GOMAXPROCS %d), %s; %s", time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), loadavg())
	rep.note("raw etcd value: %d bytes, the protobuf the API stored for one ConfigMap (512 B of data, a label, an annotation)", len(e.value))
	rep.note("watch: %d writes per side, one at a time; events that arrived before the write call returned (counted as 0): API %d, etcd %d", watchN, w.apiEarly, w.etcdEarly)
	rep.note("memory with %d ConfigMaps: %s RSS and %s live Go heap more than idle, %.1f KiB RSS per object", bigList,
		mib(full.rss-idle.rss), mib(full.heap-idle.heap), float64(full.rss-idle.rss)/1024/bigList)
	rep.note("end of run: %d ConfigMaps through the API and %d raw keys, all in the same process", bigList+smallList+createN+watchN+1, bigList+smallList+createN+watchN)
	fmt.Println()
	rep.print(os.Stdout)
}

// goal renders a goal's verdict for the table.
func goal(met bool, format string, args ...any) string {
	v := "MISSED"
	if met {
		v = "met"
	}
	return fmt.Sprintf(format, args...) + " → " + v
}

// loadavg notes how busy the shared machine was.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if err != nil || len(f) < 3 {
		return "load unknown"
	}
	return "load average " + strings.Join(f[:3], " ")
}
