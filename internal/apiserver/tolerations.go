package apiserver

import (
	corev1 "k8s.io/api/core/v1"
)

// DefaultTolerationSeconds is Kubernetes' admission plugin of that name:
// every pod created gets NoExecute tolerations of the taints the node
// lifecycle controller puts on failed nodes (node.kubernetes.io/not-ready
// and node.kubernetes.io/unreachable), for a bounded time, unless it
// already tolerates them. So a pod is evicted from a lost node after that
// time rather than at once (or never).
type DefaultTolerationSeconds struct {
	NotReady    int64 // --default-not-ready-toleration-seconds
	Unreachable int64 // --default-unreachable-toleration-seconds
}

// DefaultTolerationSecondsValue is Kubernetes' default for both flags.
const DefaultTolerationSecondsValue = 300

// addDefaultTolerations adds the missing tolerations to spec.
func (d DefaultTolerationSeconds) addDefaultTolerations(spec *corev1.PodSpec) {
	notReady, unreachable := false, false
	for _, t := range spec.Tolerations {
		// An empty key with Exists tolerates every taint; an empty effect
		// every effect (Kubernetes checks exactly these two fields).
		if t.Effect != "" && t.Effect != corev1.TaintEffectNoExecute {
			continue
		}
		if t.Key == "" || t.Key == corev1.TaintNodeNotReady {
			notReady = true
		}
		if t.Key == "" || t.Key == corev1.TaintNodeUnreachable {
			unreachable = true
		}
	}
	if !notReady {
		secs := d.NotReady
		spec.Tolerations = append(spec.Tolerations, corev1.Toleration{Key: corev1.TaintNodeNotReady,
			Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &secs})
	}
	if !unreachable {
		secs := d.Unreachable
		spec.Tolerations = append(spec.Tolerations, corev1.Toleration{Key: corev1.TaintNodeUnreachable,
			Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &secs})
	}
}
