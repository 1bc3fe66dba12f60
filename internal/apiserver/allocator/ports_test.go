package allocator

import (
	"errors"
	"testing"
)

func newPorts(t *testing.T, key string, base, size int) *PortAllocator {
	t.Helper()
	a, err := NewPortAllocator(newClient(t), key, base, size)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPortAllocate(t *testing.T) {
	ctx := testCtx(t)
	a := newPorts(t, testKey(t), 30000, 2768)
	if a.Range() != "30000-32767" {
		t.Fatalf("Range = %q", a.Range())
	}
	for _, p := range []int{30000, 30080, 32767} {
		if err := a.Allocate(ctx, p); err != nil {
			t.Fatalf("Allocate(%d): %v", p, err)
		}
	}
	err := a.Allocate(ctx, 30080)
	if !errors.Is(err, ErrAllocated) || err.Error() != "provided port is already allocated" {
		t.Fatalf("second Allocate(30080) = %v", err)
	}
	for _, p := range []int{29999, 32768, 80} {
		err := a.Allocate(ctx, p)
		want := "provided port is not in the valid range. The range of valid ports is 30000-32767"
		if !errors.Is(err, ErrNotInRange) || err.Error() != want {
			t.Errorf("Allocate(%d) = %v", p, err)
		}
	}
	p, err := a.AllocateNext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p < 30000+86 || p > 32767 {
		t.Fatalf("AllocateNext = %d, want one from the upper band 30086-32767", p)
	}
	if free, _ := a.Free(ctx); free != 2768-4 {
		t.Fatalf("Free = %d, want %d", free, 2768-4)
	}
	if err := a.Release(ctx, 30080); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(ctx, 30080); err != nil {
		t.Fatalf("second Release: %v", err)
	}
	if err := a.Release(ctx, 80); err != nil {
		t.Fatalf("Release out of range: %v", err)
	}
	if has, _ := a.Has(ctx, 30080); has {
		t.Fatal("released port still allocated")
	}
	if has, _ := a.Has(ctx, p); !has {
		t.Fatalf("allocated port %d not reported", p)
	}
}

func TestPortFull(t *testing.T) {
	ctx := testCtx(t)
	a := newPorts(t, testKey(t), 31000, 20)
	seen := map[int]bool{}
	for range 20 {
		p, err := a.AllocateNext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p < 31000 || p >= 31020 || seen[p] {
			t.Fatalf("AllocateNext = %d (out of range or duplicate)", p)
		}
		seen[p] = true
	}
	if _, err := a.AllocateNext(ctx); !errors.Is(err, ErrFull) {
		t.Fatalf("AllocateNext on full range = %v", err)
	}
	if err := a.Release(ctx, 31007); err != nil {
		t.Fatal(err)
	}
	if p, err := a.AllocateNext(ctx); err != nil || p != 31007 {
		t.Fatalf("AllocateNext after a release = %d, %v; want 31007", p, err)
	}
}

func TestPortRepair(t *testing.T) {
	ctx := testCtx(t)
	a := newPorts(t, testKey(t), 30000, 2768)
	for _, p := range []int{30001, 30002} {
		if err := a.Allocate(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Repair(ctx, []int{30002, 30003, 30003, 99}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[int]bool{30001: false, 30002: true, 30003: true} {
		if has, err := a.Has(ctx, p); err != nil || has != want {
			t.Errorf("Has(%d) = %v, %v; want %v", p, has, err, want)
		}
	}
	// Repair of an already-correct bitmap writes nothing and changes nothing.
	if err := a.Repair(ctx, []int{30002, 30003}); err != nil {
		t.Fatal(err)
	}
	if free, _ := a.Free(ctx); free != 2768-2 {
		t.Errorf("Free = %d, want %d", free, 2768-2)
	}
}

func TestNewPortAllocatorRejects(t *testing.T) {
	cli := newClient(t)
	for _, r := range [][2]int{{0, 10}, {30000, 0}, {65000, 1000}} {
		if _, err := NewPortAllocator(cli, testKey(t), r[0], r[1]); err == nil {
			t.Errorf("range base=%d size=%d accepted", r[0], r[1])
		}
	}
}
