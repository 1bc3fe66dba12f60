package podutil

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
)

func TestExpectations(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	e := NewExpectations(time.Minute, clk)
	const key = "ns/rs"

	steps := []struct {
		name      string
		do        func()
		satisfied bool
		adds      int
		dels      int
	}{
		{"nothing recorded", func() {}, true, 0, 0},
		{"expect 2 creations", func() { e.Expect(key, 2, nil) }, false, 2, 0},
		{"one observed", func() { e.CreationObserved(key) }, false, 1, 0},
		{"the other failed", func() { e.CreationsFailed(key, 1) }, true, 0, 0},
		{"an extra observation is harmless", func() { e.CreationObserved(key) }, true, 0, 0},
		{"expect 2 deletions", func() { e.Expect(key, 0, []types.UID{"a", "b"}) }, false, 0, 2},
		{"a seen terminating", func() { e.DeletionObserved(key, "a") }, false, 0, 1},
		{"a seen gone: counted once", func() { e.DeletionObserved(key, "a") }, false, 0, 1},
		{"an unrelated pod", func() { e.DeletionObserved(key, "zzz") }, false, 0, 1},
		{"b seen", func() { e.DeletionObserved(key, "b") }, true, 0, 0},
		{"expect again", func() { e.Expect(key, 3, []types.UID{"c"}) }, false, 3, 1},
		{"not yet expired", func() { clk.SetTime(clk.Now().Add(time.Minute)) }, false, 3, 1},
		{"expired: act anyway", func() { clk.SetTime(clk.Now().Add(time.Second)) }, true, 3, 1},
		{"forgotten", func() { e.Forget(key) }, true, 0, 0},
		{"observations on a forgotten key are ignored", func() { e.CreationObserved(key); e.DeletionObserved(key, "c") }, true, 0, 0},
	}
	for _, s := range steps {
		s.do()
		if got := e.Satisfied(key); got != s.satisfied {
			t.Errorf("%s: Satisfied = %v, want %v", s.name, got, s.satisfied)
		}
		if a, d := e.Pending(key); a != s.adds || d != s.dels {
			t.Errorf("%s: Pending = %d,%d, want %d,%d", s.name, a, d, s.adds, s.dels)
		}
	}
	if !e.Satisfied("other/key") {
		t.Error("other keys are unaffected")
	}
}
