package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ingest stores img (from a registry or a tarball) under refs: manifest and
// config as blobs, each layer unpacked once by diff-id, then the index.
func (s *Store) ingest(ctx context.Context, img v1.Image, refs []string) (*Image, error) {
	rawManifest, err := img.RawManifest()
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	manifest, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	rawConfig, err := img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	md, cd := digestOf(rawManifest), digestOf(rawConfig)
	if manifest.Config.Digest.String() != cd {
		return nil, fmt.Errorf("config digest %s does not match manifest's %s", cd, manifest.Config.Digest)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	if len(layers) != len(cfg.RootFS.DiffIDs) || len(layers) != len(manifest.Layers) {
		return nil, fmt.Errorf("image has %d layers but config lists %d diff-ids", len(layers), len(cfg.RootFS.DiffIDs))
	}
	rec := &imageRecord{Config: cd, Stored: time.Now().UTC()}
	// Pin the layers so a concurrent garbage collection leaves them alone
	// between unpacking and the index naming them.
	unpin := s.pin(cfg.RootFS.DiffIDs)
	defer unpin()
	for i, l := range layers {
		desc := manifest.Layers[i]
		diffID := cfg.RootFS.DiffIDs[i]
		if err := s.ensureLayer(ctx, diffID, l); err != nil {
			return nil, fmt.Errorf("layer %s: %w", desc.Digest, err)
		}
		rec.Layers = append(rec.Layers, Layer{Digest: desc.Digest.String(), DiffID: diffID.String(),
			Size: desc.Size, MediaType: string(desc.MediaType)})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writeBlob(md, rawManifest); err != nil {
		return nil, err
	}
	if err := s.writeBlob(cd, rawConfig); err != nil {
		return nil, err
	}
	if old, ok := s.idx.Images[md]; ok {
		rec.Stored = old.Stored
	}
	s.idx.Images[md] = rec
	for _, r := range refs {
		if prev, ok := s.idx.Refs[r]; ok && prev != md {
			s.log.Info("reference moves to a new image", "ref", r, "from", prev, "to", md)
		}
		s.idx.Refs[r] = md
	}
	if err := s.saveIndexLocked(); err != nil {
		return nil, err
	}
	s.log.Info("image stored", "refs", refs, "digest", md, "id", cd, "layers", len(rec.Layers))
	// Images that lost their last reference to this one are garbage now.
	s.collectLocked()
	return s.imageLocked(md)
}

// ensureLayer unpacks a layer unless its tree is already there. The tree is
// built in tmp/ and renamed into place only once its content hashed to the
// expected diff-id, so a present layer directory is always complete.
func (s *Store) ensureLayer(ctx context.Context, diffID v1.Hash, l v1.Layer) error {
	lock := s.layerLock(diffID.String())
	lock.Lock()
	defer lock.Unlock()
	final := s.LayerDir(diffID.String())
	if _, err := os.Stat(final); err == nil {
		return nil
	}
	tmp, err := os.MkdirTemp(s.tmpDir(), "layer-")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	// MkdirTemp makes 0700; the layer root must be readable by any
	// container user unless the layer says otherwise.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	r := io.TeeReader(&ctxReader{ctx: ctx, r: rc}, h)
	if err := unpackLayer(r, tmp, s.log); err != nil {
		return err
	}
	// The tar reader stops at the end-of-archive marker; hash the padding
	// too, and let a registry layer verify its compressed digest at EOF.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != diffID.String() {
		return fmt.Errorf("content hashes to %s, want diff-id %s", got, diffID)
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	ok = true
	s.log.Debug("layer unpacked", "diffID", diffID.String())
	return nil
}

// pin marks layers as in use by an ingest in progress.
func (s *Store) pin(diffIDs []v1.Hash) (unpin func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range diffIDs {
		s.pinned[d.String()]++
	}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, d := range diffIDs {
			if s.pinned[d.String()]--; s.pinned[d.String()] <= 0 {
				delete(s.pinned, d.String())
			}
		}
	}
}

func (s *Store) layerLock(diffID string) *sync.Mutex {
	s.layerMu.Lock()
	defer s.layerMu.Unlock()
	m, ok := s.layerLocks[diffID]
	if !ok {
		m = &sync.Mutex{}
		s.layerLocks[diffID] = m
	}
	return m
}

func (s *Store) writeBlob(digest string, data []byte) error {
	p := s.blobPath(digest)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	return writeFileAtomic(p, data)
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ctxReader stops a long download or unpack when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
