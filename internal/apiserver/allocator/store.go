package allocator

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// maxConflicts bounds the compare-and-swap retries of one operation. Inside
// one allocator operations are serialized, so conflicts only come from other
// API servers; hitting this means etcd is being hammered or is flapping.
const maxConflicts = 100

// rangeStore keeps one range's bitmap in one etcd key and changes it only by
// transactions that compare the key's ModRevision with the revision the
// change was computed from.
type rangeStore struct {
	cli  *clientv3.Client
	key  string
	spec string // the range as stored in RangeAllocation.Range
	size int

	// mu serializes this instance's operations: correctness comes from the
	// etcd compare, mu only avoids goroutines of one process losing
	// compare-and-swap races to each other (each loss is a raft round).
	mu sync.Mutex
	// last is the bitmap as of the last revision this instance saw, used
	// optimistically: a stale view just fails the compare.
	last *snapshot
}

// snapshot is the key's state at one ModRevision (0: key absent). err is set
// when the stored value cannot be used (other range, corrupt data).
type snapshot struct {
	bits bitmap
	rev  int64
	err  error
}

func newRangeStore(cli *clientv3.Client, key, spec string, size int) *rangeStore {
	return &rangeStore{cli: cli, key: key, spec: spec, size: size}
}

// fromKVs builds a snapshot from the result of a Get of the key.
func (s *rangeStore) fromKVs(kvs []*mvccpb.KeyValue) *snapshot {
	if len(kvs) == 0 {
		return &snapshot{bits: newBitmap(s.size)}
	}
	b, err := decodeRange(kvs[0].Value, s.spec, s.size)
	return &snapshot{bits: b, rev: kvs[0].ModRevision, err: err}
}

// read returns the current bitmap (a linearizable read).
func (s *rangeStore) read(ctx context.Context) (bitmap, error) {
	resp, err := s.cli.Get(ctx, s.key)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.key, err)
	}
	snap := s.fromKVs(resp.Kvs)
	s.mu.Lock()
	if s.last == nil || snap.rev >= s.last.rev {
		s.last = snap
	}
	s.mu.Unlock()
	return snap.bits, snap.err
}

// update applies fn to a copy of the current bitmap and stores the result if
// fn reports a change. fn may run several times, on fresher bitmaps, when
// another writer got in between; its answer (including its error) is only
// returned once etcd confirmed the bitmap it saw was current. With overwrite
// the stored value is not needed (Repair): an unusable one is replaced.
func (s *rangeStore) update(ctx context.Context, overwrite bool, fn func(bitmap) (changed bool, err error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := s.last
	if snap == nil {
		resp, err := s.cli.Get(ctx, s.key)
		if err != nil {
			return fmt.Errorf("reading %s: %w", s.key, err)
		}
		snap = s.fromKVs(resp.Kvs)
	}
	for range maxConflicts {
		bits, ferr := snap.bits, snap.err
		// An unusable stored value being replaced is a change in itself.
		changed := ferr != nil && overwrite
		if changed {
			bits, ferr = newBitmap(s.size), nil
		}
		if ferr == nil {
			bits = bits.clone()
			var c bool
			c, ferr = fn(bits)
			changed = changed || c
		}
		// Even an answer that writes nothing is confirmed against the
		// revision: a stale "already allocated" or "already free" is wrong.
		var then []clientv3.Op
		if changed && ferr == nil {
			raw, err := encodeRange(s.spec, bits)
			if err != nil {
				return err
			}
			then = append(then, clientv3.OpPut(s.key, string(raw)))
		}
		resp, err := s.cli.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(s.key), "=", snap.rev)).
			Then(then...).
			Else(clientv3.OpGet(s.key)).
			Commit()
		if err != nil {
			return fmt.Errorf("updating %s: %w", s.key, err)
		}
		if resp.Succeeded {
			if changed && ferr == nil {
				// The put's ModRevision is the revision the txn created.
				snap = &snapshot{bits: bits, rev: resp.Header.Revision}
			}
			s.last = snap
			return ferr
		}
		snap = s.fromKVs(resp.Responses[0].GetResponseRange().Kvs)
		s.last = snap
	}
	return fmt.Errorf("updating %s: %w", s.key, errTooManyConflicts)
}

var errTooManyConflicts = errors.New("too many concurrent updates, giving up")

// allocate marks offset off as taken, failing with ErrAllocated if it is.
func (s *rangeStore) allocate(ctx context.Context, off int) error {
	return s.update(ctx, false, func(b bitmap) (bool, error) {
		if b.has(off) {
			return false, ErrAllocated
		}
		b.set(off)
		return true, nil
	})
}

// allocateNext takes the offset pick chooses, failing with ErrFull if none.
func (s *rangeStore) allocateNext(ctx context.Context, pick func(bitmap) (int, bool)) (int, error) {
	var got int
	err := s.update(ctx, false, func(b bitmap) (bool, error) {
		off, ok := pick(b)
		if !ok {
			return false, ErrFull
		}
		b.set(off)
		got = off
		return true, nil
	})
	return got, err
}

// release frees offset off; freeing a free offset is not an error.
func (s *rangeStore) release(ctx context.Context, off int) error {
	return s.update(ctx, false, func(b bitmap) (bool, error) {
		if !b.has(off) {
			return false, nil
		}
		b.clear(off)
		return true, nil
	})
}

// repair replaces the bitmap by exactly the offsets in inUse and reports how
// many were allocated without being in use (leaked) and in use without being
// allocated (missing).
func (s *rangeStore) repair(ctx context.Context, inUse []int) (leaked, missing int, err error) {
	want := newBitmap(s.size)
	for _, off := range inUse {
		want.set(off)
	}
	err = s.update(ctx, true, func(b bitmap) (bool, error) {
		leaked, missing = 0, 0
		for i := range s.size {
			switch {
			case b.has(i) && !want.has(i):
				leaked++
			case !b.has(i) && want.has(i):
				missing++
			}
		}
		copy(b, want)
		return leaked+missing > 0, nil
	})
	return leaked, missing, err
}
