package image

import (
	"archive/tar"
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnpackLayerBasics(t *testing.T) {
	dir := t.TempDir()
	b := tarBytes(t,
		tarEntry{name: "./", typ: tar.TypeDir, mode: 0o755},
		tarEntry{name: "bin/", typ: tar.TypeDir},
		tarEntry{name: "bin/busybox", body: "ELF", mode: 0o755},
		tarEntry{name: "bin/sh", typ: tar.TypeSymlink, link: "/bin/busybox"},
		tarEntry{name: "bin/ash", typ: tar.TypeLink, link: "bin/busybox"},
		tarEntry{name: "usr/bin/su", body: "su", mode: 0o4755}, // parent created implicitly
		tarEntry{name: "etc/motd", body: "old"},
		tarEntry{name: "etc/motd", body: "new"}, // later entry wins
		tarEntry{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
		tarEntry{name: "run/fifo", typ: tar.TypeFifo, mode: 0o600},
	)
	if err := unpackLayer(bytes.NewReader(b), dir, slog.Default()); err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if read("bin/busybox") != "ELF" || read("bin/ash") != "ELF" || read("etc/motd") != "new" {
		t.Fatal("file contents wrong")
	}
	if l, _ := os.Readlink(filepath.Join(dir, "bin/sh")); l != "/bin/busybox" {
		t.Fatalf("symlink target %q", l)
	}
	fi, _ := os.Stat(filepath.Join(dir, "usr/bin/su"))
	if fi.Mode()&os.ModeSetuid == 0 || fi.Mode().Perm() != 0o755 {
		t.Fatalf("su mode %v", fi.Mode())
	}
	fi, _ = os.Stat(filepath.Join(dir, "tmp"))
	if fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
		t.Fatalf("tmp mode %v", fi.Mode())
	}
	if !fi.ModTime().Equal(testTime) {
		t.Fatalf("dir mtime %v, want %v", fi.ModTime(), testTime)
	}
	fi, _ = os.Lstat(filepath.Join(dir, "run/fifo"))
	if fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("fifo mode %v", fi.Mode())
	}
}

// A layer must never write outside its directory, however it tries.
func TestUnpackLayerRefusesEscapes(t *testing.T) {
	outside := t.TempDir()
	tests := []struct {
		name    string
		entries []tarEntry
	}{
		{"dotdot name", []tarEntry{{name: "../" + filepath.Base(outside) + "/pwned", body: "x"}}},
		{"absolute symlink parent", []tarEntry{
			{name: "evil", typ: tar.TypeSymlink, link: outside},
			{name: "evil/pwned", body: "x"},
		}},
		{"relative symlink parent", []tarEntry{
			{name: "a/", typ: tar.TypeDir},
			{name: "a/evil", typ: tar.TypeSymlink, link: "../../../../../../../../" + strings.TrimPrefix(outside, "/")},
			{name: "a/evil/pwned", body: "x"},
		}},
		{"hard link out", []tarEntry{{name: "pw", typ: tar.TypeLink, link: "../../../../etc/passwd"}}},
		{"whiteout through symlink", []tarEntry{
			{name: "evil", typ: tar.TypeSymlink, link: outside},
			{name: "evil/.wh.keep", body: ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(outside, "keep"), []byte("k"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := unpackLayer(bytes.NewReader(tarBytes(t, tt.entries...)), t.TempDir(), slog.Default())
			if err == nil {
				t.Fatal("unpack succeeded, want an error")
			}
			entries, _ := os.ReadDir(outside)
			if len(entries) != 1 || entries[0].Name() != "keep" {
				t.Fatalf("outside dir changed: %v", entries)
			}
		})
	}
}

func TestUnpackLayerWhiteouts(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	b := tarBytes(t,
		tarEntry{name: "etc/.wh.passwd"},
		tarEntry{name: "var/cache/.wh..wh..opq"},
		tarEntry{name: "var/cache/new", body: "n"},
		tarEntry{name: ".wh..wh.plnk/", typ: tar.TypeDir},
	)
	if err := unpackLayer(bytes.NewReader(b), dir, slog.Default()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(dir, "etc/passwd"))
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("whiteout not a char device: %v %v", fi, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "etc/.wh.passwd")); !os.IsNotExist(err) {
		t.Fatal("whiteout marker file left in the layer")
	}
	val := make([]byte, 8)
	n, err := lgetxattr(filepath.Join(dir, "var/cache"), overlayOpaqueXattr, val)
	if err != nil || string(val[:n]) != "y" {
		t.Fatalf("opaque xattr = %q, %v", val[:n], err)
	}
}
