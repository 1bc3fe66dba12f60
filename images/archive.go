package images

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Image is one image to write: its name, config and layers (bottom first).
type Image struct {
	Name   string    // full reference: docker.io/library/testhost:latest
	Tag    string    // short docker-style tag for manifest.json: testhost:latest
	Config v1.Config // Entrypoint, Cmd, Env, …
	Layers [][]byte  // uncompressed layer tars
}

// blob is content named by its sha256.
type blob struct {
	digest v1.Hash
	data   []byte
}

func newBlob(data []byte) blob {
	sum := sha256.Sum256(data)
	return blob{digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}, data: data}
}

// manifestFor builds an image's config and manifest blobs. Layers are
// stored uncompressed, so each layer's digest is its diff-id.
func manifestFor(img Image) (manifest, config blob, layers []blob, err error) {
	cf := v1.ConfigFile{
		Architecture: runtime.GOARCH,
		OS:           "linux",
		Created:      v1.Time{Time: epoch},
		Config:       img.Config,
		RootFS:       v1.RootFS{Type: "layers"},
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1}
	for i, l := range img.Layers {
		b := newBlob(l)
		layers = append(layers, b)
		cf.RootFS.DiffIDs = append(cf.RootFS.DiffIDs, b.digest)
		cf.History = append(cf.History, v1.History{Created: v1.Time{Time: epoch}, CreatedBy: fmt.Sprintf("berth images: layer %d of %s", i+1, img.Name)})
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.OCIUncompressedLayer, Size: int64(len(l)), Digest: b.digest})
	}
	cfgJSON, err := json.Marshal(cf)
	if err != nil {
		return
	}
	config = newBlob(cfgJSON)
	m.Config = v1.Descriptor{MediaType: types.OCIConfigJSON, Size: int64(len(cfgJSON)), Digest: config.digest}
	mJSON, err := json.Marshal(m)
	if err != nil {
		return
	}
	return newBlob(mJSON), config, layers, nil
}

// dockerManifestEntry is one entry of docker save's manifest.json.
type dockerManifestEntry struct {
	Config   string   `json:"Config"`
	RepoTags []string `json:"RepoTags"`
	Layers   []string `json:"Layers"`
}

// WriteArchive writes images to one tarball holding an OCI image layout
// (oci-layout, index.json, blobs/sha256/…) and a docker-save manifest.json
// over the same blobs. Blobs shared between images are written once. The
// output is byte-for-byte reproducible.
func WriteArchive(path string, imgs []Image) error {
	blobs := map[string]blob{}
	index := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
	var docker []dockerManifestEntry
	for _, img := range imgs {
		m, c, layers, err := manifestFor(img)
		if err != nil {
			return err
		}
		de := dockerManifestEntry{Config: blobPath(c.digest), RepoTags: []string{img.Tag}}
		for _, b := range append([]blob{m, c}, layers...) {
			blobs[b.digest.Hex] = b
		}
		for _, l := range layers {
			de.Layers = append(de.Layers, blobPath(l.digest))
		}
		docker = append(docker, de)
		tagOnly := img.Tag[strings.LastIndex(img.Tag, ":")+1:]
		index.Manifests = append(index.Manifests, v1.Descriptor{
			MediaType: types.OCIManifestSchema1, Size: int64(len(m.data)), Digest: m.digest,
			Annotations: map[string]string{
				"io.containerd.image.name":          img.Name,
				"org.opencontainers.image.ref.name": tagOnly,
			},
		})
	}
	indexJSON, err := json.Marshal(index)
	if err != nil {
		return err
	}
	dockerJSON, err := json.Marshal(docker)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	tw := tar.NewWriter(f)
	add := func(name string, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			f.Close()
			return err
		}
	}
	hexes := make([]string, 0, len(blobs))
	for h := range blobs {
		hexes = append(hexes, h)
	}
	sort.Strings(hexes)
	for _, h := range hexes {
		if err := add("blobs/sha256/"+h, blobs[h].data); err != nil {
			f.Close()
			return err
		}
	}
	for _, fl := range []struct {
		name string
		data []byte
	}{
		{"index.json", indexJSON},
		{"manifest.json", dockerJSON},
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
	} {
		if err := add(fl.name, fl.data); err != nil {
			f.Close()
			return err
		}
	}
	if err := tw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func blobPath(h v1.Hash) string { return "blobs/sha256/" + h.Hex }
