package agent

import (
	"testing"
	"time"
)

func TestNextBackoff(t *testing.T) {
	tests := []struct {
		prev, ran, want time.Duration
	}{
		{0, time.Second, 10 * time.Second},
		{10 * time.Second, time.Second, 20 * time.Second},
		{160 * time.Second, time.Second, 300 * time.Second},
		{300 * time.Second, time.Second, 300 * time.Second},
		{300 * time.Second, 11 * time.Minute, 10 * time.Second},
	}
	for _, tc := range tests {
		if got := nextBackoff(tc.prev, tc.ran); got != tc.want {
			t.Errorf("nextBackoff(%v,%v)=%v want %v", tc.prev, tc.ran, got, tc.want)
		}
	}
}

func TestShouldRestart(t *testing.T) {
	tests := []struct {
		policy string
		code   int
		want   bool
	}{
		{"Always", 0, true}, {"Always", 1, true},
		{"OnFailure", 0, false}, {"OnFailure", 2, true},
		{"Never", 0, false}, {"Never", 1, false},
	}
	for _, tc := range tests {
		if got := shouldRestart(tc.policy, tc.code); got != tc.want {
			t.Errorf("%s/%d: %v", tc.policy, tc.code, got)
		}
	}
}
