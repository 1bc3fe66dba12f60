package bench

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// runConcurrent calls op(i) for i in [from, from+n) from `workers`
// goroutines pulling indexes off a shared counter, and returns the wall time
// of the whole batch: throughput is what a fixed pool of clients gets, the
// way a controller's workers or a CI job's parallel kubectl would load it.
func runConcurrent(from, n, workers int, op func(i int) error) (time.Duration, error) {
	var next atomic.Int64
	next.Store(int64(from))
	end := int64(from + n)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= end {
					return
				}
				if err := op(int(i)); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("op %d: %w", i, err) })
					next.Store(end) // stop the others early
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), firstErr
}

// side accumulates one operation's batches on one side (API or etcd): wall
// time for throughput, and CPU time of the server process and of this client
// process, to show where an operation's cost goes on a machine with two
// cores shared between client, API server and etcd.
type side struct {
	ops                  int
	wall, server, client time.Duration
}

func (s side) rate() float64 { return float64(s.ops) / s.wall.Seconds() }

// cpuPerOp is "server µs + client µs" of CPU per operation.
func (s side) cpuPerOp() string {
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(s.ops) }
	return fmt.Sprintf("server %.0f µs + client %.0f µs", per(s.server), per(s.client))
}

// pair is one operation measured on both sides. Batches alternate API and
// etcd so that load from other work on this shared machine falls on both
// sides alike instead of skewing whichever ran second.
type pair struct{ api, etcd side }

// batch runs op over [from, from+n) with `workers` clients and adds the
// batch to s.
func (srv *server) batch(s *side, from, n, workers int, op func(i int) error) error {
	s0, c0 := srv.cpuTime(), selfCPUTime()
	d, err := runConcurrent(from, n, workers, op)
	if err != nil {
		return err
	}
	s.ops += n
	s.wall += d
	s.server += srv.cpuTime() - s0
	s.client += selfCPUTime() - c0
	return nil
}

// samples is a set of latencies.
type samples []time.Duration

// pct is the q-quantile (0..1) by nearest rank.
func (s samples) pct(q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	i := int(q*float64(len(c))+0.5) - 1
	i = max(0, min(i, len(c)-1))
	return c[i]
}

func (s samples) max() time.Duration { return slices.Max(s) }
