package allocator

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// PortAllocator allocates Service NodePorts from a port range, with the
// bitmap kept in etcd. It is safe for concurrent use, and any number of
// instances may share one key.
type PortAllocator struct {
	base, size int
	spec       string // "30000-32767", Kubernetes' notation
	store      *rangeStore
	band       int
}

// NewPortAllocator returns the allocator of ports base..base+size-1 whose
// bitmap lives in etcd key (e.g. /registry/ranges/servicenodeports).
func NewPortAllocator(cli *clientv3.Client, key string, base, size int) (*PortAllocator, error) {
	if base < 1 || size < 1 || base+size-1 > 65535 {
		return nil, fmt.Errorf("invalid port range: %d ports from %d", size, base)
	}
	spec := fmt.Sprintf("%d-%d", base, base+size-1)
	return &PortAllocator{
		base:  base,
		size:  size,
		spec:  spec,
		store: newRangeStore(cli, key, spec, size),
		band:  portStaticBand(size),
	}, nil
}

// Range is the range in Kubernetes' notation, e.g. "30000-32767".
func (a *PortAllocator) Range() string { return a.spec }

func (a *PortAllocator) describe(err error) error { return kindPort.describe(err, a.spec) }

func (a *PortAllocator) offset(port int) (int, bool) {
	off := port - a.base
	return off, off >= 0 && off < a.size
}

// Allocate takes port; it fails with ErrAllocated if someone holds it and
// with ErrNotInRange if it is outside the range.
func (a *PortAllocator) Allocate(ctx context.Context, port int) error {
	off, ok := a.offset(port)
	if !ok {
		return a.describe(ErrNotInRange)
	}
	return a.describe(a.store.allocate(ctx, off))
}

// AllocateNext takes a free port (upper band first); it fails with ErrFull
// when there is none.
func (a *PortAllocator) AllocateNext(ctx context.Context) (int, error) {
	off, err := a.store.allocateNext(ctx, func(b bitmap) (int, bool) {
		return pickFree(b, a.size, a.band, nil, rand.IntN(a.size), rand.IntN(a.size))
	})
	if err != nil {
		return 0, a.describe(err)
	}
	return a.base + off, nil
}

// Release gives port back. Releasing a free or out-of-range port does
// nothing.
func (a *PortAllocator) Release(ctx context.Context, port int) error {
	off, ok := a.offset(port)
	if !ok {
		return nil
	}
	return a.describe(a.store.release(ctx, off))
}

// Has reports whether port is allocated (false for out-of-range ports).
func (a *PortAllocator) Has(ctx context.Context, port int) (bool, error) {
	off, ok := a.offset(port)
	if !ok {
		return false, nil
	}
	b, err := a.store.read(ctx)
	if err != nil {
		return false, err
	}
	return b.has(off), nil
}

// Free is the number of ports not allocated.
func (a *PortAllocator) Free(ctx context.Context) (int, error) {
	b, err := a.store.read(ctx)
	if err != nil {
		return 0, err
	}
	return a.size - b.count(), nil
}

// Repair makes the bitmap hold exactly inUse, the NodePorts (and health
// check node ports) of the stored Services; see CIDRAllocator.Repair.
func (a *PortAllocator) Repair(ctx context.Context, inUse []int) error {
	offs := make([]int, 0, len(inUse))
	for _, p := range inUse {
		off, ok := a.offset(p)
		if !ok {
			slog.Warn("NodePort outside the node port range, not tracked", "port", p, "range", a.spec)
			continue
		}
		offs = append(offs, off)
	}
	leaked, missing, err := a.store.repair(ctx, offs)
	if err != nil {
		return err
	}
	if leaked+missing > 0 {
		slog.Info("repaired NodePort allocations", "range", a.spec, "released", leaked, "added", missing)
	}
	return nil
}
