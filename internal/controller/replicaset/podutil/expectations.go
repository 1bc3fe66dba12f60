package podutil

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
)

// DefaultExpectationsTTL is how long a controller waits for its informer to
// report the creations and deletions it made before it acts again anyway
// (Kubernetes' ExpectationsTimeout): a lost watch event cannot stall a
// controller for longer than this.
const DefaultExpectationsTTL = 5 * time.Minute

// Expectations records, per controller key ("namespace/name"), the pod
// creations and deletions in flight. A controller only creates or deletes
// pods for a key whose expectations are Satisfied; the pod event handlers
// lower them as the informer observes the results. It is safe for
// concurrent use.
type Expectations struct {
	mu    sync.Mutex
	ttl   time.Duration
	clock clock.PassiveClock
	m     map[string]*expectation
}

type expectation struct {
	adds int
	dels map[types.UID]struct{}
	at   time.Time
}

// NewExpectations returns an empty record. ttl <= 0 means
// DefaultExpectationsTTL; clk nil means the real clock.
func NewExpectations(ttl time.Duration, clk clock.PassiveClock) *Expectations {
	if ttl <= 0 {
		ttl = DefaultExpectationsTTL
	}
	if clk == nil {
		clk = clock.RealClock{}
	}
	return &Expectations{ttl: ttl, clock: clk, m: map[string]*expectation{}}
}

// Satisfied reports whether the controller may act on key: nothing is
// recorded, everything recorded was observed, or the record is older than
// the TTL.
func (e *Expectations) Satisfied(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.m[key]
	if !ok {
		return true
	}
	if x.adds <= 0 && len(x.dels) == 0 {
		return true
	}
	return e.clock.Since(x.at) > e.ttl
}

// Expect replaces key's record: adds pods are about to be created and the
// pods with the given UIDs deleted. Call it before issuing the requests.
func (e *Expectations) Expect(key string, adds int, dels []types.UID) {
	x := &expectation{adds: adds, dels: make(map[types.UID]struct{}, len(dels)), at: e.clock.Now()}
	for _, uid := range dels {
		x.dels[uid] = struct{}{}
	}
	e.mu.Lock()
	e.m[key] = x
	e.mu.Unlock()
}

// CreationObserved lowers the pending creations of key by one: the informer
// saw a new pod controlled by it.
func (e *Expectations) CreationObserved(key string) { e.CreationsFailed(key, 1) }

// CreationsFailed lowers the pending creations by n: requests that failed or
// were never sent will not show up in the informer.
func (e *Expectations) CreationsFailed(key string, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.m[key]; ok {
		x.adds -= n
	}
}

// DeletionObserved marks the deletion of the pod with uid as seen (or as
// failed). Observing the same pod twice — once terminating, once gone — is
// harmless.
func (e *Expectations) DeletionObserved(key string, uid types.UID) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.m[key]; ok {
		delete(x.dels, uid)
	}
}

// Forget drops key's record, for a controller object that is gone.
func (e *Expectations) Forget(key string) {
	e.mu.Lock()
	delete(e.m, key)
	e.mu.Unlock()
}

// Pending returns the creations and deletions still outstanding for key.
func (e *Expectations) Pending(key string) (adds, dels int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.m[key]; ok {
		return max(x.adds, 0), len(x.dels)
	}
	return 0, 0
}
