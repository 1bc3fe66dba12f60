package dns

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// searchCandidates recognises the first try of a pod's search list: a
// question <x>.<ns>.svc.<zone> (names canonical). It returns the namespace
// and the names the pod's resolver would try next, in order: <x>.svc.<zone>,
// <x>.<zone>, <x> under each of the node's search domains, and <x> itself.
func searchCandidates(qname, zone string, hostSearch []string) (ns string, next []string, ok bool) {
	labels, in := labelsIn(qname, zone)
	n := len(labels)
	if !in || n < 3 || labels[n-1] != "svc" || zone == "." {
		return "", nil, false
	}
	ns = labels[n-2]
	x := strings.Join(labels[:n-2], ".")
	next = []string{x + ".svc." + zone, x + "." + zone}
	for _, d := range hostSearch {
		if d == zone || d == "svc."+zone || d == ns+".svc."+zone {
			continue
		}
		next = append(next, x+"."+d)
	}
	return ns, append(next, x+"."), true
}

// searchPathKnown reports whether pod resolves with the cluster search list
// of its namespace (and nothing the server cannot know about).
func searchPathKnown(pod *corev1.Pod) bool {
	switch pod.Spec.DNSPolicy {
	case "", corev1.DNSClusterFirst, corev1.DNSClusterFirstWithHostNet:
	default:
		return false
	}
	return pod.Spec.DNSConfig == nil || len(pod.Spec.DNSConfig.Searches) == 0
}
