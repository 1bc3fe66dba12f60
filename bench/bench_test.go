package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/berth-project/berth/test/e2e"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The Go benchmarks share one server, started on first use and stopped by
// TestMain: starting one per benchmark would cost more than the benchmarks.
// They cover the per-request operations (create, get) at the report's
// concurrency; lists, watches and memory need populated state and live in
// TestAPIReport. ns/op under RunParallel is wall time per operation, the
// inverse of throughput, so API ns/op over etcd ns/op is the report's ratio.
var shared struct {
	once sync.Once
	root string
	srv  *server
	env  *env
	err  error
}

const benchNS = "bench-go"

func sharedEnv(b *testing.B) *env {
	b.Helper()
	shared.once.Do(func() {
		ctx := context.Background()
		if shared.root, shared.err = os.MkdirTemp("", "berth-bench-"); shared.err != nil {
			return
		}
		if shared.srv, shared.err = startServer(shared.root); shared.err != nil {
			return
		}
		if shared.env, shared.err = newEnv(ctx, shared.srv); shared.err != nil {
			return
		}
		if shared.err = shared.env.namespace(ctx, benchNS); shared.err != nil {
			return
		}
		if shared.err = shared.env.apiCreate(ctx, benchNS, "get-me"); shared.err != nil {
			return
		}
		shared.err = shared.env.etcdCreate(ctx, benchNS, "get-me")
	})
	if shared.err != nil {
		b.Fatal(shared.err)
	}
	return shared.env
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.env != nil {
		shared.env.close()
	}
	shared.srv.stop()
	if shared.root != "" {
		_ = os.RemoveAll(shared.root)
	}
	e2e.RemoveBuilt() // the berth binary and images of the node-world reports
	os.Exit(code)
}

// parallel runs op from `workers` goroutines in total, like the report.
func parallel(b *testing.B, op func() error) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((workers + procs - 1) / procs)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// seq numbers created objects across every run of a benchmark (the testing
// package calls it repeatedly with growing b.N), so names never collide.
var seq atomic.Int64

func BenchmarkCreate(b *testing.B) {
	e := sharedEnv(b)
	ctx := context.Background()
	name := func() string { return fmt.Sprintf("c-%08d", seq.Add(1)) }
	b.Run("api", func(b *testing.B) { parallel(b, func() error { return e.apiCreate(ctx, benchNS, name()) }) })
	b.Run("etcd", func(b *testing.B) { parallel(b, func() error { return e.etcdCreate(ctx, benchNS, name()) }) })
}

func BenchmarkGet(b *testing.B) {
	e := sharedEnv(b)
	ctx := context.Background()
	b.Run("api", func(b *testing.B) {
		parallel(b, func() error {
			_, err := e.cs.CoreV1().ConfigMaps(benchNS).Get(ctx, "get-me", metav1.GetOptions{})
			return err
		})
	})
	b.Run("etcd", func(b *testing.B) {
		parallel(b, func() error {
			_, err := e.etcd.Get(ctx, rawKey(benchNS, "get-me"))
			return err
		})
	})
}
