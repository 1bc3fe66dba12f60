package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ErrNotFound is returned (wrapped) when a reference names no stored image.
var ErrNotFound = errors.New("image not found")

// Image is one stored image, as the kubelet's image service sees it.
type Image struct {
	ID          string    // config digest, the image ID ("sha256:…")
	Digest      string    // manifest digest
	RepoTags    []string  // normalised tag references naming this image
	RepoDigests []string  // repository@digest references naming this image
	Size        int64     // sum of the layers' sizes as distributed
	Layers      []Layer   // bottom first
	Config      v1.Config // Entrypoint, Cmd, Env, WorkingDir, User, …
	OS          string
	Arch        string
	Stored      time.Time // when it came into this store
}

// Layer is one layer of an image.
type Layer struct {
	Digest    string `json:"digest"` // as distributed (often gzip)
	DiffID    string `json:"diffID"` // of the uncompressed tar; names the unpacked tree
	Size      int64  `json:"size"`
	MediaType string `json:"mediaType,omitempty"`
}

// Options configure a Store.
type Options struct {
	Logger *slog.Logger // defaults to slog.Default()
}

// Store is a content-addressed image store rooted at one directory. It is
// safe for concurrent use by one process.
type Store struct {
	root string
	log  *slog.Logger

	mu      sync.Mutex // guards idx, configs and the index file
	idx     indexFile
	configs map[string]*v1.ConfigFile // by config digest
	pinned  map[string]int            // diff-id → ingests in progress using it

	layerMu    sync.Mutex
	layerLocks map[string]*sync.Mutex // by diff-id: one unpack per layer at a time
}

// indexFile is index.json.
type indexFile struct {
	Refs   map[string]string       `json:"refs"`   // normalised reference → manifest digest
	Images map[string]*imageRecord `json:"images"` // manifest digest → record
}

type imageRecord struct {
	Config string    `json:"config"`
	Layers []Layer   `json:"layers"`
	Stored time.Time `json:"stored"`
}

// New opens (creating if needed) the store rooted at root.
func New(root string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	s := &Store{
		root:       root,
		log:        opts.Logger.With("component", "image-store"),
		configs:    map[string]*v1.ConfigFile{},
		pinned:     map[string]int{},
		layerLocks: map[string]*sync.Mutex{},
		idx:        indexFile{Refs: map[string]string{}, Images: map[string]*imageRecord{}},
	}
	for _, d := range []string{"blobs/sha256", "layers/sha256", "tmp", "empty"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return nil, err
		}
	}
	// Staging leftovers from a crash are never referenced; drop them.
	if entries, err := os.ReadDir(s.tmpDir()); err == nil {
		for _, e := range entries {
			os.RemoveAll(filepath.Join(s.tmpDir(), e.Name()))
		}
	}
	data, err := os.ReadFile(s.indexPath())
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(data, &s.idx); err != nil {
			return nil, fmt.Errorf("image index %s: %w", s.indexPath(), err)
		}
		if s.idx.Refs == nil {
			s.idx.Refs = map[string]string{}
		}
		if s.idx.Images == nil {
			s.idx.Images = map[string]*imageRecord{}
		}
	}
	return s, nil
}

// Root is the store's root directory.
func (s *Store) Root() string { return s.root }

func (s *Store) indexPath() string { return filepath.Join(s.root, "index.json") }
func (s *Store) tmpDir() string    { return filepath.Join(s.root, "tmp") }
func (s *Store) emptyDir() string  { return filepath.Join(s.root, "empty") }

func (s *Store) blobPath(digest string) string {
	return filepath.Join(s.root, "blobs", "sha256", strings.TrimPrefix(digest, "sha256:"))
}

// LayerDir is where the layer with this diff-id is unpacked.
func (s *Store) LayerDir(diffID string) string {
	return filepath.Join(s.root, "layers", "sha256", strings.TrimPrefix(diffID, "sha256:"))
}

// saveIndexLocked writes index.json atomically.
func (s *Store) saveIndexLocked() error {
	data, err := json.MarshalIndent(&s.idx, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(s.indexPath(), data)
}

// List returns every stored image, ordered by first reference then ID.
func (s *Store) List() ([]*Image, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Image, 0, len(s.idx.Images))
	for md := range s.idx.Images {
		img, err := s.imageLocked(md)
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	sort.Slice(out, func(i, j int) bool { return listKey(out[i]) < listKey(out[j]) })
	return out, nil
}

// listKey orders named images by name and puts unnamed ones last.
func listKey(img *Image) string {
	if len(img.RepoTags) > 0 {
		return img.RepoTags[0]
	}
	if len(img.RepoDigests) > 0 {
		return img.RepoDigests[0]
	}
	return "~" + img.ID
}

// Get returns the image a reference names: a tag or digest reference
// ("busybox", "docker.io/library/busybox@sha256:…") or an image ID or
// manifest digest ("sha256:…").
func (s *Store) Get(ref string) (*Image, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	md, err := s.resolveLocked(ref)
	if err != nil {
		return nil, err
	}
	return s.imageLocked(md)
}

// resolveLocked maps a reference to a manifest digest.
func (s *Store) resolveLocked(ref string) (string, error) {
	if isImageID(ref) {
		id := canonicalID(ref)
		if _, ok := s.idx.Images[id]; ok {
			return id, nil
		}
		// An image ID is the config digest; pick the manifest carrying it.
		var found []string
		for md, rec := range s.idx.Images {
			if rec.Config == id {
				found = append(found, md)
			}
		}
		if len(found) > 0 {
			slices.Sort(found)
			return found[0], nil
		}
		return "", fmt.Errorf("%w: %s", ErrNotFound, ref)
	}
	r, err := ParseReference(ref)
	if err != nil {
		return "", err
	}
	if md, ok := s.idx.Refs[r.String()]; ok {
		return md, nil
	}
	if r.Digest != "" && r.Tag != "" { // name:tag@digest: the digest decides
		if md, ok := s.idx.Refs[r.Repository()+"@"+r.Digest]; ok {
			return md, nil
		}
		if _, ok := s.idx.Images[r.Digest]; ok {
			return r.Digest, nil
		}
	}
	return "", fmt.Errorf("%w: %s", ErrNotFound, r.String())
}

// imageLocked builds the Image view of a manifest record.
func (s *Store) imageLocked(md string) (*Image, error) {
	rec, ok := s.idx.Images[md]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, md)
	}
	cfg, err := s.configLocked(rec.Config)
	if err != nil {
		return nil, err
	}
	img := &Image{ID: rec.Config, Digest: md, Layers: slices.Clone(rec.Layers), Config: cfg.Config,
		OS: cfg.OS, Arch: cfg.Architecture, Stored: rec.Stored}
	for _, l := range rec.Layers {
		img.Size += l.Size
	}
	for ref, d := range s.idx.Refs {
		if d != md {
			continue
		}
		if strings.Contains(ref, "@") {
			img.RepoDigests = append(img.RepoDigests, ref)
		} else {
			img.RepoTags = append(img.RepoTags, ref)
		}
	}
	slices.Sort(img.RepoTags)
	slices.Sort(img.RepoDigests)
	return img, nil
}

func (s *Store) configLocked(digest string) (*v1.ConfigFile, error) {
	if c, ok := s.configs[digest]; ok {
		return c, nil
	}
	f, err := os.Open(s.blobPath(digest))
	if err != nil {
		return nil, fmt.Errorf("image config %s: %w", digest, err)
	}
	defer f.Close()
	c, err := v1.ParseConfigFile(f)
	if err != nil {
		return nil, fmt.Errorf("image config %s: %w", digest, err)
	}
	s.configs[digest] = c
	return c, nil
}

// writeFileAtomic replaces path with data so readers see old or new, never half.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
