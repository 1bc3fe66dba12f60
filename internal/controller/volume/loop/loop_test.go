package loop

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/client-go/kubernetes/fake"
)

// TestRetriesAndMetrics: a failing key comes back, a succeeding one does
// not, and both are counted.
func TestRetriesAndMetrics(t *testing.T) {
	l := New(fake.NewClientset(), "test-loop")
	calls := map[string]int{}
	done := make(chan struct{})
	l.Sync = func(_ context.Context, key string) error {
		calls[key]++
		if key == "bad" && calls[key] < 3 {
			return errors.New("not yet")
		}
		if calls["bad"] == 3 && calls["good"] == 1 {
			close(done)
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = l.Run(ctx, 1) }()
	l.Queue.Add("good")
	l.Queue.Add("bad")
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("calls %v", calls)
	}
	if got := testutil.ToFloat64(syncs.WithLabelValues("test-loop", "error")); got != 2 {
		t.Errorf("error syncs %v, want 2", got)
	}
}
