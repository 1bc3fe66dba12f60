package allocator

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// CIDRAllocator allocates Service ClusterIPs from a service CIDR, with the
// bitmap kept in etcd. It is safe for concurrent use, and any number of
// instances (in one or several API servers) may share one key.
type CIDRAllocator struct {
	r        ipRange
	store    *rangeStore
	band     int
	reserved map[int]bool
}

// NewCIDRAllocator returns the allocator of cidr whose bitmap lives in etcd
// key (e.g. /registry/ranges/serviceips). The first usable address (the
// kubernetes Service's) and the reserved addresses (e.g. the cluster DNS
// address) are never returned by AllocateNext but can be allocated by asking
// for them. Nothing is written to etcd until the first change.
func NewCIDRAllocator(cli *clientv3.Client, key string, cidr *net.IPNet, reserved ...net.IP) (*CIDRAllocator, error) {
	r, err := newIPRange(cidr)
	if err != nil {
		return nil, err
	}
	a := &CIDRAllocator{
		r:        r,
		store:    newRangeStore(cli, key, r.String(), r.size),
		band:     ipStaticBand(r.total),
		reserved: map[int]bool{0: true},
	}
	for _, ip := range reserved {
		off, ok := r.offset(ip)
		if !ok {
			return nil, fmt.Errorf("reserved IP %v is not an allocatable address of %s", ip, r)
		}
		a.reserved[off] = true
	}
	return a, nil
}

// CIDR is the range addresses are allocated from.
func (a *CIDRAllocator) CIDR() *net.IPNet {
	_, n, _ := net.ParseCIDR(a.r.String())
	return n
}

// FirstIP is the first usable address of the range, the ClusterIP of the
// default/kubernetes Service (10.43.0.1 for 10.43.0.0/16).
func (a *CIDRAllocator) FirstIP() net.IP { return a.r.addr(0) }

// Size is the number of allocatable addresses.
func (a *CIDRAllocator) Size() int { return a.r.size }

func (a *CIDRAllocator) describe(err error) error { return kindIP.describe(err, a.r.String()) }

// Allocate takes ip; it fails with ErrAllocated if someone holds it and with
// ErrNotInRange if it is not an allocatable address of the range.
func (a *CIDRAllocator) Allocate(ctx context.Context, ip net.IP) error {
	off, ok := a.r.offset(ip)
	if !ok {
		return a.describe(ErrNotInRange)
	}
	return a.describe(a.store.allocate(ctx, off))
}

// AllocateNext takes a free address (upper band first, never a reserved
// one); it fails with ErrFull when there is none.
func (a *CIDRAllocator) AllocateNext(ctx context.Context) (net.IP, error) {
	off, err := a.store.allocateNext(ctx, func(b bitmap) (int, bool) {
		return pickFree(b, a.r.size, a.band, a.isReserved, rand.IntN(a.r.size), rand.IntN(a.r.size))
	})
	if err != nil {
		return nil, a.describe(err)
	}
	return a.r.addr(off), nil
}

func (a *CIDRAllocator) isReserved(off int) bool { return a.reserved[off] }

// Release gives ip back. Releasing a free or out-of-range address does
// nothing, so a retried delete is harmless.
func (a *CIDRAllocator) Release(ctx context.Context, ip net.IP) error {
	off, ok := a.r.offset(ip)
	if !ok {
		return nil
	}
	return a.describe(a.store.release(ctx, off))
}

// Has reports whether ip is allocated (false for out-of-range addresses).
func (a *CIDRAllocator) Has(ctx context.Context, ip net.IP) (bool, error) {
	off, ok := a.r.offset(ip)
	if !ok {
		return false, nil
	}
	b, err := a.store.read(ctx)
	if err != nil {
		return false, err
	}
	return b.has(off), nil
}

// Free is the number of addresses not allocated, reserved ones included.
func (a *CIDRAllocator) Free(ctx context.Context) (int, error) {
	b, err := a.store.read(ctx)
	if err != nil {
		return 0, err
	}
	return a.r.size - b.count(), nil
}

// Repair makes the bitmap hold exactly inUse, the ClusterIPs of the stored
// Services (addresses outside the range are logged and skipped). It is meant
// for start-up, before this server allocates: an address allocated by
// another server after inUse was listed would be freed. A bitmap stored for
// another range (a changed --service-cidr) is replaced.
func (a *CIDRAllocator) Repair(ctx context.Context, inUse []net.IP) error {
	offs := make([]int, 0, len(inUse))
	for _, ip := range inUse {
		off, ok := a.r.offset(ip)
		if !ok {
			slog.Warn("ClusterIP outside the service CIDR, not tracked", "ip", ip, "cidr", a.r.String())
			continue
		}
		offs = append(offs, off)
	}
	leaked, missing, err := a.store.repair(ctx, offs)
	if err != nil {
		return err
	}
	if leaked+missing > 0 {
		slog.Info("repaired ClusterIP allocations", "cidr", a.r.String(), "released", leaked, "added", missing)
	}
	return nil
}
