package ingress

import (
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
)

// pathMatches says whether a request path matches an Ingress path of the
// given type, and how specific the match is (the number of path elements
// matched, used for longest-match precedence).
//
// Exact matches the URL path exactly, case-sensitively. Prefix (and
// ImplementationSpecific, which berth treats as Prefix) matches element by
// element, split by '/': "/foo/bar" matches "/foo/bar" and "/foo/bar/baz"
// but not "/foo/barbaz"; a trailing slash on either side is ignored.
func pathMatches(typ networkingv1.PathType, path, reqPath string) bool {
	if typ == networkingv1.PathTypeExact {
		return path == reqPath
	}
	p := pathElements(path)
	r := pathElements(reqPath)
	if len(p) > len(r) {
		return false
	}
	for i := range p {
		if p[i] != r[i] {
			return false
		}
	}
	return true
}

// pathElements splits a path into its non-empty '/'-separated elements.
func pathElements(p string) []string {
	var out []string
	for _, e := range strings.Split(p, "/") {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

// hostMatches says whether a rule host (exact, "*.suffix" or "" for any)
// matches a request host (without port, lower case). A wildcard covers
// exactly one DNS label: "*.foo.com" matches "bar.foo.com", not "foo.com"
// and not "baz.bar.foo.com".
func hostMatches(rule, host string) bool {
	if rule == "" {
		return true
	}
	if suffix, ok := strings.CutPrefix(rule, "*"); ok {
		label, rest, found := strings.Cut(host, ".")
		return found && label != "" && "."+rest == suffix
	}
	return rule == host
}
