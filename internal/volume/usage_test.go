package volume

import (
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

func TestDirUsage(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), make([]byte, 256<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(dir, "f"), filepath.Join(dir, "g")); err != nil {
		t.Fatal(err)
	}
	n, err := DirUsage(dir)
	if err != nil || n < 256<<10 || n > 512<<10 {
		t.Fatalf("usage %d (%v), want about 256KiB counted once", n, err)
	}
}

func TestEmptyDirOverLimit(t *testing.T) {
	if _, over := EmptyDirOverLimit("v", 1<<20, resource.MustParse("1Mi")); over {
		t.Fatal("at the limit is not over it")
	}
	msg, over := EmptyDirOverLimit("scratch", 6<<20, resource.MustParse("5Mi"))
	if !over || msg != `Usage of EmptyDir volume "scratch" exceeds the limit "5Mi". ` {
		t.Fatalf("%v %q", over, msg)
	}
}
