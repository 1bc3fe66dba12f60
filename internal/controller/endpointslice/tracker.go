package endpointslice

import (
	"strconv"
	"sync"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
)

// expectationTTL bounds how long a write waits to be seen by the informer
// before it is assumed lost (the object was changed or deleted by someone
// else meanwhile).
const expectationTTL = 30 * time.Second

// expectation is a slice write the informer has not shown yet.
type expectation struct {
	rv      string // resourceVersion the write returned
	deleted bool
	at      time.Time
}

// staleTracker remembers the slices a sync wrote until the informer cache
// shows them. Slices are created with generateName, so acting on a cache
// that misses a fresh slice would create a duplicate: a sync waits instead.
type staleTracker struct {
	mu      sync.Mutex
	pending map[string]map[string]expectation // service key → slice name → write
}

func newStaleTracker() *staleTracker {
	return &staleTracker{pending: map[string]map[string]expectation{}}
}

func (t *staleTracker) expect(svcKey, name string, e expectation) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.pending[svcKey]
	if m == nil {
		m = map[string]expectation{}
		t.pending[svcKey] = m
	}
	m[name] = e
}

// wrote records a created or updated slice as returned by the API server.
func (t *staleTracker) wrote(svcKey string, s *discoveryv1.EndpointSlice, now time.Time) {
	t.expect(svcKey, s.Name, expectation{rv: s.ResourceVersion, at: now})
}

// removed records a deleted slice.
func (t *staleTracker) removed(svcKey string, s *discoveryv1.EndpointSlice, now time.Time) {
	t.expect(svcKey, s.Name, expectation{rv: s.ResourceVersion, deleted: true, at: now})
}

// forget drops everything known about a Service.
func (t *staleTracker) forget(svcKey string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.pending, svcKey)
}

// stale reports whether cached (the informer's slices of the Service) is
// older than the writes made for it. Writes the cache shows are forgotten.
func (t *staleTracker) stale(svcKey string, cached []*discoveryv1.EndpointSlice, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.pending[svcKey]
	if len(m) == 0 {
		return false
	}
	byName := make(map[string]*discoveryv1.EndpointSlice, len(cached))
	for _, s := range cached {
		byName[s.Name] = s
	}
	for name, e := range m {
		if seen(e, byName[name]) || now.Sub(e.at) > expectationTTL {
			delete(m, name)
		}
	}
	if len(m) == 0 {
		delete(t.pending, svcKey)
		return false
	}
	return true
}

// seen reports whether the cached state of a slice (nil: absent) reflects
// the write e.
func seen(e expectation, cached *discoveryv1.EndpointSlice) bool {
	if e.deleted {
		return cached == nil || !rvAtMost(cached.ResourceVersion, e.rv)
	}
	return cached != nil && !rvBefore(cached.ResourceVersion, e.rv)
}

// rvBefore reports a resourceVersion known to be older than another.
// resourceVersions are opaque; berth's (etcd revisions) are integers, and
// anything else is taken as not comparable.
func rvBefore(a, b string) bool {
	x, err1 := strconv.ParseUint(a, 10, 64)
	y, err2 := strconv.ParseUint(b, 10, 64)
	return err1 == nil && err2 == nil && x < y
}

// rvAtMost reports a resourceVersion not newer than another (equal strings
// count).
func rvAtMost(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := strconv.ParseUint(a, 10, 64)
	y, err2 := strconv.ParseUint(b, 10, 64)
	return err1 == nil && err2 == nil && x <= y
}
