package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// goLiveHeap reads go_gc_heap_live_bytes from the server's /metrics: the
// Go heap the last GC found reachable (watch cache, in-process informers,
// etcd's index and raft log), as opposed to RSS, which also counts garbage
// awaiting collection (GOGC=100 lets the heap reach twice the live size),
// stacks, bbolt's mmap and freed memory not yet returned to the OS.
func (e *env) goLiveHeap(ctx context.Context) (int64, error) {
	b, err := e.cs.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "go_gc_heap_live_bytes "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f), err
		}
	}
	return 0, fmt.Errorf("no go_gc_heap_live_bytes in /metrics")
}

// profileTo starts a server CPU profile of `seconds` in the background when
// $BERTH_BENCH_PROFILE names a directory, for finding where an operation's
// server time goes (`go tool pprof -top berth DIR/NAME.pprof`). The returned
// wait function blocks until the file is written.
func (e *env) profileTo(ctx context.Context, name string, seconds int) (wait func() error) {
	dir := os.Getenv("BERTH_BENCH_PROFILE")
	if dir == "" {
		return func() error { return nil }
	}
	errc := make(chan error, 1)
	go func() {
		b, err := e.cs.Discovery().RESTClient().Get().AbsPath("/debug/pprof/profile").
			Param("seconds", strconv.Itoa(seconds)).DoRaw(ctx)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name+".pprof"), b, 0o644)
		}
		errc <- err
	}()
	return func() error { return <-errc }
}

// heapProfileTo saves the server's heap profile when $BERTH_BENCH_PROFILE is
// set.
func (e *env) heapProfileTo(ctx context.Context, name string) error {
	dir := os.Getenv("BERTH_BENCH_PROFILE")
	if dir == "" {
		return nil
	}
	b, err := e.cs.Discovery().RESTClient().Get().AbsPath("/debug/pprof/heap").DoRaw(ctx)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".pprof"), b, 0o644)
}
