package oci

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// maxHostnameLen is the longest hostname Linux and DNS labels allow.
const maxHostnameLen = 63

// PodHostname is the hostname the kubelet gives a pod's containers:
// spec.hostname if set, else the pod's name cut to 63 characters without a
// trailing '-' or '.'.
func PodHostname(pod *corev1.Pod) string {
	if pod.Spec.Hostname != "" {
		return pod.Spec.Hostname
	}
	h := pod.Name
	if len(h) > maxHostnameLen {
		h = strings.TrimRight(h[:maxHostnameLen], "-.")
	}
	return h
}
