// Package bench measures berth's Kubernetes API against the etcd it stores
// into: create, get, list and watch delivery through client-go, side by side
// with raw etcd client calls on the same embedded etcd in the same run, plus
// the server's resident memory. The figures are ratios against that baseline,
// never timed assertions, because this machine's speed (2 shared cores) says
// little on its own.
//
// The report runs only when asked:
//
//	BERTH_BENCH=1 go test -run TestAPIReport -v -timeout 30m ./bench/
//
// and the Go benchmarks with `go test -run '^$' -bench . ./bench/`.
// docs/benchmarks.md records a run and explains each figure.
package bench
