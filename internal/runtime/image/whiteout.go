package image

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Whiteout markers from the OCI image spec: a file ".wh.NAME" deletes NAME
// from the layers below; ".wh..wh..opq" hides everything a directory held in
// the layers below.
const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh."
	opaqueMarker   = ".wh..wh..opq"

	// overlayfs' own representation of an opaque directory.
	overlayOpaqueXattr = "trusted.overlay.opaque"
	// xattrs under this prefix steer overlayfs; a layer must not bring its own.
	overlayXattrPrefix = "trusted.overlay."
)

// entryKind says what a tar entry means for the layer directory.
type entryKind int

const (
	entryFile     entryKind = iota // a real file, directory, link or device
	entryWhiteout                  // delete target from lower layers
	entryOpaque                    // target directory hides lower layers' contents
	entryIgnore                    // other ".wh..wh." bookkeeping (aufs hard-link dirs)
)

// cleanEntryName turns a tar entry name into a path relative to the layer
// root ("." for the root itself) and refuses names that leave the root.
func cleanEntryName(name string) (string, error) {
	// Cleaning below would fold ".." away ("../x" → "x"); a layer that
	// uses ".." at all is malformed or hostile, so refuse it outright.
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("tar entry %q escapes the layer", name)
		}
	}
	n := strings.TrimPrefix(path.Clean("/"+name), "/")
	if n == "" {
		return ".", nil
	}
	if !filepath.IsLocal(n) {
		return "", fmt.Errorf("tar entry %q escapes the layer", name)
	}
	return n, nil
}

// classifyEntry says how to apply a cleaned entry name and, for whiteouts and
// opaque markers, which path they act on.
func classifyEntry(name string) (entryKind, string) {
	dir, base := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	switch {
	case base == opaqueMarker:
		return entryOpaque, dir
	case strings.HasPrefix(base, whiteoutMeta):
		return entryIgnore, ""
	case strings.HasPrefix(base, whiteoutPrefix):
		return entryWhiteout, path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix))
	}
	return entryFile, name
}
