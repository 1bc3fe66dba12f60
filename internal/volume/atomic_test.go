package volume

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	v1 := map[string]File{"a": {Data: []byte("1"), Mode: 0o644}, "sub/b": {Data: []byte("2"), Mode: 0o400}}
	changed, err := WriteAtomic(dir, v1)
	if err != nil || !changed {
		t.Fatalf("first write: %v %v", changed, err)
	}
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return string(b)
	}
	if read("a") != "1" || read("sub/b") != "2" {
		t.Fatalf("content: %q %q", read("a"), read("sub/b"))
	}
	if target, _ := os.Readlink(filepath.Join(dir, "a")); target != "..data/a" {
		t.Fatalf("a links to %q", target)
	}
	if st, _ := os.Stat(filepath.Join(dir, "sub/b")); st.Mode().Perm() != 0o400 {
		t.Fatalf("mode %v", st.Mode())
	}
	first, _ := os.Readlink(filepath.Join(dir, "..data"))
	if changed, err := WriteAtomic(dir, v1); err != nil || changed {
		t.Fatalf("same payload rewritten: %v %v", changed, err)
	}

	v2 := map[string]File{"a": {Data: []byte("one"), Mode: 0o644}, "c": {Data: []byte("3"), Mode: 0o644}}
	if changed, err := WriteAtomic(dir, v2); err != nil || !changed {
		t.Fatalf("update: %v %v", changed, err)
	}
	if read("a") != "one" || read("c") != "3" {
		t.Fatalf("after update: %q %q", read("a"), read("c"))
	}
	if _, err := os.Lstat(filepath.Join(dir, "sub")); !os.IsNotExist(err) {
		t.Fatal("removed key still linked")
	}
	if _, err := os.Stat(filepath.Join(dir, first)); !os.IsNotExist(err) {
		t.Fatal("old version left")
	}
	for _, bad := range []string{"/abs", "../x", "..data", "a/../b"} {
		if _, err := WriteAtomic(dir, map[string]File{bad: {}}); err == nil {
			t.Errorf("path %q accepted", bad)
		}
	}
}
