package image

import (
	"archive/tar"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"golang.org/x/sys/unix"
)

func TestOverlayOptions(t *testing.T) {
	got, err := overlayOptions([]string{"/l/base", "/l/mid", "/l/top"}, "/c/upper", "/c/work")
	if err != nil {
		t.Fatal(err)
	}
	if want := "lowerdir=/l/top:/l/mid:/l/base,upperdir=/c/upper,workdir=/c/work"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	if _, err := overlayOptions([]string{"/a:b"}, "/u", "/w"); err == nil {
		t.Fatal("colon in a layer path accepted")
	}
	many := make([]string, 100)
	for i := range many {
		many[i] = "/var/lib/berth/images/layers/sha256/" + strings.Repeat("a", 64)
	}
	if _, err := overlayOptions(many, "/u", "/w"); err == nil {
		t.Fatal("over-long options accepted")
	}
}

func TestParseMountInfo(t *testing.T) {
	in := `22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
301 22 0:77 / /var/lib/c\040d/rootfs rw,relatime - overlay overlay rw,lowerdir=/s/layers/sha256/bb:/s/layers/sha256/aa,upperdir=/c/upper,workdir=/c/work
302 22 0:78 / /proc rw,nosuid shared:5 master:2 - proc proc rw
bad line
`
	m, err := parseMountInfo(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 3 || m[1].MountPoint != "/var/lib/c d/rootfs" || m[1].FSType != "overlay" || m[2].FSType != "proc" {
		t.Fatalf("parsed %+v", m)
	}
	lower := overlayLowerDirs(m)
	if !lower["/s/layers/sha256/aa"] || !lower["/s/layers/sha256/bb"] || len(lower) != 2 {
		t.Fatalf("lowerdirs %v", lower)
	}
}

func TestRefsFromAnnotations(t *testing.T) {
	tests := []struct {
		a    map[string]string
		want string
	}{
		{map[string]string{annotationImageName: "busybox:1", annotationRefName: "1"}, "docker.io/library/busybox:1"},
		{map[string]string{annotationRefName: "registry.io/x/y:2"}, "registry.io/x/y:2"},
		{map[string]string{annotationRefName: "latest"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		got := refsFromAnnotations(tt.a)
		if (tt.want == "" && len(got) != 0) || (tt.want != "" && (len(got) != 1 || got[0] != tt.want)) {
			t.Errorf("refsFromAnnotations(%v) = %v, want %q", tt.a, got, tt.want)
		}
	}
}

// Whiteouts and opaque directories hide lower layers through overlayfs, the
// container's writes land in its own upper layer, and release leaves nothing.
func TestRootFSOverlay(t *testing.T) {
	requireRoot(t)
	base := testLayer(t,
		tarEntry{name: "etc/", typ: tar.TypeDir},
		tarEntry{name: "etc/passwd", body: "root:x:0:0::/:/bin/sh\n"},
		tarEntry{name: "etc/hostname", body: "base"},
		tarEntry{name: "var/cache/old1", body: "1"},
		tarEntry{name: "var/cache/old2", body: "2"},
		tarEntry{name: "owned", body: "o", uid: 1234},
	)
	top := testLayer(t,
		tarEntry{name: "etc/.wh.hostname"},
		tarEntry{name: "var/cache/.wh..wh..opq"},
		tarEntry{name: "var/cache/new", body: "n"},
	)
	img := testImage(t, v1.Config{Cmd: []string{"sh"}}, base, top)
	tarPath := filepath.Join(t.TempDir(), "img.tar")
	if err := tarball.WriteToFile(tarPath, name.MustParseReference("layered"), img); err != nil {
		t.Fatal(err)
	}
	s := newTestStore(t)
	if _, err := s.Load(context.Background(), tarPath); err != nil {
		t.Fatal(err)
	}
	cdir := t.TempDir()
	rootfs, err := s.RootFS(context.Background(), "layered", cdir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(rootfs, unix.MNT_DETACH) })
	if again, err := s.RootFS(context.Background(), "layered", cdir); err != nil || again != rootfs {
		t.Fatalf("second RootFS: %q %v", again, err)
	}
	if _, err := os.Stat(filepath.Join(rootfs, "etc/passwd")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(rootfs, "etc/hostname")); !os.IsNotExist(err) {
		t.Fatalf("whited-out file visible: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(rootfs, "var/cache"))
	if len(entries) != 1 || entries[0].Name() != "new" {
		t.Fatalf("opaque dir shows %v", entries)
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(rootfs, "owned"), &st); err != nil || st.Uid != 1234 {
		t.Fatalf("owner %d %v", st.Uid, err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "etc/written"), []byte("w"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cdir, "upper/etc/written")); err != nil {
		t.Fatal("write did not land in the upper layer")
	}
	// The image cannot lose layers that a mounted rootfs stacks.
	if err := s.Remove("layered"); err != nil {
		t.Fatal(err)
	}
	if n := layerCount(t, s); n != 2 {
		t.Fatalf("%d layers after removing an image in use, want 2", n)
	}
	if err := s.ReleaseRootFS(cdir); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseRootFS(cdir); err != nil {
		t.Fatal("second release:", err)
	}
	if mounted, _ := isMounted(rootfs); mounted {
		t.Fatal("still mounted")
	}
	if entries, _ := os.ReadDir(cdir); len(entries) != 0 {
		t.Fatalf("container dir keeps %v", entries)
	}
	// Garbage left by the in-use image goes at the next collection.
	s.mu.Lock()
	s.collectLocked()
	s.mu.Unlock()
	if n := layerCount(t, s); n != 0 {
		t.Fatalf("%d layers after release, want 0", n)
	}
}
