package podutil

import (
	"errors"
	"slices"
	"sync/atomic"
	"testing"
)

func TestBatchSizes(t *testing.T) {
	tests := []struct {
		count, initial int
		want           []int
	}{
		{0, 1, nil},
		{1, 1, []int{1}},
		{3, 1, []int{1, 2}},
		{10, 1, []int{1, 2, 4, 3}},
		{16, 1, []int{1, 2, 4, 8, 1}},
		{5, 0, []int{1, 2, 2}},
		{2, 5, []int{2}},
	}
	for _, tt := range tests {
		if got := BatchSizes(tt.count, tt.initial); !slices.Equal(got, tt.want) {
			t.Errorf("BatchSizes(%d,%d) = %v, want %v", tt.count, tt.initial, got, tt.want)
		}
	}
}

func TestSlowStart(t *testing.T) {
	var calls atomic.Int32
	ok, err := SlowStart(10, 1, func() error { calls.Add(1); return nil })
	if ok != 10 || err != nil || calls.Load() != 10 {
		t.Fatalf("all succeed: %d %v %d", ok, err, calls.Load())
	}
	// Failing from the 4th call on: batches 1, 2 succeed, batch 3 (4 calls)
	// fails entirely and the last batch is never sent.
	calls.Store(0)
	boom := errors.New("quota")
	ok, err = SlowStart(10, 1, func() error {
		if calls.Add(1) > 3 {
			return boom
		}
		return nil
	})
	if ok != 3 || !errors.Is(err, boom) || calls.Load() != 7 {
		t.Fatalf("failing: successes %d err %v calls %d", ok, err, calls.Load())
	}
}
