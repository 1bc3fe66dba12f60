package bench

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// listResult is the median latency of each way of reading a whole
// namespace, sampled in alternation.
type listResult struct {
	consistent, cached, consistentJSON, etcd samples
}

// measureList lists namespace ns (n objects) `iters` times each way:
//   - API, resourceVersion unset: a consistent list. With
//     ConsistentListFromCache (on in k8s.io/apiserver v0.37) the server asks
//     etcd for its current revision, waits for the watch cache to reach it
//     and serves from the cache;
//   - API, resourceVersion=0: straight from the watch cache, possibly stale;
//   - API in JSON, resourceVersion unset: what kubectl-style clients pay
//     (protobuf above is what controllers use);
//   - raw etcd: a linearizable range read of the same number of keys.
//
// The client decodes the API's answer into typed objects (part of what a
// caller pays); the etcd side gets raw bytes.
func (e *env) measureList(ctx context.Context, jsonCS kubernetes.Interface, ns string, n, iters int) (listResult, error) {
	var r listResult
	timed := func(dst *samples, f func() (int, error)) error {
		start := time.Now()
		got, err := f()
		if err != nil {
			return err
		}
		*dst = append(*dst, time.Since(start))
		// The API side also holds kube-root-ca.crt, made in every namespace.
		if got < n {
			return fmt.Errorf("list %s: %d items, want at least %d", ns, got, n)
		}
		return nil
	}
	apiList := func(cs kubernetes.Interface, rv string) func() (int, error) {
		return func() (int, error) {
			l, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{ResourceVersion: rv})
			if err != nil {
				return 0, err
			}
			return len(l.Items), nil
		}
	}
	etcdList := func() (int, error) {
		resp, err := e.etcd.Get(ctx, rawPrefix+ns+"/", clientv3.WithPrefix())
		if err != nil {
			return 0, err
		}
		return len(resp.Kvs), nil
	}
	for range iters {
		for _, step := range []struct {
			dst *samples
			f   func() (int, error)
		}{
			{&r.consistent, apiList(e.cs, "")},
			{&r.cached, apiList(e.cs, "0")},
			{&r.consistentJSON, apiList(jsonCS, "")},
			{&r.etcd, etcdList},
		} {
			if err := timed(step.dst, step.f); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}
