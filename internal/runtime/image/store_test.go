package image

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// twoImages returns two images sharing their base layer.
func twoImages(t *testing.T) (base, app v1.Image) {
	baseLayer := testLayer(t, tarEntry{name: "bin/", typ: tar.TypeDir}, tarEntry{name: "bin/sh", body: "shell", mode: 0o755})
	appLayer := testLayer(t, tarEntry{name: "app", body: "app", mode: 0o755})
	base = testImage(t, v1.Config{Cmd: []string{"sh"}, Env: []string{"PATH=/bin"}}, baseLayer)
	app = testImage(t, v1.Config{Entrypoint: []string{"/app"}, Cmd: []string{"serve"}, WorkingDir: "/", User: "1000:1000"}, baseLayer, appLayer)
	return base, app
}

func layerCount(t *testing.T, s *Store) int {
	entries, err := os.ReadDir(filepath.Join(s.Root(), "layers", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestLoadDockerArchiveSeveralImages(t *testing.T) {
	base, app := twoImages(t)
	tarPath := filepath.Join(t.TempDir(), "images.tar")
	refs := map[name.Reference]v1.Image{
		name.MustParseReference("busybox:latest"):               base,
		name.MustParseReference("localhost:5000/team/app:v1"):   app,
		name.MustParseReference("docker.io/library/base:other"): base,
	}
	if err := tarball.MultiRefWriteToFile(tarPath, refs); err != nil {
		t.Fatal(err)
	}
	s := newTestStore(t)
	loaded, err := s.Load(context.Background(), tarPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) < 2 {
		t.Fatalf("loaded %d images", len(loaded))
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("List = %d images, want 2", len(list))
	}
	img, err := s.Get("busybox")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(img.RepoTags, []string{"docker.io/library/base:other", "docker.io/library/busybox:latest"}) {
		t.Fatalf("RepoTags = %v", img.RepoTags)
	}
	if !slices.Equal(img.Config.Cmd, []string{"sh"}) || !slices.Equal(img.Config.Env, []string{"PATH=/bin"}) {
		t.Fatalf("config = %+v", img.Config)
	}
	appImg, err := s.Get("localhost:5000/team/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	if appImg.Config.User != "1000:1000" || appImg.Config.Entrypoint[0] != "/app" || len(appImg.Layers) != 2 {
		t.Fatalf("app image = %+v", appImg)
	}
	// by image ID and by manifest digest
	for _, id := range []string{appImg.ID, appImg.Digest, strings.TrimPrefix(appImg.ID, "sha256:")} {
		if got, err := s.Get(id); err != nil || got.Digest != appImg.Digest {
			t.Fatalf("Get(%s) = %v, %v", id, got, err)
		}
	}
	// The base layer is unpacked once for both images.
	if n := layerCount(t, s); n != 2 {
		t.Fatalf("%d layer dirs, want 2", n)
	}
	data, err := os.ReadFile(filepath.Join(s.LayerDir(appImg.Layers[1].DiffID), "app"))
	if err != nil || string(data) != "app" {
		t.Fatalf("app layer content %q, %v", data, err)
	}
	// A reopened store sees the same images.
	s2, err := New(s.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l2, _ := s2.List(); len(l2) != 2 {
		t.Fatalf("reopened store lists %d images", len(l2))
	}
	if _, err := s.Get("nothere"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(nothere) err = %v", err)
	}
}

// tarDir packs a directory into a tarball, as `tar -C dir -cf out .` would.
func tarDir(t *testing.T, dir, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestLoadOCILayout(t *testing.T) {
	base, app := twoImages(t)
	dir := t.TempDir()
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(base, layout.WithAnnotations(map[string]string{annotationImageName: "docker.io/library/busybox:latest", annotationRefName: "latest"})); err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(app, layout.WithAnnotations(map[string]string{annotationRefName: "testhost:latest"})); err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(app, layout.WithAnnotations(map[string]string{annotationRefName: "latest"})); err != nil {
		t.Fatal(err) // a bare tag names nothing: skipped
	}
	tarPath := filepath.Join(t.TempDir(), "oci.tar")
	tarDir(t, dir, tarPath)
	s := newTestStore(t)
	loaded, err := s.Load(context.Background(), tarPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 2 {
		t.Fatalf("loaded %d images, want 2", len(loaded))
	}
	if _, err := s.Get("busybox"); err != nil {
		t.Fatal(err)
	}
	img, err := s.Get("testhost")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(img.RepoTags, []string{"docker.io/library/testhost:latest"}) {
		t.Fatalf("RepoTags %v", img.RepoTags)
	}
}

func TestLoadRejectsOtherTarballs(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.tar")
	os.WriteFile(p, tarBytes(t, tarEntry{name: "hello", body: "x"}), 0o644)
	if _, err := newTestStore(t).Load(context.Background(), p); err == nil {
		t.Fatal("want an error")
	}
}

func TestPullFromRegistry(t *testing.T) {
	_, app := twoImages(t)
	for _, tlsServer := range []bool{false, true} {
		srv := httptest.NewUnstartedServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
		if tlsServer {
			srv.StartTLS()
		} else {
			srv.Start()
		}
		t.Cleanup(srv.Close)
		u, _ := url.Parse(srv.URL)
		host := u.Host // 127.0.0.1:port
		ref := host + "/team/app:v1"
		wopts := []name.Option{}
		if tlsServer {
			wopts = append(wopts, name.Insecure)
		}
		dst, _ := name.ParseReference(ref, wopts...)
		if err := remote.Write(dst, app, remote.WithTransport(srv.Client().Transport)); err != nil {
			t.Fatal(err)
		}
		s := newTestStore(t)
		if tlsServer {
			// self-signed: refused unless the registry is listed as insecure
			if _, err := s.Pull(context.Background(), ref, PullOptions{}); err == nil {
				t.Fatal("pull from a self-signed registry succeeded without insecure")
			}
		}
		img, err := s.Pull(context.Background(), ref, PullOptions{InsecureRegistries: []string{host}})
		if err != nil {
			t.Fatalf("tls=%v: %v", tlsServer, err)
		}
		d, _ := app.Digest()
		if img.Digest != d.String() || !slices.Equal(img.RepoDigests, []string{host + "/team/app@" + d.String()}) ||
			!slices.Equal(img.RepoTags, []string{ref}) {
			t.Fatalf("pulled %+v", img)
		}
		if _, err := s.Get(host + "/team/app@" + d.String()); err != nil {
			t.Fatal(err)
		}
		// a second pull reuses everything
		if _, err := s.Pull(context.Background(), host+"/team/app@"+d.String(), PullOptions{InsecureRegistries: []string{host}}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRemove(t *testing.T) {
	base, app := twoImages(t)
	tarPath := filepath.Join(t.TempDir(), "images.tar")
	if err := tarball.MultiRefWriteToFile(tarPath, map[name.Reference]v1.Image{
		name.MustParseReference("busybox"):  base,
		name.MustParseReference("alias:v1"): base,
		name.MustParseReference("app"):      app,
	}); err != nil {
		t.Fatal(err)
	}
	s := newTestStore(t)
	if _, err := s.Load(context.Background(), tarPath); err != nil {
		t.Fatal(err)
	}
	// Untagging one of two names keeps the image.
	if err := s.Remove("alias:v1"); err != nil {
		t.Fatal(err)
	}
	img, err := s.Get("busybox")
	if err != nil || len(img.RepoTags) != 1 {
		t.Fatalf("busybox after untag: %+v %v", img, err)
	}
	// Removing app drops its own layer but keeps the shared base layer.
	appImg, _ := s.Get("app")
	if err := s.Remove(appImg.ID); err != nil {
		t.Fatal(err)
	}
	if n := layerCount(t, s); n != 1 {
		t.Fatalf("%d layers left, want 1", n)
	}
	if _, err := os.Stat(s.blobPath(appImg.Digest)); !os.IsNotExist(err) {
		t.Fatal("app manifest blob left behind")
	}
	if err := s.Remove("busybox"); err != nil {
		t.Fatal(err)
	}
	if n := layerCount(t, s); n != 0 {
		t.Fatalf("%d layers left, want 0", n)
	}
	if err := s.Remove("busybox"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(s.Root(), "blobs", "sha256"))
	if len(entries) != 0 {
		t.Fatalf("blobs left: %v", entries)
	}
}
