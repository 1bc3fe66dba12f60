package image

import (
	"os"
	"path/filepath"
	"strings"
)

// Remove forgets an image reference. A tag or digest reference removes just
// that name; an image ID or manifest digest removes every name of that image
// (like the CRI's RemoveImage). An image left without names is deleted with
// its blobs and with every layer no other image uses and no mounted root
// filesystem still stacks.
func (s *Store) Remove(ref string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	md, err := s.resolveLocked(ref)
	if err != nil {
		return err
	}
	if isImageID(ref) {
		for r, d := range s.idx.Refs {
			if d == md {
				delete(s.idx.Refs, r)
			}
		}
	} else {
		r, _ := ParseReference(ref) // resolved above, so it parses
		name := r.String()
		if _, ok := s.idx.Refs[name]; !ok && r.Digest != "" {
			name = r.Repository() + "@" + r.Digest
		}
		delete(s.idx.Refs, name)
	}
	if err := s.saveIndexLocked(); err != nil {
		return err
	}
	s.log.Info("image reference removed", "ref", ref, "digest", md)
	s.collectLocked()
	return nil
}

// collectLocked deletes images no reference names, then blobs and layer
// trees nothing needs. Errors are logged, not returned: garbage left behind
// is retried at the next collection.
func (s *Store) collectLocked() {
	named := map[string]bool{}
	for _, md := range s.idx.Refs {
		named[md] = true
	}
	changed := false
	for md := range s.idx.Images {
		if !named[md] {
			delete(s.idx.Images, md)
			changed = true
		}
	}
	if changed {
		if err := s.saveIndexLocked(); err != nil {
			s.log.Error("saving image index", "err", err)
			return
		}
	}
	keepBlobs := map[string]bool{}
	keepLayers := map[string]bool{}
	for md, rec := range s.idx.Images {
		keepBlobs[strings.TrimPrefix(md, "sha256:")] = true
		keepBlobs[strings.TrimPrefix(rec.Config, "sha256:")] = true
		for _, l := range rec.Layers {
			keepLayers[strings.TrimPrefix(l.DiffID, "sha256:")] = true
		}
	}
	for d := range s.pinned {
		keepLayers[strings.TrimPrefix(d, "sha256:")] = true
	}
	blobDir := filepath.Join(s.root, "blobs", "sha256")
	if entries, err := os.ReadDir(blobDir); err == nil {
		for _, e := range entries {
			if !keepBlobs[e.Name()] {
				delete(s.configs, "sha256:"+e.Name())
				if err := os.Remove(filepath.Join(blobDir, e.Name())); err != nil {
					s.log.Warn("removing blob", "blob", e.Name(), "err", err)
				}
			}
		}
	}
	layerDir := filepath.Join(s.root, "layers", "sha256")
	entries, err := os.ReadDir(layerDir)
	if err != nil {
		return
	}
	var inUse map[string]bool
	for _, e := range entries {
		if keepLayers[e.Name()] {
			continue
		}
		if inUse == nil {
			mounts, err := readMounts()
			if err != nil {
				s.log.Warn("reading mounts; keeping unused layers for now", "err", err)
				return
			}
			inUse = overlayLowerDirs(mounts)
		}
		dir := filepath.Join(layerDir, e.Name())
		if inUse[dir] {
			s.log.Info("layer unused by any image but still mounted; keeping it", "layer", e.Name())
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			s.log.Warn("removing layer", "layer", e.Name(), "err", err)
		} else {
			s.log.Debug("layer removed", "layer", e.Name())
		}
	}
}
