package scheduler

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// DefaultSchedulerName is the spec.schedulerName the scheduler answers to
// when Options leaves it empty (pods that leave it empty are defaulted to it).
const DefaultSchedulerName = corev1.DefaultSchedulerName

// VolumeFilter is a hook for volume topology: it reports whether the pod's
// volumes can be used on node and, if not, the reason shown in the
// FailedScheduling message (e.g. "node(s) had volume node affinity
// conflict"). It runs after the built-in filters and must be safe for
// concurrent use.
type VolumeFilter func(pod *corev1.Pod, node *corev1.Node) (ok bool, reason string)

// Options configures the scheduler. The zero value is usable.
type Options struct {
	// SchedulerName is the spec.schedulerName served; default
	// "default-scheduler".
	SchedulerName string
	// VolumeFilter, when set, is consulted for every candidate node.
	VolumeFilter VolumeFilter
	// VolumeBinding turns on the pod's claims as a scheduling input
	// (volumebinding.go): bound volumes' node affinity, WaitForFirstConsumer
	// provisioning with free-capacity checks, access-mode restrictions, and
	// PreBind (selected-node, waiting for the claims to be Bound).
	VolumeBinding bool
	// InitialBackoff and MaxBackoff bound the exponential retry delay of an
	// unschedulable pod; defaults 1s and 30s. Node and pod changes retry
	// sooner.
	InitialBackoff, MaxBackoff time.Duration
}

func (o Options) withDefaults() Options {
	if o.SchedulerName == "" {
		o.SchedulerName = DefaultSchedulerName
	}
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = time.Second
	}
	if o.MaxBackoff < o.InitialBackoff {
		o.MaxBackoff = max(30*time.Second, o.InitialBackoff)
	}
	return o
}
