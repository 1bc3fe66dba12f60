package bench

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// arrival is one watch event as the watching client saw it.
type arrival struct {
	name string
	at   time.Time
}

// watchResult holds the delivery latencies of both sides, measured two
// ways: from the write call's return (the lag a watcher has behind the
// writer; often the event wins and this is 0) and from the write call's
// start (write plus delivery: how long until a watcher can act on a change).
type watchResult struct {
	api, etcd           samples // from the write's return, negatives as 0
	apiE2E, etcdE2E     samples // from the write's start
	apiEarly, etcdEarly int     // events seen before the write call returned
}

// measureWatch writes n objects one at a time on each side, alternating,
// and times each event's arrival at an open watch against the write call's
// start and return: client-go's typed watch (protobuf, through the watch cache) for the
// API, a prefix watch for raw etcd. Each write waits for its event before
// the next, so no event queues behind another.
func (e *env) measureWatch(ctx context.Context, ns string, n int) (watchResult, error) {
	var r watchResult
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := e.namespace(ctx, ns); err != nil {
		return r, err
	}
	list, err := e.cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return r, err
	}
	w, err := e.cs.CoreV1().ConfigMaps(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		return r, err
	}
	defer w.Stop()
	apiEvents := make(chan arrival, 16)
	go func() {
		for ev := range w.ResultChan() {
			at := time.Now()
			if ev.Type != watch.Added {
				continue
			}
			if m, err := metaName(ev.Object); err == nil {
				select {
				case apiEvents <- arrival{m, at}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	etcdEvents := make(chan arrival, 16)
	wc := e.etcd.Watch(ctx, rawPrefix+ns+"/", clientv3.WithPrefix())
	go func() {
		for resp := range wc {
			at := time.Now()
			for _, ev := range resp.Events {
				select {
				case etcdEvents <- arrival{string(ev.Kv.Key), at}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	wait := func(ch <-chan arrival, want string) (time.Time, error) {
		timeout := time.After(30 * time.Second)
		for {
			select {
			case a := <-ch:
				if a.name == want {
					return a.at, nil
				}
			case <-timeout:
				return time.Time{}, fmt.Errorf("no event for %s in 30s", want)
			}
		}
	}
	record := func(ret, e2e *samples, early *int, start, wrote, at time.Time) {
		*e2e = append(*e2e, at.Sub(start))
		d := at.Sub(wrote)
		if d < 0 {
			*early++
			d = 0
		}
		*ret = append(*ret, d)
	}
	for i := range n {
		name := cmName(i)
		start := time.Now()
		if err := e.apiCreate(ctx, ns, name); err != nil {
			return r, err
		}
		wrote := time.Now()
		at, err := wait(apiEvents, name)
		if err != nil {
			return r, fmt.Errorf("api watch: %w", err)
		}
		record(&r.api, &r.apiE2E, &r.apiEarly, start, wrote, at)

		start = time.Now()
		if err := e.etcdCreate(ctx, ns, name); err != nil {
			return r, err
		}
		wrote = time.Now()
		if at, err = wait(etcdEvents, rawKey(ns, name)); err != nil {
			return r, fmt.Errorf("etcd watch: %w", err)
		}
		record(&r.etcd, &r.etcdE2E, &r.etcdEarly, start, wrote, at)
	}
	return r, nil
}

func metaName(obj any) (string, error) {
	m, ok := obj.(metav1.Object)
	if !ok {
		return "", fmt.Errorf("%T has no metadata", obj)
	}
	return m.GetName(), nil
}
