package image

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Annotations naming an image inside an OCI layout.
const (
	// containerd and docker save put the full reference here.
	annotationImageName = "io.containerd.image.name"
	// The OCI spec's name; often just a tag, sometimes a full reference.
	annotationRefName = "org.opencontainers.image.ref.name"
)

// Load stores every image of a tarball written by `docker save` (manifest.json)
// or holding an OCI image layout (oci-layout, index.json, blobs/), several
// images per file allowed. Images the tarball does not name are skipped:
// nothing could refer to them.
func (s *Store) Load(ctx context.Context, tarPath string) ([]*Image, error) {
	names, err := tarEntryNames(tarPath)
	if err != nil {
		return nil, err
	}
	var out []*Image
	switch {
	case names["oci-layout"] && names["index.json"]:
		out, err = s.loadOCILayout(ctx, tarPath, names["manifest.json"])
	case names["manifest.json"]:
		out, err = s.loadDockerArchive(ctx, tarPath)
	default:
		return nil, fmt.Errorf("%s: neither a docker-save archive nor an OCI layout", tarPath)
	}
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", tarPath, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("loading %s: no named image in it", tarPath)
	}
	return out, nil
}

// tarEntryNames lists the cleaned names in a tarball.
func tarEntryNames(tarPath string) (map[string]bool, error) {
	f, err := os.Open(tarPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names := map[string]bool{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return names, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tarPath, err)
		}
		names[strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")] = true
	}
}

func (s *Store) loadDockerArchive(ctx context.Context, tarPath string) ([]*Image, error) {
	opener := func() (io.ReadCloser, error) { return os.Open(tarPath) }
	manifest, err := tarball.LoadManifest(opener)
	if err != nil {
		return nil, err
	}
	var out []*Image
	for i, entry := range manifest {
		if len(entry.RepoTags) == 0 {
			s.log.Warn("skipping untagged image in archive", "archive", tarPath, "entry", i, "config", entry.Config)
			continue
		}
		var refs []string
		for _, t := range entry.RepoTags {
			n, err := Normalize(t)
			if err != nil {
				return nil, err
			}
			refs = append(refs, n)
		}
		// ggcr finds an entry by tag; its own parse of the first tag is enough.
		tag, err := name.NewTag(entry.RepoTags[0])
		if err != nil {
			return nil, err
		}
		img, err := tarball.Image(opener, &tag)
		if err != nil {
			return nil, err
		}
		stored, err := s.ingest(ctx, img, refs)
		if err != nil {
			return nil, err
		}
		out = append(out, stored)
	}
	return out, nil
}

func (s *Store) loadOCILayout(ctx context.Context, tarPath string, hasDockerManifest bool) ([]*Image, error) {
	dir, err := os.MkdirTemp(s.tmpDir(), "load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := extractPlainFiles(tarPath, dir); err != nil {
		return nil, err
	}
	// docker save also writes manifest.json; its RepoTags name images whose
	// index entry carries only a bare tag.
	tagsByConfig := map[string][]string{}
	if hasDockerManifest {
		if data, err := os.ReadFile(dir + "/manifest.json"); err == nil {
			var m tarball.Manifest
			if json.Unmarshal(data, &m) == nil {
				for _, e := range m {
					tagsByConfig[path.Base(e.Config)] = e.RepoTags
				}
			}
		}
	}
	lp, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	idx, err := lp.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []*Image
	for _, desc := range im.Manifests {
		var img v1.Image
		switch {
		case desc.MediaType.IsImage():
			img, err = idx.Image(desc.Digest)
		case desc.MediaType.IsIndex():
			img, err = imageForPlatform(idx, desc.Digest)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		if img == nil {
			s.log.Warn("no image for this platform in archive entry", "digest", desc.Digest.String())
			continue
		}
		refs := refsFromAnnotations(desc.Annotations)
		if len(refs) == 0 {
			if cd, err := img.ConfigName(); err == nil {
				for _, t := range tagsByConfig[cd.Hex] {
					if n, err := Normalize(t); err == nil {
						refs = append(refs, n)
					}
				}
			}
		}
		if len(refs) == 0 {
			s.log.Warn("skipping unnamed image in archive", "archive", tarPath, "digest", desc.Digest.String())
			continue
		}
		stored, err := s.ingest(ctx, img, refs)
		if err != nil {
			return nil, err
		}
		out = append(out, stored)
	}
	return out, nil
}

// refsFromAnnotations reads an image's name from an OCI index entry. A bare
// tag in ref.name ("latest") names nothing by itself and is ignored.
func refsFromAnnotations(a map[string]string) []string {
	for _, key := range []string{annotationImageName, annotationRefName} {
		v := a[key]
		if v == "" || !strings.ContainsAny(v, "/:@") {
			continue
		}
		if n, err := Normalize(v); err == nil {
			return []string{n}
		}
	}
	return nil
}

// imageForPlatform picks this machine's image from a nested index.
func imageForPlatform(parent v1.ImageIndex, digest v1.Hash) (v1.Image, error) {
	child, err := parent.ImageIndex(digest)
	if err != nil {
		return nil, err
	}
	im, err := child.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, d := range im.Manifests {
		if d.MediaType.IsImage() && d.Platform != nil && d.Platform.OS == "linux" && d.Platform.Architecture == runtime.GOARCH {
			return child.Image(d.Digest)
		}
	}
	return nil, nil
}

// extractPlainFiles writes a tarball's regular files and directories under
// dir, through an os.Root so no entry lands outside it. An OCI layout needs
// nothing else.
func extractPlainFiles(tarPath, dir string) error {
	f, err := os.Open(tarPath)
	if err != nil {
		return err
	}
	defer f.Close()
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		n, err := cleanEntryName(hdr.Name)
		if err != nil {
			return err
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(n, 0o755); err != nil {
				return err
			}
		case tar.TypeReg, tar.TypeRegA:
			if err := root.MkdirAll(path.Dir(n), 0o755); err != nil {
				return err
			}
			w, err := root.OpenFile(n, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, tr)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}
