package defaults

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// pullPolicyFor returns the pull policy Kubernetes picks for an image when
// none is given: Always when the reference names the "latest" tag, explicitly
// or by giving neither tag nor digest, and IfNotPresent otherwise (also for
// references that do not parse, which validation reports elsewhere).
func pullPolicyFor(image string) corev1.PullPolicy {
	if imageTag(image) == "latest" {
		return corev1.PullAlways
	}
	return corev1.PullIfNotPresent
}

// imageTag returns the tag an image reference resolves to: the explicit tag,
// "latest" when there is neither tag nor digest, and "" when the reference
// carries only a digest or is not a valid reference.
func imageTag(image string) string {
	if image == "" || strings.TrimSpace(image) != image {
		return ""
	}
	name, digest, hasDigest := strings.Cut(image, "@")
	if hasDigest && digest == "" {
		return ""
	}
	tag := ""
	// A tag follows the last ':' of the last path component; a ':' before
	// the last '/' belongs to a registry host's port.
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
		if tag == "" {
			return ""
		}
	}
	if !validRepository(name) {
		return ""
	}
	if tag == "" && !hasDigest {
		return "latest"
	}
	return tag
}

// validRepository is a coarse check of the repository part of a reference:
// non-empty, and lowercase once an optional registry host (a first component
// with a '.', a ':' or equal to "localhost") is set aside, as the docker
// reference grammar requires.
func validRepository(name string) bool {
	if name == "" || strings.HasSuffix(name, "/") || strings.HasPrefix(name, "/") {
		return false
	}
	path := name
	if host, rest, ok := strings.Cut(name, "/"); ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		path = rest
	}
	for _, r := range path {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-', r == '/':
		default:
			return false
		}
	}
	return path != ""
}
