package image

import (
	"fmt"
	"regexp"
	"strings"
)

// Reference is an image reference split into its parts, normalised the way
// Docker and Kubernetes do ("busybox" → docker.io/library/busybox:latest).
type Reference struct {
	Domain string // registry host[:port], "docker.io" for Docker Hub
	Path   string // repository path, "library/busybox"
	Tag    string // "latest" when neither tag nor digest was given
	Digest string // "sha256:<hex>", empty unless given
}

const (
	defaultDomain = "docker.io"
	defaultTag    = "latest"
)

var (
	// one path component: lowercase alphanumerics joined by '.', '_', '__' or dashes.
	componentRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$`)
	tagRE       = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestRE    = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$`)
	domainRE    = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$`)
	idRE        = regexp.MustCompile(`^(?:sha256:)?[a-f0-9]{64}$`)
)

// ParseReference parses and normalises an image reference.
func ParseReference(s string) (Reference, error) {
	var r Reference
	in := s
	if s == "" {
		return r, fmt.Errorf("empty image reference")
	}
	if i := strings.IndexByte(s, '@'); i >= 0 {
		r.Digest = s[i+1:]
		s = s[:i]
		if !digestRE.MatchString(r.Digest) {
			return r, fmt.Errorf("image reference %q: invalid digest %q", in, r.Digest)
		}
	}
	// A tag follows the last ':' that comes after the last '/', so
	// "localhost:5000/app" has no tag but "localhost:5000/app:v1" has.
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		r.Tag = s[i+1:]
		s = s[:i]
		if !tagRE.MatchString(r.Tag) {
			return r, fmt.Errorf("image reference %q: invalid tag %q", in, r.Tag)
		}
	}
	// The first component is a registry only if it looks like a host:
	// it has a '.' or a ':' or is "localhost" (Docker's rule).
	if i := strings.IndexByte(s, '/'); i >= 0 {
		first := s[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first {
			r.Domain, s = first, s[i+1:]
		}
	}
	if r.Domain == "" || r.Domain == "index.docker.io" {
		r.Domain = defaultDomain
	}
	if !domainRE.MatchString(r.Domain) {
		return r, fmt.Errorf("image reference %q: invalid registry %q", in, r.Domain)
	}
	if r.Domain == defaultDomain && !strings.Contains(s, "/") {
		s = "library/" + s
	}
	if s == "" {
		return r, fmt.Errorf("image reference %q: empty repository", in)
	}
	for _, c := range strings.Split(s, "/") {
		if !componentRE.MatchString(c) {
			if strings.ToLower(c) != c {
				return r, fmt.Errorf("image reference %q: repository name must be lowercase", in)
			}
			return r, fmt.Errorf("image reference %q: invalid repository component %q", in, c)
		}
	}
	r.Path = s
	if r.Tag == "" && r.Digest == "" {
		r.Tag = defaultTag
	}
	return r, nil
}

// Normalize returns the fully qualified form of an image reference, as
// Kubernetes shows it in a pod's status: "testhost" →
// "docker.io/library/testhost:latest".
func Normalize(s string) (string, error) {
	r, err := ParseReference(s)
	if err != nil {
		return "", err
	}
	return r.String(), nil
}

// Repository is the reference without tag or digest: "docker.io/library/busybox".
func (r Reference) Repository() string { return r.Domain + "/" + r.Path }

// String is the normalised reference.
func (r Reference) String() string {
	s := r.Repository()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// isImageID reports whether s names an image by its ID or digest alone
// ("sha256:<hex>" or the bare 64-hex form), as the kubelet does with imageRef.
func isImageID(s string) bool { return idRE.MatchString(s) }

// canonicalID turns a bare hex ID into "sha256:<hex>".
func canonicalID(s string) string {
	if strings.HasPrefix(s, "sha256:") {
		return s
	}
	return "sha256:" + s
}
