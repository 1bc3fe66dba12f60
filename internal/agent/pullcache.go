package agent

import (
	"sync"
	"time"
)

// Failed pulls are remembered for a while: on an offline node every
// imagePullPolicy=Always container would otherwise wait on the registry
// before falling back to the node's copy.
const (
	localCopyPullTimeout = 5 * time.Second
	pullFailureMemory    = 2 * time.Minute
)

type pullFailures struct {
	mu sync.Mutex
	at map[string]time.Time
}

var failedPulls = pullFailures{at: map[string]time.Time{}}

func (a *Agent) notePullFailure(ref string) {
	failedPulls.mu.Lock()
	failedPulls.at[ref] = time.Now()
	failedPulls.mu.Unlock()
}

func (a *Agent) pullRecentlyFailed(ref string) bool {
	failedPulls.mu.Lock()
	defer failedPulls.mu.Unlock()
	t, ok := failedPulls.at[ref]
	return ok && time.Since(t) < pullFailureMemory
}
