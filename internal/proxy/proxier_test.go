package proxy

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// fakeBackend records what the Proxier asks of the kernel.
type fakeBackend struct {
	mu       sync.Mutex
	applies  []bool // full?
	fail     int    // fail this many applies
	stale    []staleFlows
	cleanups int
	synced   chan struct{}
}

func (f *fakeBackend) Apply(old, cur *Ruleset) (applyStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applies = append(f.applies, old == nil)
	if f.synced != nil {
		select {
		case f.synced <- struct{}{}:
		default:
		}
	}
	if f.fail > 0 {
		f.fail--
		return applyStats{}, errors.New("boom")
	}
	return applyStats{Full: old == nil}, nil
}

func (f *fakeBackend) Cleanup(string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups++
	return nil
}

func (f *fakeBackend) FlushConntrack(s staleFlows) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stale = append(f.stale, s)
	return len(s.Endpoints), nil
}

func (f *fakeBackend) modes() []bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bool(nil), f.applies...)
}

func TestProxierFullThenIncrementalAndFullAfterFailure(t *testing.T) {
	src := &staticSource{}
	src.set(sampleServices(), sampleSlices())
	fb := &fakeBackend{}
	p, err := newProxier(sampleNode(), Options{}, src, fb)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.SyncNow())
	must(p.SyncNow())
	fb.fail = 1
	if err := p.SyncNow(); err == nil {
		t.Fatal("want error")
	}
	must(p.SyncNow())
	must(p.SyncNow())
	if got, want := fb.modes(), []bool{true, false, false, true, false}; !equalBools(got, want) {
		t.Errorf("full? per sync = %v, want %v", got, want)
	}
	must(p.Cleanup())
	must(p.SyncNow())
	if m := fb.modes(); !m[len(m)-1] {
		t.Error("sync after Cleanup must rebuild the table")
	}
}

func TestProxierFlushesStaleUDP(t *testing.T) {
	svcs := []*corev1.Service{service("ns", "dns", "10.43.0.10", []corev1.ServicePort{udpSvcPort("dns", 53)})}
	port := []discoveryv1.EndpointPort{slicePortUDP("dns", 5353)}
	src := &staticSource{}
	src.set(svcs, []*discoveryv1.EndpointSlice{slice("ns", "dns", "d", port, localEP, remoteEP)})
	fb := &fakeBackend{}
	p, _ := newProxier(sampleNode(), Options{}, src, fb)
	if err := p.SyncNow(); err != nil {
		t.Fatal(err)
	}
	src.set(svcs, []*discoveryv1.EndpointSlice{slice("ns", "dns", "d", port, localEP)})
	if err := p.SyncNow(); err != nil {
		t.Fatal(err)
	}
	if len(fb.stale) != 1 || len(fb.stale[0].Endpoints) != 1 || fb.stale[0].Endpoints[0].String() != "10.42.1.9:5353" {
		t.Errorf("conntrack flushes: %+v", fb.stale)
	}
}

// TestProxierDebounce: a burst of Sync calls gives few syncs, spaced by at
// least MinSyncInterval.
func TestProxierDebounce(t *testing.T) {
	src := &staticSource{}
	fb := &fakeBackend{synced: make(chan struct{}, 16)}
	const interval = 50 * time.Millisecond
	p, _ := newProxier(sampleNode(), Options{MinSyncInterval: interval}, src, fb)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	start := time.Now()
	for time.Since(start) < 5*interval {
		p.Sync()
		time.Sleep(time.Millisecond)
	}
	time.Sleep(2 * interval)
	n := len(fb.modes())
	// 250ms of requests at one per ms: at most one sync per 50ms (+1).
	if n < 2 || n > 7 {
		t.Errorf("%d syncs for a 250ms burst with a 50ms minimum interval", n)
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
