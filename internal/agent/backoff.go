package agent

import "time"

// Crash-loop back-off, as the kubelet does it: 10s after the first failure,
// doubling to at most 5 minutes; a container that ran for 10 minutes is
// forgiven and starts again from 10s.
const (
	backoffInitial = 10 * time.Second
	backoffMax     = 300 * time.Second
	backoffReset   = 10 * time.Minute
)

// nextBackoff returns the delay before the next restart of a container
// that ran for ranFor and had waited prev before its last start.
func nextBackoff(prev, ranFor time.Duration) time.Duration {
	if prev == 0 || ranFor >= backoffReset {
		return backoffInitial
	}
	next := prev * 2
	if next > backoffMax {
		next = backoffMax
	}
	return next
}

// shouldRestart says whether a container that exited with code should be
// started again under the pod's restartPolicy.
func shouldRestart(policy string, exitCode int) bool {
	switch policy {
	case "Never":
		return false
	case "OnFailure":
		return exitCode != 0
	default: // Always
		return true
	}
}
