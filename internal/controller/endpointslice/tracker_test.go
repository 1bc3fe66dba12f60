package endpointslice

import (
	"testing"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func slice(name, rv string) *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: name, ResourceVersion: rv}}
}

func TestStaleTracker(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tests := []struct {
		name   string
		record func(*staleTracker)
		cached []*discoveryv1.EndpointSlice
		now    time.Time
		want   bool
	}{
		{"nothing written", func(*staleTracker) {}, nil, t0, false},
		{"created, not cached yet", func(tr *staleTracker) { tr.wrote("ns/web", slice("web-a", "10"), t0) }, nil, t0, true},
		{"created and cached", func(tr *staleTracker) { tr.wrote("ns/web", slice("web-a", "10"), t0) }, []*discoveryv1.EndpointSlice{slice("web-a", "10")}, t0, false},
		{"updated, cache older", func(tr *staleTracker) { tr.wrote("ns/web", slice("web-a", "12"), t0) }, []*discoveryv1.EndpointSlice{slice("web-a", "10")}, t0, true},
		{"updated, cache newer", func(tr *staleTracker) { tr.wrote("ns/web", slice("web-a", "12"), t0) }, []*discoveryv1.EndpointSlice{slice("web-a", "15")}, t0, false},
		{"deleted, still cached", func(tr *staleTracker) { tr.removed("ns/web", slice("web-a", "12"), t0) }, []*discoveryv1.EndpointSlice{slice("web-a", "12")}, t0, true},
		{"deleted and gone", func(tr *staleTracker) { tr.removed("ns/web", slice("web-a", "12"), t0) }, nil, t0, false},
		{"opaque versions, cached", func(tr *staleTracker) { tr.wrote("ns/web", slice("web-a", ""), t0) }, []*discoveryv1.EndpointSlice{slice("web-a", "")}, t0, false},
		{"expired", func(tr *staleTracker) { tr.wrote("ns/web", slice("web-a", "10"), t0) }, nil, t0.Add(time.Minute), false},
		{"other service", func(tr *staleTracker) { tr.wrote("ns/db", slice("db-a", "10"), t0) }, nil, t0, false},
		{"forgotten", func(tr *staleTracker) { tr.wrote("ns/web", slice("web-a", "10"), t0); tr.forget("ns/web") }, nil, t0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newStaleTracker()
			tt.record(tr)
			if got := tr.stale("ns/web", tt.cached, tt.now); got != tt.want {
				t.Errorf("stale = %v, want %v", got, tt.want)
			}
		})
	}
}
