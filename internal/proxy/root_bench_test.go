package proxy

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// scaleCluster makes n ClusterIP Services with 10 ready endpoints each.
func scaleCluster(n int) ([]*corev1.Service, []*discoveryv1.EndpointSlice) {
	svcs := make([]*corev1.Service, 0, n)
	slices := make([]*discoveryv1.EndpointSlice, 0, n)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("svc-%05d", i)
		svcs = append(svcs, service("bench", name, fmt.Sprintf("10.43.%d.%d", i/250, i%250+1), httpPorts))
		eps := make([]ep, 10)
		for j := range eps {
			k := i*10 + j
			eps[j] = ep{ip: fmt.Sprintf("10.%d.%d.%d", 44+k>>16, k>>8&255, k&255), node: "node-b"}
		}
		slices = append(slices, slice("bench", name, name+"-1", httpSlice, eps...))
	}
	return svcs, slices
}

// BenchmarkRootSync measures what a sync costs in the kernel at scale:
//
//	go test -run '^$' -bench RootSync -benchtime 1x ./internal/proxy/
//
// full/N: Desired plus one transaction building the table from scratch
// for N Services × 10 endpoints; endpoint-change/10000: Desired plus the
// incremental transaction after one endpoint of one Service changed.
func BenchmarkRootSync(b *testing.B) {
	needRootNft(b)
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("full/%d", n), func(b *testing.B) {
			ns := newNetNS(b, "bench")
			svcs, slices := scaleCluster(n)
			be := &nftBackend{nsPath: ns}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				rs := Desired(svcs, slices, sampleNode(), Options{})
				built := time.Since(start)
				st, err := be.Apply(nil, rs)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rs.NumRules()), "rules")
				b.Logf("full sync %d services × 10 endpoints: %v (Desired %v, send+kernel %v), %d chains, %d rules, %d elements",
					n, time.Since(start), built, st.Kernel, len(rs.Chains), rs.NumRules(), rs.NumElements())
			}
		})
	}
	b.Run("endpoint-change/10000", func(b *testing.B) {
		ns := newNetNS(b, "bench")
		svcs, slices := scaleCluster(10000)
		be := &nftBackend{nsPath: ns}
		old := Desired(svcs, slices, sampleNode(), Options{})
		if _, err := be.Apply(nil, old); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			// Move one endpoint of one Service to a new IP, and back.
			s := slices[42].DeepCopy()
			s.Endpoints[3].Addresses = []string{fmt.Sprintf("10.42.250.%d", i%2+1)}
			changed := append(append([]*discoveryv1.EndpointSlice{}, slices[:42]...), s)
			changed = append(changed, slices[43:]...)
			start := time.Now()
			cur := Desired(svcs, changed, sampleNode(), Options{})
			built := time.Since(start)
			st, err := be.Apply(old, cur)
			if err != nil {
				b.Fatal(err)
			}
			old = cur
			b.Logf("endpoint change at 10000 services: %v (Desired %v, diff+send+kernel %v, send+kernel %v), chains written %d, deleted %d",
				time.Since(start), built, time.Since(start)-built, st.Kernel, st.ChainsWritten, st.ChainsDeleted)
		}
	})
}
