package podutil

import (
	"errors"
	"sync"
)

// SlowStartInitialBatch is the first batch size of SlowStart, as in
// Kubernetes.
const SlowStartInitialBatch = 1

// BatchSizes returns the batch sizes SlowStart uses for count calls:
// initial, doubling, the last one cut to what is left.
func BatchSizes(count, initial int) []int {
	var out []int
	for size := min(max(initial, 1), count); count > 0; size = min(2*size, count) {
		out = append(out, size)
		count -= size
	}
	return out
}

// SlowStart calls fn count times, concurrently within each batch of
// BatchSizes(count, initial). It stops after the first batch in which a
// call failed, so a systematic failure (quota, admission) costs a handful of
// requests. It returns how many calls succeeded and the errors of the
// failing batch; calls never made are count - successes - failures.
func SlowStart(count, initial int, fn func() error) (successes int, err error) {
	for _, size := range BatchSizes(count, initial) {
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		for range size {
			wg.Go(func() {
				if e := fn(); e != nil {
					mu.Lock()
					errs = append(errs, e)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		successes += size - len(errs)
		if len(errs) > 0 {
			return successes, errors.Join(errs...)
		}
	}
	return successes, nil
}
