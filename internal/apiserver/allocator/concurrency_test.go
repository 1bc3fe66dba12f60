package allocator

import (
	"errors"
	"net"
	"sync"
	"testing"
)

// Two allocators on one key stand for two API servers sharing etcd, each
// with its own client; 200 concurrent AllocateNext calls must all differ.
func TestConcurrentAllocateNextAcrossInstances(t *testing.T) {
	ctx := testCtx(t)
	key := testKey(t)
	servers := []*PortAllocator{newPorts(t, key, 30000, 2768), newPorts(t, key, 30000, 2768)}
	const n = 200
	got := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = servers[i%2].AllocateNext(ctx) })
	}
	wg.Wait()
	seen := map[int]int{}
	for i, p := range got {
		if errs[i] != nil {
			t.Fatalf("AllocateNext #%d: %v", i, errs[i])
		}
		if j, dup := seen[p]; dup {
			t.Fatalf("port %d handed out twice (#%d and #%d)", p, j, i)
		}
		seen[p] = i
	}
	for _, s := range servers {
		if free, err := s.Free(ctx); err != nil || free != 2768-n {
			t.Fatalf("Free = %d, %v; want %d", free, err, 2768-n)
		}
	}
}

func TestConcurrentCIDRAllocateNextAcrossInstances(t *testing.T) {
	ctx := testCtx(t)
	key := testKey(t)
	// A /24 has 238 upper-band addresses: 200 allocations fill most of it,
	// so the random starting points collide often.
	servers := []*CIDRAllocator{newCIDR(t, key, "10.43.0.0/24"), newCIDR(t, key, "10.43.0.0/24")}
	const n = 200
	got := make([]net.IP, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = servers[i%2].AllocateNext(ctx) })
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, ip := range got {
		if errs[i] != nil {
			t.Fatalf("AllocateNext #%d: %v", i, errs[i])
		}
		if seen[ip.String()] {
			t.Fatalf("IP %s handed out twice", ip)
		}
		seen[ip.String()] = true
	}
}

// Many requests for the same explicit value: exactly one wins.
func TestConcurrentAllocateSameValue(t *testing.T) {
	ctx := testCtx(t)
	key := testKey(t)
	servers := []*PortAllocator{newPorts(t, key, 30000, 2768), newPorts(t, key, 30000, 2768)}
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = servers[i%2].Allocate(ctx, 30080) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrAllocated):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d requests got port 30080, want exactly 1", won)
	}
}

// An instance whose cached bitmap is stale must not answer from it: not
// "already allocated" for a value another server released, and not a no-op
// release for a value another server allocated.
func TestStaleInstanceRechecks(t *testing.T) {
	ctx := testCtx(t)
	key := testKey(t)
	a, b := newPorts(t, key, 30000, 2768), newPorts(t, key, 30000, 2768)
	if err := a.Allocate(ctx, 30100); err != nil {
		t.Fatal(err)
	}
	if err := b.Release(ctx, 30100); err != nil {
		t.Fatal(err)
	}
	if err := a.Allocate(ctx, 30100); err != nil { // a still caches 30100 as taken
		t.Fatalf("Allocate after another instance released it: %v", err)
	}
	if err := b.Allocate(ctx, 30200); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(ctx, 30200); err != nil { // a caches 30200 as free
		t.Fatal(err)
	}
	if has, _ := b.Has(ctx, 30200); has {
		t.Fatal("Release from a stale instance was a no-op")
	}
}
